from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "creneau.stats"
    verbose_name = _("Statistiques publiques")

    def ready(self) -> None:
        from creneau.notify.worker import register_periodic
        from creneau.stats.heads import record_daily_heads

        # Cheap and idempotent: records only the days that ended since the last run.
        register_periodic("daily_audit_heads", record_daily_heads, every_seconds=900)
