from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from creneau.booking.allocation_runs import run_due_allocations
from creneau.booking.models import Prefecture


class Command(BaseCommand):
    help = "Run the allocation of every closed batch of one prefecture that has no run yet (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("prefecture", help="prefecture code, e.g. 93 or 974")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            prefecture = Prefecture.objects.get(code=options["prefecture"])
        except Prefecture.DoesNotExist as exc:
            raise CommandError(f"unknown prefecture {options['prefecture']!r}") from exc
        runs = run_due_allocations(timezone.now(), prefecture=prefecture)
        if not runs:
            self.stdout.write("no closed batch is waiting for its run")
        for run in runs:
            self.stdout.write(
                f"batch {run.batch.index} (cutoff {run.cutoff.isoformat()}): {run.requests_count} requests, "
                f"{run.slots_count} free slots, {run.served_count} offers; input {run.input_digest[:16]}…, "
                f"output {run.output_digest[:16]}…"
            )
