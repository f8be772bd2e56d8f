"""The capacity planning page: managers only, own prefecture only, the numbers of the DB queue."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from creneau.accounts.models import Role
from creneau.simulation.capacity import required_capacity
from creneau.stats.planning_data import planning_input
from tests.factories import PrefectureFactory, ProcedureFactory
from tests.stats.test_planning_data import NOW, START, Queue, draining, growing, stable

from .factories import log_in, make_agent

pytestmark = pytest.mark.django_db

NO_RATES = {"no_show_percent": "0", "lapse_percent": "0"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _url(code: str) -> str:
    return reverse("backoffice:planning", kwargs={"code": code})


def _manager_of(client, prefecture):  # type: ignore[no-untyped-def]
    log_in(client, make_agent(Role.MANAGER, prefecture))
    return client


def _table(html: str) -> list[list[str]]:
    """Rows of the projection table: [week, arrivals, slots, served, backlog, median wait]."""
    body = html.split('id="projection-table"', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        rows.append(cells)
    return rows


def test_stable_queue_on_the_page(client, frozen):
    q = stable()
    _manager_of(client, q.procedure.prefecture)
    response = client.get(_url(q.procedure.prefecture.code), {"weeks": "6", **NO_RATES})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    rows = _table(html)
    assert rows[0][0] == START.strftime("%d/%m/%Y")
    assert [r[4] for r in rows] == ["24"] * 6
    assert [r[5] for r in rows] == ["63"] * 6
    assert "<svg" in html
    assert 'aria-describedby="projection-table"' in html
    assert "24 demandes en attente" in html


def test_growing_queue_and_the_answer_matches_the_pure_function(client, frozen):
    q = growing()
    prefecture = q.procedure.prefecture
    _manager_of(client, prefecture)
    response = client.get(
        _url(prefecture.code),
        {"weeks": "4", "procedure": q.procedure.kind, "target_days": "30", "by": "07/06/2027", **NO_RATES},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert [r[4] for r in _table(html)] == ["34", "36", "38", "40"]
    data = planning_input(prefecture, q.procedure.kind, now=NOW, no_show_rate=0, lapse_rate=0)
    answer = required_capacity(data.forecast, 30, datetime.date(2027, 6, 7))
    needed = answer.slots_per_week
    assert f"Il faut {needed} créneaux par semaine" in html
    assert f"soit {needed - 2} de plus qu&#x27;aujourd&#x27;hui (2)" in html
    assert f"slots={needed}" in html  # one click to project with that capacity


def test_draining_queue_reaches_zero_in_the_expected_week(client, frozen):
    q = draining()
    _manager_of(client, q.procedure.prefecture)
    html = client.get(_url(q.procedure.prefecture.code), {"weeks": "8", **NO_RATES}).content.decode()
    rows = _table(html)
    assert [r[4] for r in rows] == ["10", "8", "6", "4", "2", "0", "0", "0"]
    assert rows[5][0] == (START + datetime.timedelta(weeks=5)).strftime("%d/%m/%Y")


def test_simulated_capacity_and_default_rates_are_said(client, frozen):
    q = stable()
    _manager_of(client, q.procedure.prefecture)
    html = client.get(_url(q.procedure.prefecture.code), {"weeks": "3", "slots": "5"}).content.decode()
    assert [r[2] for r in _table(html)] == ["5", "5", "5"]
    assert "valeur par défaut" in html
    # Default page: no parameters at all.
    response = client.get(_url(q.procedure.prefecture.code))
    assert response.status_code == 200
    assert len(_table(response.content.decode())) == 26


def test_a_target_already_met_says_the_current_capacity_suffices(client, frozen):
    q = draining()
    _manager_of(client, q.procedure.prefecture)
    html = client.get(
        _url(q.procedure.prefecture.code), {"target_days": "60", "by": "2027-06-07", **NO_RATES}
    ).content.decode()
    assert "la capacité actuelle suffit" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"weeks": "-3"}, "weeks"),
        ({"weeks": "100000"}, "weeks"),
        ({"weeks": "abc"}, "weeks"),
        ({"slots": "-1"}, "slots"),
        ({"slots": "1e9"}, "slots"),
        ({"target_days": "-5", "by": "07/06/2027"}, "target_days"),
        ({"target_days": "30"}, "by"),
        ({"by": "07/06/2027"}, "target_days"),
        ({"target_days": "30", "by": "01/01/2020"}, "by"),
        ({"target_days": "30", "by": "09/03/2027"}, "by"),  # this week: before the projection starts
        ({"target_days": "30", "by": "31/02/2027"}, "by"),
        ({"target_days": "30", "by": "01/01/2090"}, "by"),
        ({"procedure": "nope"}, "procedure"),
        ({"no_show_percent": "150"}, "no_show_percent"),
        ({"lapse_percent": "x"}, "lapse_percent"),
    ],
)
def test_bad_input_gives_form_errors(client, frozen, params, field):
    q = Queue()
    _manager_of(client, q.procedure.prefecture)
    response = client.get(_url(q.procedure.prefecture.code), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert "Le formulaire contient des erreurs" in html
    assert 'id="projection-table"' not in html


def test_an_agent_gets_403(client, frozen):
    q = Queue()
    log_in(client, make_agent(Role.AGENT, q.procedure.prefecture))
    assert client.get(_url(q.procedure.prefecture.code)).status_code == 403


def test_another_prefectures_manager_gets_404(client, frozen):
    q = Queue()
    other = PrefectureFactory(alsace=True)
    ProcedureFactory(prefecture=other)
    _manager_of(client, other)
    assert client.get(_url(q.procedure.prefecture.code)).status_code == 404
    assert client.get(_url(other.code)).status_code == 200


def test_only_get(client, frozen):
    q = Queue()
    _manager_of(client, q.procedure.prefecture)
    assert client.post(_url(q.procedure.prefecture.code), {}).status_code == 405
