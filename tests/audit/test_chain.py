import pytest
from django.db import connection, transaction

from creneau.audit.log import Actor, record, verify_chain
from creneau.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _append(n):
    for i in range(n):
        with transaction.atomic():
            record("test.event", Actor.system(), object_type="thing", object_id=str(i), data={"i": i})


def _without_protection(sql, params=()):
    """Simulate an attacker with direct database access: drop the append-only trigger, then tamper."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_auditevent_no_update")
            cur.execute("DROP TRIGGER audit_auditevent_no_delete")
        else:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks may block the ALTER
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cur.execute(sql, params)


def test_an_untouched_chain_verifies():
    _append(5)
    report = verify_chain()
    assert report.ok
    assert report.checked == 5


def test_it_reports_the_first_altered_event():
    _append(5)
    _without_protection("UPDATE audit_auditevent SET data = %s WHERE seq = 3", ['{"i": 99}'])
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 3


def test_it_reports_a_missing_event():
    _append(5)
    _without_protection("DELETE FROM audit_auditevent WHERE seq = 2")
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert "missing" in report.problem


def test_it_reports_events_cut_from_the_end():
    _append(5)
    _without_protection("DELETE FROM audit_auditevent WHERE seq >= 4")
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 4


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        record("test.event", Actor.system())
    assert not AuditEvent.objects.exists()
