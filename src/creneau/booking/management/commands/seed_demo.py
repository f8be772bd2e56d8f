from django.core.management.base import BaseCommand

from creneau.booking.demo.seed import seed_places, seed_requests, seed_slots
from creneau.booking.models import Request


class Command(BaseCommand):
    help = "Fill the database with the demo's prefectures, sites, schedules, slots and requests (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--requests", type=int, default=300)
        parser.add_argument("--weeks", type=int, default=8)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        prefectures = seed_places()
        slots = seed_slots(prefectures, options["weeks"])
        self.stdout.write(f"{len(prefectures)} prefectures, {slots} new slots")
        if not Request.objects.exists():
            filed = seed_requests(prefectures, options["requests"])
            self.stdout.write(f"{filed} requests filed")
