"""A prefecture's few weeks, built through the real actions: filings, slots, allocation runs."""

from __future__ import annotations

import datetime

import time_machine

from creneau.booking.allocation_runs import run_allocation
from creneau.booking.batches import current_batch
from creneau.booking.models import AllocationRun, Procedure, Request, Slot
from tests.factories import DeskFactory, ProcedureFactory, file_request

# Monday 7 December 2026, 10:00 in Paris; batches close every day at 18:00 local.
MONDAY = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


def days(n: float, hour: int = 9) -> datetime.datetime:
    return MONDAY + datetime.timedelta(days=n, hours=hour - 9)


def setup_procedure(**kwargs) -> tuple[Procedure, object]:  # type: ignore[no-untyped-def]
    procedure = ProcedureFactory(**kwargs)
    desk = DeskFactory(site=procedure.sites.first())
    desk.procedures.add(procedure)
    return procedure, desk


def add_slots(desk, procedure, starts) -> list[Slot]:  # type: ignore[no-untyped-def]
    out = []
    for start in starts:
        slot = Slot.objects.create(
            prefecture=desk.site.prefecture,
            site=desk.site,
            desk=desk,
            start=start,
            duration_minutes=30,
            step_free=desk.site.step_free,
        )
        slot.procedures.add(procedure)
        out.append(slot)
    return out


def file_at(moment: datetime.datetime, procedure, **overrides) -> Request:  # type: ignore[no-untyped-def]
    with time_machine.travel(moment, tick=False):
        return file_request(procedure, **overrides)


def run_at(moment: datetime.datetime, procedure, desk, slots: int = 1) -> AllocationRun:  # type: ignore[no-untyped-def]
    """Publish ``slots`` slots a week after ``moment`` and run the batch open at ``moment``."""
    with time_machine.travel(moment, tick=False):
        batch = current_batch(procedure.prefecture, moment)
        add_slots(
            desk, procedure, [moment + datetime.timedelta(days=7, minutes=30 * i) for i in range(slots)]
        )
    with time_machine.travel(batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        return run_allocation(batch)


def waiting_story():  # type: ignore[no-untyped-def]
    """Three older requests take the only slot of three runs in three weeks; the fourth run serves ours."""
    procedure, desk = setup_procedure()
    rivals = [
        file_at(days(0), procedure, surnames=name, email=f"{name}@example.org", agdref_number=f"99{i}")
        for i, name in enumerate(["Nguyen", "Okafor", "Silva"])
    ]
    ours = file_at(
        days(1),
        procedure,
        surnames="Haddad",
        given_names="Amina",
        agdref_number="1112223334",
        email="amina@example.org",
    )
    runs = [run_at(days(d), procedure, desk) for d in (1, 8, 15, 22)]
    ours.refresh_from_db()
    return procedure, desk, rivals, ours, runs
