"""``python manage.py outbox_dead``: list messages that will not be delivered without help."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from creneau.notify.models import OutboxMessage


class Command(BaseCommand):
    help = "List dead outbox messages (newest first); retry one with outbox_retry KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prefecture", default="", help="only this prefecture code")
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args: Any, **options: Any) -> None:
        dead = OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD)
        if options["prefecture"]:
            dead = dead.filter(prefecture_code=options["prefecture"])
        count = dead.count()
        for msg in dead.order_by("-created_at", "-pk")[: options["limit"]]:
            error = " ".join(msg.last_error.split())[:160]
            self.stdout.write(
                f"{msg.key}\t{msg.channel}\t{msg.template}\t{msg.recipient}\t"
                f"attempts={msg.attempts}\t{msg.created_at:%Y-%m-%d %H:%M}\t{error}"
            )
        self.stdout.write(f"{count} dead message(s)")
