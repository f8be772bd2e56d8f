import pytest
from django.db import transaction

from creneau.audit.log import Actor, record, verify_chain
from creneau.audit.models import AuditEvent
from tests.audit.tampering import tamper

pytestmark = pytest.mark.django_db


def _append(n):
    for i in range(n):
        with transaction.atomic():
            record("test.event", Actor.system(), object_type="thing", object_id=str(i), data={"i": i})


def test_an_untouched_chain_verifies():
    _append(5)
    report = verify_chain()
    assert report.ok
    assert report.checked == 5


def test_it_reports_the_first_altered_event():
    _append(5)
    tamper("UPDATE audit_auditevent SET data = %s WHERE seq = 3", ['{"i": 99}'])
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 3


def test_it_reports_a_missing_event():
    _append(5)
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert "missing" in report.problem


def test_it_reports_events_cut_from_the_end():
    _append(5)
    tamper("DELETE FROM audit_auditevent WHERE seq >= 4")
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 4


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        record("test.event", Actor.system())
    assert not AuditEvent.objects.exists()
