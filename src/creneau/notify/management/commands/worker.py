"""``python manage.py worker [--once] [--interval 2]``: deliver the outbox and run periodic jobs."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from creneau.notify.worker import Worker


class Command(BaseCommand):
    help = "Deliver outbox messages and run registered periodic jobs; stops cleanly on SIGTERM/SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds (default 2)")
        parser.add_argument("--batch", type=int, default=50, help="messages claimed per query (default 50)")
        parser.add_argument("--worker-id", default="", help="name in claimed_by (default host:pid)")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            worker_id=options["worker_id"] or None, interval=options["interval"], batch=options["batch"]
        )
        if options["once"]:
            sent = worker.run_once()
            self.stdout.write(f"sent {sent} message(s)")
            return

        def _stop(signum: int, frame: object) -> None:
            # Finish the message in hand, then leave: nothing is half-recorded.
            worker.stop()

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            worker.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
