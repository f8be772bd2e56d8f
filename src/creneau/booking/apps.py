from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "creneau.booking"
    verbose_name = _("Rendez-vous")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from creneau.booking.db_rules import reinstall_triggers

        # After the audit app too: it is the last app of ours migrated that the triggers need.
        post_migrate.connect(reinstall_triggers, dispatch_uid="creneau.booking.triggers")
        from creneau.booking.actions import do_expire_drafts
        from creneau.booking.actions.offers import do_lapse_due, do_send_reminders
        from creneau.booking.allocation_runs import open_current_batches, run_due_allocations
        from creneau.notify.worker import register_periodic

        register_periodic("expire_drafts", do_expire_drafts, every_seconds=300)
        register_periodic("open_batches", open_current_batches, every_seconds=60)
        register_periodic("allocation_runs", run_due_allocations, every_seconds=60)
        register_periodic("lapse_offers", do_lapse_due, every_seconds=300)
        register_periodic("reminders", do_send_reminders, every_seconds=600)
