"""The rules that the database itself enforces, even against code that bypasses the actions."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from creneau.audit.models import AuditEvent
from creneau.booking.models import Applicant, Offer, Request, Slot
from creneau.booking.workflow import TRANSITIONS, Status
from tests.factories import DeskFactory, ProcedureFactory, file_request

pytestmark = pytest.mark.django_db


def test_one_active_request_per_person_procedure_and_prefecture_is_a_database_rule():
    procedure = ProcedureFactory()
    first = file_request(procedure)
    clone = Request.objects.get(pk=first.pk)
    clone.pk = None
    clone.reference = "ZZZZ-ZZZZ"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)


def test_a_finished_request_does_not_block_a_new_one():
    procedure = ProcedureFactory()
    first = file_request(procedure)
    from creneau.audit.log import Actor
    from creneau.booking.actions import do_withdraw

    do_withdraw(first, Actor.system("test"))
    second = file_request(procedure)
    assert second.status == Status.PENDING


def test_the_same_person_may_queue_for_two_procedures():
    renewal = ProcedureFactory()
    duplicate = ProcedureFactory(
        prefecture=renewal.prefecture, kind="duplicate", sites=list(renewal.sites.all())
    )
    file_request(renewal)
    assert file_request(duplicate).status == Status.PENDING


def test_the_database_refuses_a_status_change_outside_the_lifecycle():
    request = file_request(ProcedureFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(
            status=Status.ATTENDED
        )  # pending → attended: no such transition
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_the_trigger_allows_exactly_the_lifecycle_transitions():
    # Every allowed pair is in the trigger (the migration copies TRANSITIONS; see test_consistency).
    from creneau.booking.migrations import __path__ as migrations_path  # noqa: F401

    module = __import__("creneau.booking.migrations.0002_status_transition_trigger", fromlist=["TRANSITIONS"])
    assert {(str(a), str(b)) for a, b in TRANSITIONS} == set(module.TRANSITIONS)


def _slot():
    desk = DeskFactory()
    return Slot.objects.create(
        prefecture=desk.site.prefecture,
        site=desk.site,
        desk=desk,
        start=timezone.now() + datetime.timedelta(days=5),
        duration_minutes=30,
    )


def test_a_slot_never_holds_two_live_offers():
    procedure = ProcedureFactory()
    slot = _slot()
    a = file_request(procedure)
    b = file_request(procedure, surnames="Haddad")
    now = timezone.now()
    Offer.objects.create(request=a, slot=slot, deadline=now, short_code="AAAA1111", created_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(request=b, slot=slot, deadline=now, short_code="BBBB2222", created_at=now)


def test_an_applicant_needs_a_document_number():
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(surnames="X", birth_date=datetime.date(1990, 1, 1), nationality="SN")


def test_audit_events_cannot_be_edited_or_deleted():
    file_request(ProcedureFactory())
    event = AuditEvent.objects.first()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent")
