"""The pending-requests trend is replayed from the audit log and never shows fewer than 10 people."""

import datetime

import pytest
import time_machine

from creneau.audit.log import Actor
from creneau.booking.actions import do_withdraw
from creneau.stats.backlog import ALL, pending_at_week_ends
from tests.factories import ProcedureFactory, file_request

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 2)  # a Monday
NOON = datetime.datetime(2026, 11, 2, 11, 0, tzinfo=datetime.UTC)


def _file(procedure, n, prefix):
    return [
        file_request(procedure, surnames=f"{prefix}{chr(97 + i)}", email=f"{prefix}{i}@example.org")
        for i in range(n)
    ]


def test_pending_at_each_week_end_follows_filings_and_withdrawals():
    procedure = ProcedureFactory()
    duplicate = ProcedureFactory(
        prefecture=procedure.prefecture, kind="duplicate", sites=list(procedure.sites.all())
    )
    with time_machine.travel(NOON, tick=False):
        renewals = _file(procedure, 15, "Renew")
        _file(duplicate, 12, "Dup")
    with time_machine.travel(NOON + datetime.timedelta(days=7), tick=False):
        for request in renewals[:4]:
            do_withdraw(request, Actor.system("test"))
    weeks = [MONDAY - datetime.timedelta(weeks=1), MONDAY, MONDAY + datetime.timedelta(weeks=1)]
    series = pending_at_week_ends(procedure.prefecture, weeks, ["renewal", "duplicate"])
    assert series[(ALL, weeks[0])].value is None  # before any filing: 0 people is a small cell
    assert series[(ALL, weeks[1])].value == 27
    assert series[("renewal", weeks[1])].value == 15
    assert series[(ALL, weeks[2])].value == 23
    assert series[("renewal", weeks[2])].value == 11
    assert series[("duplicate", weeks[2])].value == 12


def test_a_small_procedure_is_hidden_and_so_is_the_part_that_would_reveal_it():
    procedure = ProcedureFactory()
    duplicate = ProcedureFactory(
        prefecture=procedure.prefecture, kind="duplicate", sites=list(procedure.sites.all())
    )
    with time_machine.travel(NOON, tick=False):
        _file(procedure, 20, "Renew")
        _file(duplicate, 3, "Dup")
    series = pending_at_week_ends(procedure.prefecture, [MONDAY], ["renewal", "duplicate"])
    assert series[(ALL, MONDAY)].value == 23
    assert series[("duplicate", MONDAY)].suppressed
    assert series[("renewal", MONDAY)].suppressed  # else 23 − 20 would reveal the 3


def test_the_statistics_page_shows_the_trend_with_its_table(client):
    procedure = ProcedureFactory()
    with time_machine.travel(NOON, tick=False):
        _file(procedure, 12, "Renew")
    with time_machine.travel(NOON + datetime.timedelta(days=8), tick=False):
        page = client.get(f"/statistiques/{procedure.prefecture.code}/").content.decode()
    assert "Demandes en attente en fin de semaine" in page
    assert "<table" in page
