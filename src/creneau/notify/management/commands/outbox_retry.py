"""``python manage.py outbox_retry KEY [KEY ...]``: queue dead messages again (audited)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from creneau.audit.log import Actor
from creneau.notify.outbox import retry


class Command(BaseCommand):
    help = "Put dead outbox messages back in the queue with a fresh set of attempts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="+", metavar="KEY")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for key in options["keys"]:
            if retry(key, Actor.system("outbox_retry")):
                self.stdout.write(f"queued again: {key}")
            else:
                failed.append(key)
        if failed:
            raise CommandError(f"not dead (or unknown), left as is: {', '.join(failed)}")
