"""Allocation runs in the application: a closed batch's requests get offers, once, verifiably."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from creneau.allocation import verify_run
from creneau.audit.log import verify_chain
from creneau.booking.allocation_runs import published_file, run_allocation, run_due_allocations
from creneau.booking.models import AllocationRun, Batch, Offer, Request, Slot
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage
from tests.factories import DeskFactory, ProcedureFactory, file_request

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 10:00 in Paris; batches close at 18:00 local.
MONDAY = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def setup():
    procedure = ProcedureFactory()
    site = procedure.sites.first()
    desk = DeskFactory(site=site)
    desk.procedures.add(procedure)
    return procedure, site, desk


def _slots(desk, procedure, starts):
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


def _later(days, hour=9):
    return MONDAY + datetime.timedelta(days=days, hours=hour - 9)


def test_a_closed_batch_gets_one_run_that_offers_free_slots_to_pending_requests(setup):
    procedure, _site, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        requests = [
            file_request(procedure, surnames=name, email=f"{name}@example.org")
            for name in ("Diallo", "Haddad", "Nguyen")
        ]
        _slots(desk, procedure, [_later(7), _later(7, 10)])
    batch = requests[0].batch
    with time_machine.travel(batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        run = run_allocation(batch)
    assert (run.requests_count, run.slots_count, run.served_count) == (3, 2, 2)
    offered = Request.objects.filter(status=Status.OFFERED)
    assert offered.count() == 2
    assert Offer.objects.filter(status=Offer.Status.OFFERED).count() == 2
    assert OutboxMessage.objects.filter(template="offer_made").count() == 2
    assert verify_chain().ok


def test_running_a_batch_again_changes_nothing(setup):
    procedure, _site, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        request = file_request(procedure)
        _slots(desk, procedure, [_later(7)])
    with time_machine.travel(request.batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        first = run_allocation(request.batch)
        second = run_allocation(request.batch)
        assert run_due_allocations() == []
    assert first.pk == second.pk
    assert AllocationRun.objects.count() == 1
    assert Offer.objects.count() == 1


def test_a_batch_cannot_be_run_before_it_closes(setup):
    procedure, _, _ = setup
    with time_machine.travel(MONDAY, tick=False):
        request = file_request(procedure)
        with pytest.raises(ValueError, match="cannot be allocated yet"):
            run_allocation(request.batch)
    assert not AllocationRun.objects.exists()


def test_requests_of_a_later_batch_wait_for_their_own_run(setup):
    procedure, _, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        early = file_request(procedure, surnames="Early")
        _slots(desk, procedure, [_later(7), _later(7, 10)])
    with time_machine.travel(MONDAY + datetime.timedelta(hours=12), tick=False):  # after the 18:00 cutoff
        late = file_request(procedure, surnames="Late")
        assert late.batch.index == early.batch.index + 1
        run = run_allocation(early.batch)
    assert run.served_count == 1
    late.refresh_from_db()
    assert late.status == Status.PENDING


def test_slots_too_soon_or_already_offered_are_not_allocated(setup):
    procedure, _, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        a = file_request(procedure, surnames="Diallo")
        file_request(procedure, surnames="Haddad")
        _soon, later = _slots(desk, procedure, [_later(1), _later(9)])  # 48 hours' notice by default
        now = timezone.now()
        Offer.objects.create(request=a, slot=later, deadline=now, short_code="TAKEN123", created_at=now)
        Request.objects.filter(pk=a.pk).update(status=Status.OFFERED)
    with time_machine.travel(a.batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        run = run_allocation(a.batch)
    assert run.slots_count == 0
    assert run.served_count == 0


def test_the_published_file_replays_to_the_same_digests(setup):
    procedure, _, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        batch = None
        for i in range(6):
            batch = file_request(procedure, surnames=f"Person{'abcdef'[i]}").batch
        _slots(desk, procedure, [_later(7, h) for h in (9, 10, 11)])
    with time_machine.travel(batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        run = run_allocation(batch)
    data = published_file(run)
    report = verify_run(data)
    assert report.ok
    assert report.recorded_input_digest == run.input_digest
    assert b"Diallo" not in data
    assert b"Person" not in data
    tampered = data.replace(b'"position":0', b'"position":1', 1)
    assert not verify_run(tampered).ok


def test_a_request_put_back_by_the_prefecture_is_served_first_in_its_class(setup):
    procedure, _, desk = setup
    with time_machine.travel(MONDAY - datetime.timedelta(days=1), tick=False):
        older = [file_request(procedure, surnames=f"Old{'abcdefgh'[i]}") for i in range(8)]
    with time_machine.travel(MONDAY, tick=False):
        bumped = file_request(procedure, surnames="Bumped")
        Request.objects.filter(pk=bumped.pk).update(requeued_top=True)
        _slots(desk, procedure, [_later(8)])
    with time_machine.travel(bumped.batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        runs = run_due_allocations()
    assert [r.batch_id for r in runs] == [older[0].batch_id, bumped.batch_id]
    # The older batch's run came first, with the slot available: one of its requests got it...
    assert Offer.objects.get().request.batch_id == older[0].batch_id
    # ...so now add a slot and a fresh batch: the bumped request goes before every remaining older one.
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        _slots(desk, procedure, [_later(9)])
        file_request(procedure, surnames="Newcomer")
    with time_machine.travel(MONDAY + datetime.timedelta(days=2), tick=False):
        run_due_allocations()
    bumped.refresh_from_db()
    assert bumped.status == Status.OFFERED
    assert not bumped.requeued_top


def test_run_due_allocations_runs_every_closed_batch_in_order(setup):
    procedure, _, _desk = setup
    with time_machine.travel(MONDAY, tick=False):
        first = file_request(procedure, surnames="Diallo")
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        second = file_request(procedure, surnames="Haddad")
    with time_machine.travel(MONDAY + datetime.timedelta(days=3), tick=False):
        runs = run_due_allocations()
    assert [r.batch_id for r in runs] == [first.batch_id, second.batch_id]
    assert Batch.objects.filter(closed_at__isnull=False).count() == 2


def test_runs_are_published_with_their_replayable_file(setup, client):
    procedure, _, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        request = file_request(procedure)
        _slots(desk, procedure, [_later(7)])
    code = procedure.prefecture.code
    with time_machine.travel(request.batch.closes_at - datetime.timedelta(hours=1), tick=False):
        page = client.get(f"/attributions/{code}/").content.decode()
        assert request.batch.commitment in page  # the commitment is public before the batch closes
        assert request.batch.secret not in page  # the secret is not
    with time_machine.travel(request.batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        run = run_allocation(request.batch)
        page = client.get(f"/attributions/{code}/lot-{request.batch.index}/").content.decode()
    assert run.seed in page
    assert run.input_digest in page
    assert request.batch.secret in page
    download = client.get(f"/attributions/{code}/lot-{request.batch.index}.json")
    assert download.status_code == 200
    assert verify_run(download.content).ok
    assert client.get(f"/attributions/{code}/lot-999/").status_code == 404
    assert client.get("/attributions/nowhere/").status_code == 404


def test_the_run_command_runs_one_prefecture(setup):
    from io import StringIO

    from django.core.management import call_command

    procedure, _, desk = setup
    with time_machine.travel(MONDAY, tick=False):
        request = file_request(procedure)
        _slots(desk, procedure, [_later(7)])
    out = StringIO()
    with time_machine.travel(request.batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        call_command("run_allocation", procedure.prefecture.code, stdout=out)
        call_command("run_allocation", procedure.prefecture.code, stdout=out)
    assert "1 offers" in out.getvalue()
    assert "no closed batch" in out.getvalue()
