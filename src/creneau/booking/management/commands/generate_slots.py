from django.core.management.base import BaseCommand, CommandError

from creneau.audit.log import Actor
from creneau.booking.actions import ActionError
from creneau.booking.actions.backoffice import do_generate_slots
from creneau.booking.models import Prefecture


class Command(BaseCommand):
    help = (
        "Open slots N weeks ahead from the opening templates (public holidays and closures skipped). "
        "Idempotent: run it daily from cron."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--weeks", type=int, default=8)
        parser.add_argument(
            "--prefecture", action="append", default=[], help="code (repeatable); default all"
        )

    def handle(self, *args, weeks: int, prefecture: list[str], **options):  # type: ignore[no-untyped-def]
        prefectures = Prefecture.objects.all()
        if prefecture:
            prefectures = prefectures.filter(code__in=prefecture)
            missing = set(prefecture) - set(prefectures.values_list("code", flat=True))
            if missing:
                raise CommandError(f"unknown prefecture(s): {', '.join(sorted(missing))}")
        for p in prefectures:
            try:
                created = do_generate_slots(p, weeks, Actor.system("generate_slots"))
            except ActionError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(f"{p.code}: {created} new slot(s)")
