"""An allocation run survives SIGKILL at any moment, and two workers starting it make one run.

These tests run real processes against PostgreSQL (they are skipped on SQLite): a child process
runs the allocation and is killed with SIGKILL at a random moment; the database must then hold
either no trace of the run or all of it, and running again must give the same result.
"""

import datetime
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from creneau import allocation as engine
from creneau.booking.allocation_runs import batch_request_ids, collect_inputs
from creneau.booking.models import AllocationRun, Batch, Offer, Request, Slot
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage
from tests.factories import DeskFactory, ProcedureFactory, filing_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHILD = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "creneau.settings"
import django
django.setup()
from creneau.booking.allocation_runs import run_allocation
from creneau.booking.models import Batch
batch = Batch.objects.get(pk=int(sys.argv[1]))
print("READY", flush=True)
run = run_allocation(batch)
print("DONE", run.pk, run.output_digest, flush=True)
"""


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("crash and concurrency tests need PostgreSQL (run with DATABASE_URL=postgres://…)")


def _child_env():
    s = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env.pop("REDIS_URL", None)
    return env


def _spawn(batch):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(batch.pk)],
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(child):
    line = child.stdout.readline()
    if not line.startswith("READY"):
        child.kill()
        raise AssertionError(f"the child process did not start: {child.stderr.read()[-3000:]}")


def _instance(requests=800, slots=300):
    """A closed batch with many requests and slots (a run takes a noticeable fraction of a second)."""
    from creneau.audit.log import Actor
    from creneau.booking.actions import do_file_verified

    procedure = ProcedureFactory()
    site = procedure.sites.first()
    desk = DeskFactory(site=site)
    now = timezone.now()
    past = now - datetime.timedelta(days=2)
    batch = None
    for i in range(requests):
        data = filing_data(
            procedure,
            surnames=f"Person{i:05d}".replace("0", "o")
            .replace("1", "i")
            .replace("2", "z")
            .replace("3", "e")
            .replace("4", "a")
            .replace("5", "s")
            .replace("6", "g")
            .replace("7", "t")
            .replace("8", "b")
            .replace("9", "q"),
            email=f"p{i}@example.org",
            birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=i),
        )
        batch = do_file_verified(
            data, Actor.system("test"), channel="counter", attestation="seen", now=past, send_link=False
        ).batch
    start = now + datetime.timedelta(days=5)
    made = []
    for i in range(slots):
        made.append(
            Slot(
                prefecture=site.prefecture,
                site=site,
                desk=desk,
                start=start + datetime.timedelta(minutes=30 * i),
                duration_minutes=30,
            )
        )
    Slot.objects.bulk_create(made)
    through = Slot.procedures.through
    through.objects.bulk_create([through(slot_id=s.pk, procedure_id=procedure.pk) for s in made])
    assert batch.closes_at <= now
    return batch


def _expected_assignments(batch):
    """What the engine gives for this batch, computed in this process without writing anything."""
    now = timezone.now()
    inputs = collect_inputs(batch.prefecture, batch, now)
    seed = engine.derive_seed(
        bytes.fromhex(batch.secret), engine.request_ids_digest(batch_request_ids(batch))
    )
    result = engine.allocate(inputs.requests, inputs.slots, seed, inputs.params)
    return sorted((a.request_id, a.slot_id) for a in result.assignments)


def _written_assignments():
    return sorted(
        (ref, str(slot)) for ref, slot in Offer.objects.values_list("request__reference", "slot_id")
    )


def _state_is_all_or_nothing(batch):
    runs = AllocationRun.objects.filter(batch=batch)
    offers = Offer.objects.count()
    offered = Request.objects.filter(status=Status.OFFERED).count()
    messages = OutboxMessage.objects.filter(template="offer_made").count()
    if not runs.exists():
        assert (offers, offered, messages) == (0, 0, 0), "a killed run left a partial trace"
        return None
    run = runs.get()
    assert offers == offered == messages == run.served_count > 0
    return run


def test_a_run_killed_at_any_moment_leaves_nothing_or_everything(transactional_db):
    batch = _instance()
    expected = _expected_assignments(batch)
    rng = random.Random(2026)
    finished_in = None
    for _attempt in range(6):
        child = _spawn(batch)
        _wait_ready(child)
        started = time.monotonic()
        time.sleep(rng.uniform(0.0, finished_in or 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        run = _state_is_all_or_nothing(batch)
        if run is not None:
            finished_in = max(0.05, (time.monotonic() - started) * 0.8)
            break
    child = _spawn(batch)
    _wait_ready(child)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    run = _state_is_all_or_nothing(batch)
    assert run is not None
    assert _written_assignments() == expected  # the same seats for the same people, whatever the kills


def test_two_workers_starting_the_same_run_make_one_run(transactional_db):
    batch = _instance(requests=400, slots=200)
    children = [_spawn(batch) for _ in range(2)]
    for child in children:
        _wait_ready(child)
    outputs = [child.communicate(timeout=120) for child in children]
    assert [c.returncode for c in children] == [0, 0], [err for _, err in outputs]
    run_ids = {out.split()[1] for out, _ in outputs}
    assert len(run_ids) == 1
    assert AllocationRun.objects.count() == 1
    run = _state_is_all_or_nothing(batch)
    assert Offer.objects.values("slot").distinct().count() == run.served_count  # no slot given twice
    assert Batch.objects.get(pk=batch.pk).closed_at is not None
