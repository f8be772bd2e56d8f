from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "creneau.booking"
    verbose_name = _("Rendez-vous")

    def ready(self) -> None:
        from creneau.booking.actions import do_expire_drafts
        from creneau.notify.worker import register_periodic

        register_periodic("expire_drafts", do_expire_drafts, every_seconds=300)
