"""Capacity planning from a prefecture's own rows: queues whose answer is known (stable, growing,
draining), built through the real filing action, with the clock frozen."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from creneau.booking.models import Slot
from creneau.simulation.capacity import project, required_capacity
from creneau.stats import planning_data
from creneau.stats.planning_data import planning_input
from tests.backoffice.factories import make_appointment
from tests.factories import DeskFactory, ProcedureFactory, file_request

pytestmark = pytest.mark.django_db

# Wednesday 10 March 2027, 11:00 in Paris. Current local week: Monday 8 March; the projection starts
# Monday 15 March; the 8 history weeks run from Monday 11 January to Sunday 7 March.
NOW = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=datetime.UTC)
THIS_WEEK = datetime.date(2027, 3, 8)
START = datetime.date(2027, 3, 15)
HISTORY = [THIS_WEEK - datetime.timedelta(weeks=i) for i in range(8, 0, -1)]


def _name(i: int) -> str:
    letters = ""
    i += 26 * 26
    while i:
        i, r = divmod(i, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[r] + letters
    return "Nom" + letters


def at(week: datetime.date, day: int = 1, hour: int = 10) -> datetime.datetime:
    """``hour`` o'clock Paris (winter: UTC+1) on day ``day`` (0 = Monday) of ``week``."""
    return datetime.datetime.combine(
        week + datetime.timedelta(days=day), datetime.time(hour - 1), tzinfo=datetime.UTC
    )


class Queue:
    """One procedure of prefecture 93 with a desk; files requests and opens slots week by week."""

    def __init__(self, procedure=None):  # type: ignore[no-untyped-def]
        self.procedure = procedure or ProcedureFactory()
        self.desk = DeskFactory(site=self.procedure.sites.first())
        self.desk.procedures.add(self.procedure)
        self.filed = 0
        self.slots = 0

    def file(self, week: datetime.date, count: int, day: int = 1):  # type: ignore[no-untyped-def]
        out = []
        for _ in range(count):
            i = self.filed
            self.filed += 1
            moment = at(week, day) + datetime.timedelta(minutes=i)
            with time_machine.travel(moment, tick=False):
                out.append(
                    file_request(
                        self.procedure,
                        now=moment,
                        surnames=_name(i),
                        given_names="Awa",
                        birth_date=datetime.date(1970, 1, 1) + datetime.timedelta(days=i),
                        agdref_number=f"{7000000000 + i}",
                        email=f"p{i}@example.org",
                    )
                )
        return out

    def open_slots(self, week: datetime.date, count: int, status: str = Slot.Status.OPEN) -> list[Slot]:
        out = []
        for _ in range(count):
            slot = Slot.objects.create(
                prefecture=self.procedure.prefecture,
                site=self.desk.site,
                desk=self.desk,
                start=at(week, 2, 9) + datetime.timedelta(minutes=30 * self.slots),
                duration_minutes=30,
                status=status,
            )
            self.slots += 1
            slot.procedures.add(self.procedure)
            out.append(slot)
        return out

    def history(self, arrivals: int, slots: int) -> None:
        for week in HISTORY:
            self.file(week, arrivals)
            self.open_slots(week, slots)


def stable() -> Queue:
    """3 requests and 3 slots a week for 8 weeks, nobody served yet: 24 waiting, 3 in, 3 out."""
    q = Queue()
    q.history(arrivals=3, slots=3)
    return q


def growing() -> Queue:
    """4 requests, 2 slots a week: the backlog grows by 2 a week."""
    q = Queue()
    q.history(arrivals=4, slots=2)
    return q


def draining() -> Queue:
    """1 request, 3 slots a week, and 4 more filed this week: 12 waiting, down 2 a week, 0 in week 5."""
    q = Queue()
    q.history(arrivals=1, slots=3)
    q.file(THIS_WEEK, 4, day=0)
    return q


def measured(q: Queue, **kwargs):  # type: ignore[no-untyped-def]
    return planning_input(q.procedure.prefecture, q.procedure.kind, now=NOW, **kwargs)


def test_reads_arrivals_slots_and_backlog_by_local_week():
    q = stable()
    q.open_slots(HISTORY[2], 5, status=Slot.Status.WITHDRAWN)  # closures do not count
    data = measured(q)
    assert data.forecast.start == START
    assert [h.start for h in data.history] == HISTORY
    assert [(h.arrivals, h.slots) for h in data.history] == [(3, 3)] * 8
    assert data.forecast.arrivals_per_week == (3.0,)
    assert data.forecast.slots_per_week == 3
    assert data.pending == 24
    # backlog[a]: filed a + 1 weeks before the projection starts (index 0: the current week).
    assert data.forecast.backlog == (0.0,) + (3.0,) * 8
    assert data.history_start == datetime.date(2027, 1, 11)
    assert data.history_end == datetime.date(2027, 3, 7)


def test_weeks_are_the_prefectures_local_weeks():
    """Sunday 23:30 in Paris is Sunday 22:30 UTC: the request belongs to that (local) week."""
    q = Queue()
    moment = datetime.datetime(2027, 3, 7, 22, 30, tzinfo=datetime.UTC)  # Sunday 23:30 Paris
    with time_machine.travel(moment, tick=False):
        file_request(q.procedure, now=moment)
    data = measured(q)
    assert data.history[-1].arrivals == 1
    moment = datetime.datetime(2027, 3, 7, 23, 30, tzinfo=datetime.UTC)  # Monday 00:30 Paris
    with time_machine.travel(moment, tick=False):
        file_request(q.procedure, now=moment, surnames="Autre", agdref_number="5550001112")
    data = measured(q)
    assert data.history[-1].arrivals == 1
    assert data.forecast.backlog == (1.0, 1.0)  # one this week, one last week


def test_stable_queue_keeps_its_backlog():
    data = measured(stable(), no_show_rate=0, lapse_rate=0)
    projection = project(data.forecast, 10)
    assert [w.backlog for w in projection.weeks] == [24.0] * 10
    # Oldest first: those filed 9 weeks before the start wait 63 days, and so on; nobody has filed yet
    # in the current week, so from week 8 on the queue is one week shorter.
    assert [w.median_wait_days for w in projection.weeks] == [63.0] * 8 + [56.0] * 2


def test_growing_queue_grows_by_arrivals_minus_slots():
    data = measured(growing(), no_show_rate=0, lapse_rate=0)
    assert data.pending == 32
    projection = project(data.forecast, 6)
    assert [w.backlog for w in projection.weeks] == [34.0, 36.0, 38.0, 40.0, 42.0, 44.0]
    waits = [w.median_wait_days for w in projection.weeks]
    assert waits == sorted(waits)
    assert waits[-1] > waits[0]


def test_draining_queue_empties_in_the_expected_week():
    data = measured(draining(), no_show_rate=0, lapse_rate=0)
    assert data.pending == 12
    assert data.forecast.backlog[0] == 4.0  # filed this week
    projection = project(data.forecast, 8)
    assert [w.backlog for w in projection.weeks] == [10.0, 8.0, 6.0, 4.0, 2.0, 0.0, 0.0, 0.0]
    assert projection.weeks[5].start == START + datetime.timedelta(weeks=5)
    assert projection.weeks[6].median_wait_days == 0.0  # then everyone is seen the week they file


def test_required_capacity_from_the_database_matches_the_pure_function():
    q = growing()
    data = measured(q)
    by = START + datetime.timedelta(weeks=12)
    answer = required_capacity(data.forecast, 30, by)
    assert answer.slots_per_week is not None
    assert answer.slots_per_week > data.forecast.slots_per_week
    assert answer.projection.weeks[-1].median_wait_days <= 30
    fewer = project(data.forecast, answer.projection.weeks[-1].index + 1, answer.slots_per_week - 1)
    assert fewer.weeks[-1].median_wait_days > 30


def test_rates_default_when_there_is_too_little_data():
    data = measured(stable())
    assert data.no_show.source == data.lapse.source == "default"
    assert data.uses_defaults
    assert data.forecast.no_show_rate == planning_data.DEFAULT_NO_SHOW_RATE
    assert data.forecast.lapse_rate == planning_data.DEFAULT_LAPSE_RATE


def test_rates_are_measured_from_offer_outcomes(monkeypatch):
    from creneau.audit.log import Actor
    from creneau.booking.actions.offers import do_check_in, do_mark_attended, do_mark_no_show

    monkeypatch.setattr(planning_data, "MIN_OUTCOMES", 4)
    q = Queue()
    requests = q.file(HISTORY[0], 4)
    slots = q.open_slots(HISTORY[3], 4)
    for i, (request, slot) in enumerate(zip(requests, slots, strict=True)):
        with time_machine.travel(at(HISTORY[2]), tick=False):
            offer = make_appointment(request, slot, confirmed=True)
        with time_machine.travel(slot.start + datetime.timedelta(minutes=10), tick=False):
            if i == 0:
                do_mark_no_show(offer, Actor.system("test"))
            else:
                do_check_in(offer, Actor.system("test"))
                do_mark_attended(offer, Actor.system("test"))
    data = measured(q)
    assert (data.no_show.source, data.no_show.cases, data.no_show.value) == ("measured", 4, 0.25)
    assert (data.lapse.source, data.lapse.cases, data.lapse.value) == ("measured", 4, 0.0)
    assert not data.uses_defaults
    assert data.pending == 0


def test_all_procedures_count_a_shared_slot_once():
    q = stable()
    other = Queue(ProcedureFactory(prefecture=q.procedure.prefecture, kind="first_permit"))
    other.history(arrivals=1, slots=0)
    for slot in Slot.objects.all():
        slot.procedures.add(other.procedure)
    prefecture = q.procedure.prefecture
    everything = planning_input(prefecture, None, now=NOW)
    assert everything.procedure == "all"
    assert everything.forecast.arrivals_per_week == (4.0,)
    assert everything.forecast.slots_per_week == 3
    assert everything.pending == 32
    assert planning_input(prefecture, "first_permit", now=NOW).forecast.slots_per_week == 3


def test_a_new_prefecture_uses_the_slots_ahead():
    q = Queue()
    q.open_slots(START, 6)
    q.open_slots(START + datetime.timedelta(weeks=1), 4)
    data = measured(q)
    assert (data.slots_source, data.forecast.slots_per_week) == ("ahead", 5)


def test_command_prints_the_projection_and_the_answer():
    q = draining()
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "plan_capacity",
            q.procedure.prefecture.code,
            "--procedure",
            q.procedure.kind,
            "--weeks",
            "8",
            "--no-show-rate",
            "0",
            "--lapse-rate",
            "0",
            stdout=out,
        )
    text = out.getvalue()
    assert "2027-03-15" in text
    assert "2027-05-03" in text
    lines = [line.split() for line in text.splitlines() if line.startswith("2027-")]
    assert [line[4] for line in lines] == ["10", "8", "6", "4", "2", "0", "0", "0"]  # backlog column


def test_command_target_and_errors():
    q = growing()
    code = q.procedure.prefecture.code
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("plan_capacity", code, "--target-days", "30", "--by", "2027-06-07", stdout=out)
        data = planning_input(q.procedure.prefecture, None, now=NOW)
        answer = required_capacity(data.forecast, 30, datetime.date(2027, 6, 7))
        assert f"{answer.slots_per_week} slots/week" in out.getvalue()
        for args in (
            ["nowhere"],
            [code, "--procedure", "naturalisation"],
            [code, "--weeks", "0"],
            [code, "--target-days", "30"],
            [code, "--target-days", "-1", "--by", "2027-06-07"],
            [code, "--target-days", "30", "--by", "2027-03-09"],
            [code, "--no-show-rate", "1.5"],
        ):
            with pytest.raises(CommandError):
                call_command("plan_capacity", *args, stdout=StringIO())
