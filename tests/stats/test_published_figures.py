"""What the statistics pages and the open data publish: never a figure about fewer than 10 people."""

import csv
import datetime
import io
from collections import defaultdict

import pytest
import time_machine

from creneau.booking.models import Procedure
from creneau.stats.aggregates import ALL, PEOPLE_METRICS, aggregates_for, week_start
from creneau.stats.privacy import MIN_CELL
from tests.factories import ProcedureFactory

from .scenario import days, file_at, waiting_story

pytestmark = pytest.mark.django_db

LATER = days(30)


@pytest.fixture(autouse=True)
def _static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()


@pytest.fixture
def busy_prefecture():
    """Day 0: 25 renewals and 3 first permits filed; day 1: 12 renewals."""
    renewal = ProcedureFactory()
    first = ProcedureFactory(kind=Procedure.Kind.FIRST_PERMIT)
    n = 0
    for day, procedure, count in [(0, renewal, 25), (0, first, 3), (1, renewal, 12)]:
        for _ in range(count):
            n += 1
            file_at(
                days(day),
                procedure,
                surnames=f"Personne{n}",
                agdref_number=f"{1000000000 + n}",
                email=f"p{n}@example.org",
            )
    return renewal.prefecture


def _csv_rows(client):
    response = client.get("/statistiques/donnees/quotidien.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0] == "date,prefecture,procedure,metric,value,suppressed"
    return list(csv.DictReader(io.StringIO(text)))


def test_open_data_publishes_no_small_cell_and_none_that_subtraction_reveals(client, busy_prefecture):
    with time_machine.travel(LATER, tick=False):
        rows = _csv_rows(client)
    people = [r for r in rows if r["metric"] in PEOPLE_METRICS]
    assert people
    for row in people:
        assert (row["value"] == "") == (row["suppressed"] == "1")
        assert row["value"] == "" or int(row["value"]) >= MIN_CELL
    by_group = defaultdict(dict)
    for row in people:
        by_group[(row["date"], row["metric"])][row["procedure"]] = row["value"]
    for values in by_group.values():
        if values[ALL]:
            shown = [int(v) for k, v in values.items() if k != ALL and v]
            rest = int(values[ALL]) - sum(shown)
            assert rest == 0 or rest >= MIN_CELL
    filed = {(r["date"], r["procedure"]): r["value"] for r in rows if r["metric"] == "filed"}
    assert filed[("2026-12-07", "all")] == "28"
    assert filed[("2026-12-07", "renewal")] == ""  # 25, but then the 3 first permits would be known
    assert filed[("2026-12-07", "first_permit")] == ""
    assert filed[("2026-12-08", "all")] == "12"


def test_weeks_never_reveal_days_left_out(busy_prefecture):
    data = aggregates_for(busy_prefecture, now=LATER)
    for (metric, kind, week), cell in data.weeks.items():
        if metric not in PEOPLE_METRICS or not cell.shown:
            continue
        assert cell.value >= MIN_CELL
        shown_days = sum(
            c.value
            for (m, k, d), c in data.days.items()
            if (m, k) == (metric, kind) and week_start(d) == week and c.shown
        )
        rest = cell.value - shown_days
        assert rest == 0 or rest >= MIN_CELL
    assert data.weeks[("filed", ALL, datetime.date(2026, 12, 7))].value == 40
    assert data.weeks[("filed", "first_permit", datetime.date(2026, 12, 7))].suppressed


def test_json_has_the_same_rows_and_the_daily_heads(client, busy_prefecture):
    from creneau.stats.heads import record_daily_heads

    with time_machine.travel(LATER, tick=False):
        record_daily_heads()
        data = client.get("/statistiques/donnees/quotidien.json").json()
        heads = client.get("/statistiques/donnees/empreintes-journal.csv").content.decode().splitlines()
        csv_rows = _csv_rows(client)
    assert data["min_cell"] == MIN_CELL
    assert data["columns"][0] == "date"
    assert len(data["rows"]) == len(csv_rows) > 0
    assert data["audit_daily_heads"]
    assert heads[0] == "day,chain,seq,head_hash"
    assert data["audit_daily_heads"][-1]["head_hash"] in heads[-1]


def test_pages_show_charts_with_tables_readable_without_javascript(client, busy_prefecture):
    with time_machine.travel(LATER, tick=False):
        index = client.get("/statistiques/")
        page = client.get(f"/statistiques/{busy_prefecture.code}/")
        per_procedure = client.get(f"/statistiques/{busy_prefecture.code}/?demarche=renewal")
        unknown = client.get(f"/statistiques/{busy_prefecture.code}/?demarche=nope")
    assert index.status_code == page.status_code == per_procedure.status_code == 200
    assert unknown.status_code == 404
    assert "public" in page["Cache-Control"]
    assert "max-age" in page["Cache-Control"]
    html = page.content.decode()
    assert html.count('role="img"') == html.count("<figure") == 11  # the pending trend, then 10 flows
    assert html.count("<table") >= 12  # one per chart, and the current figures
    assert "<script" not in html.split("<main")[-1].split("</main>")[0]
    assert "n.p." in html
    assert 'aria-describedby="chart-filed-table"' in html
    assert 'id="chart-filed-table"' in html


def test_current_figures_need_ten_people(client):
    waiting_story()  # 4 requests: nothing about them can be published
    with time_machine.travel(LATER, tick=False):
        html = client.get("/statistiques/93/").content.decode()
        rows = _csv_rows(client)
    assert all(r["value"] == "" for r in rows if r["metric"] in PEOPLE_METRICS)
    assert "slots_published" in {r["metric"] for r in rows}  # slots are not people
    current = html.split("<tbody>")[1].split("</tbody>")[0]
    assert current.count("n.p.") == 10  # 2 rows x 5 figures
