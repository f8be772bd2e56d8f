"""``manage.py verify_audit_chain``: OK on an untouched chain, exit 1 with the first bad event otherwise."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from creneau.audit.log import Actor, record
from creneau.stats.heads import record_daily_heads
from creneau.stats.models import DailyHead
from tests.audit.tampering import tamper

pytestmark = pytest.mark.django_db

DAY_1 = datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC)


def _append(n, at=DAY_1):
    for i in range(n):
        with time_machine.travel(at + datetime.timedelta(days=i), tick=False), transaction.atomic():
            record("test.event", Actor.system(), object_type="thing", object_id=str(i), data={"i": i})


def _run():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_chain", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_it_verifies_an_untouched_chain():
    _append(4)
    code, out, _ = _run()
    assert code == 0
    assert "chain main: OK, 4 events" in out


def test_it_names_the_first_altered_event_and_exits_1():
    _append(5)
    tamper("UPDATE audit_auditevent SET data = %s WHERE seq = 3", ['{"i": 99}'])
    code, _, err = _run()
    assert code == 1
    assert "FAILED at event 3" in err
    assert "altered" in err


def test_it_names_the_first_missing_event():
    _append(5)
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")
    code, _, err = _run()
    assert code == 1
    assert "FAILED at event 2" in err
    assert "missing" in err


def test_daily_heads_are_recorded_once_per_finished_day():
    _append(3)  # one event on each of 10, 11 and 12 March
    with time_machine.travel(datetime.datetime(2025, 3, 14, 1, 0, tzinfo=datetime.UTC), tick=False):
        assert record_daily_heads() == 4  # 10, 11, 12, 13 March (13: no new event, same head)
        assert record_daily_heads() == 0
    heads = list(DailyHead.objects.order_by("day").values_list("day", "seq"))
    assert heads == [(datetime.date(2025, 3, d), s) for d, s in [(10, 1), (11, 2), (12, 3), (13, 3)]]


def test_a_rewritten_chain_no_longer_matches_its_published_head():
    """Even a rewrite that recomputes every hash is caught by the heads published before it."""
    _append(3)
    with time_machine.travel(datetime.datetime(2025, 3, 13, 1, 0, tzinfo=datetime.UTC), tick=False):
        record_daily_heads()
    DailyHead.objects.filter(day=datetime.date(2025, 3, 11)).update(
        head_hash="f" * 64
    )  # as if the chain changed
    code, _, err = _run()
    assert code == 1
    assert "2025-03-11" in err
