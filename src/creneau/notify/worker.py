"""The job worker: delivers the outbox and runs periodic jobs that other apps register.

Other apps plug their jobs in from ``AppConfig.ready``::

    from creneau.notify.worker import register_periodic

    class BookingConfig(AppConfig):
        def ready(self):
            register_periodic("expire_drafts", expire_drafts, every_seconds=300)

Rules for a periodic job: it takes no argument, it is idempotent and safe to run in several
workers at once (each worker runs every job; protect writes with compare-and-set or unique
constraints), it returns quickly or works in small steps. An exception is logged and the job runs
again at its next period; it never stops the worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection

from creneau.notify.delivery import deliver_due

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    func: Callable[[], object]
    every_seconds: float


_registry: dict[str, PeriodicJob] = {}


def register_periodic(name: str, func: Callable[[], object], every_seconds: float) -> None:
    """Run ``func()`` about every ``every_seconds`` in each worker. Registering a name again replaces it."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _registry[name] = PeriodicJob(name, func, every_seconds)


def unregister_periodic(name: str) -> None:
    _registry.pop(name, None)


def periodic_jobs() -> list[PeriodicJob]:
    return list(_registry.values())


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """One worker loop. ``run_once`` does one round; ``run`` loops until ``stop()``."""

    def __init__(self, worker_id: str | None = None, interval: float = 2.0, batch: int = 50) -> None:
        self.worker_id = worker_id or default_worker_id()
        self.interval = interval
        self.batch = batch
        self._stop = threading.Event()
        self._next_run: dict[str, float] = {}

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def deliver(self) -> int:
        """Deliver due messages in batches until none is left (or we are asked to stop)."""
        total = 0
        while not self.stopping:
            before = total
            total += deliver_due(self.worker_id, limit=self.batch)
            if total - before < self.batch:
                break
        return total

    def run_periodic(self, now: float | None = None) -> list[str]:
        """Run the registered jobs whose period has elapsed; return their names."""
        now = time.monotonic() if now is None else now
        ran = []
        for job in periodic_jobs():
            if self.stopping:
                break
            if self._next_run.get(job.name, 0.0) > now:
                continue
            self._next_run[job.name] = now + job.every_seconds
            try:
                job.func()
            except Exception:
                logger.exception("worker: periodic job %s failed", job.name)
            ran.append(job.name)
        return ran

    def _refresh_connections(self) -> None:
        """A long-lived process must not keep a broken or expired connection (as after a request)."""
        if not connection.in_atomic_block:  # never inside a transaction (tests run in one)
            close_old_connections()

    def run_once(self) -> int:
        self._refresh_connections()
        try:
            sent = self.deliver()
        except Exception:
            logger.exception("worker: delivery round failed")
            sent = 0
        self.run_periodic()
        return sent

    def run(self) -> None:
        logger.info(
            "worker %s started (interval %.1fs, jobs: %s)",
            self.worker_id,
            self.interval,
            ", ".join(j.name for j in periodic_jobs()) or "none",
        )
        while not self.stopping:
            self.run_once()
            self._stop.wait(self.interval)
        self._refresh_connections()
        logger.info("worker %s stopped", self.worker_id)
