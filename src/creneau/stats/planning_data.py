"""A prefecture's own data, read from the database into the capacity-planning input (``Forecast``).

The projection itself is pure (``creneau.simulation.capacity``); this module only measures. Weeks are
the prefecture's local weeks (Monday to Sunday on its wall clock). With ``now`` in local week ``W``:

* the **history** is the ``history_weeks`` complete weeks before ``W`` (the current, unfinished week
  is left out so that a Monday morning does not look like a quiet week);
* the **projection starts** on the Monday after ``W`` (as ``creneau plan`` does with a CSV history);
* **arrivals per week** = mean over the history of requests filed (``filed_at``) in each local week,
  whatever became of them since;
* **slots per week** = mean over the history of open slots (``Slot.status == open``) *starting* in each
  local week — a slot serving several procedures counts for each of them, and once for "all". A
  prefecture that has only just started has no past slots: then the mean over the weeks ahead that
  already have slots is used (``slots_source == "ahead"``);
* **no-show rate** = no-shows ÷ (attended + no-shows) over appointments of the history weeks;
  **lapse rate** = lapsed ÷ offers answered (confirmed, attended, no-show, cancelled, declined, lapsed)
  among offers made during the history weeks. Under ``MIN_OUTCOMES`` cases the measure says too little,
  and the defaults of the market simulator are used instead (``DEFAULT_*``; the page says so);
* the **backlog** = requests pending now, by age: ``backlog[a]`` filed ``a + 1`` weeks before the
  projection starts (index 0: filed in the current week).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from creneau.booking.models import Offer, Prefecture, Request, Slot
from creneau.booking.workflow import Status
from creneau.simulation.capacity import Forecast
from creneau.simulation.planning import HISTORY_WEEKS

ALL = "all"
DEFAULT_NO_SHOW_RATE = 0.08
DEFAULT_LAPSE_RATE = 0.05
MIN_OUTCOMES = 20
MAX_RATE = 0.95  # Forecast needs a rate below 1; beyond this a measure is surely an artefact
ANSWERED = (
    Offer.Status.CONFIRMED,
    Offer.Status.ATTENDED,
    Offer.Status.NO_SHOW,
    Offer.Status.CANCELLED,
    Offer.Status.CANCELLED_BY_PREFECTURE,
    Offer.Status.DECLINED,
    Offer.Status.LAPSED,
)


@dataclass(frozen=True)
class WeekHistory:
    start: datetime.date
    arrivals: int
    slots: int


@dataclass(frozen=True)
class Rate:
    """A rate: ``measured`` over ``cases``, the ``default`` when fewer than ``MIN_OUTCOMES`` cases were
    seen, or ``given`` by the person planning (a what-if)."""

    value: float
    cases: int
    source: str

    @property
    def measured(self) -> bool:
        return self.source == "measured"


@dataclass(frozen=True)
class PlanningInput:
    prefecture_code: str
    procedure: str
    """A procedure kind, or ``ALL``."""
    forecast: Forecast
    history: tuple[WeekHistory, ...]
    pending: int
    no_show: Rate
    lapse: Rate
    slots_source: str
    """``past`` (mean over the history), ``ahead`` (mean over weeks ahead with slots) or ``none``."""

    @property
    def history_start(self) -> datetime.date:
        return self.history[0].start

    @property
    def history_end(self) -> datetime.date:
        """Last day (Sunday) of the history."""
        return self.history[-1].start + datetime.timedelta(days=6)

    @property
    def uses_defaults(self) -> bool:
        return "default" in (self.no_show.source, self.lapse.source)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _local_week(moment: datetime.datetime | None, prefecture: Prefecture) -> datetime.date:
    assert moment is not None  # filtered on by every caller
    return week_start(moment.astimezone(prefecture.tz).date())


def _local_midnight(day: datetime.date, prefecture: Prefecture) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=prefecture.tz)


def _rate(count: int, cases: int, default: float, given: float | None) -> Rate:
    if given is not None:
        if not 0.0 <= given <= MAX_RATE:
            raise ValueError(f"a rate must be in [0, {MAX_RATE}], got {given}")
        return Rate(given, cases, "given")
    if cases < MIN_OUTCOMES:
        return Rate(default, cases, "default")
    return Rate(min(MAX_RATE, count / cases), cases, "measured")


def planning_input(
    prefecture: Prefecture,
    procedure: str | None = None,
    now: datetime.datetime | None = None,
    history_weeks: int = HISTORY_WEEKS,
    no_show_rate: float | None = None,
    lapse_rate: float | None = None,
) -> PlanningInput:
    """The planning input of ``prefecture`` for one procedure kind, or all of them (``None``/``ALL``).

    ``no_show_rate`` and ``lapse_rate``, when given, replace the measured rates (what-if)."""
    if history_weeks < 1:
        raise ValueError("history_weeks must be >= 1")
    now = now or timezone.now()
    kind = None if procedure in (None, "", ALL) else procedure
    this_week = week_start(now.astimezone(prefecture.tz).date())
    start = this_week + datetime.timedelta(weeks=1)
    weeks = [this_week - datetime.timedelta(weeks=i) for i in range(history_weeks, 0, -1)]
    since = _local_midnight(weeks[0], prefecture)
    until = _local_midnight(this_week, prefecture)

    requests = Request.objects.filter(prefecture=prefecture)
    slots = Slot.objects.filter(prefecture=prefecture, status=Slot.Status.OPEN)
    offers = Offer.objects.filter(request__prefecture=prefecture)
    if kind is not None:
        requests = requests.filter(procedure__kind=kind)
        slots = slots.filter(procedures__kind=kind)
        offers = offers.filter(request__procedure__kind=kind)
    slots = slots.distinct()

    arrivals: dict[datetime.date, int] = defaultdict(int)
    for filed_at in requests.filter(filed_at__gte=since, filed_at__lt=until).values_list(
        "filed_at", flat=True
    ):
        arrivals[_local_week(filed_at, prefecture)] += 1

    slot_weeks: dict[datetime.date, int] = defaultdict(int)
    for slot_start in slots.filter(start__gte=since, start__lt=until).values_list("start", flat=True):
        slot_weeks[_local_week(slot_start, prefecture)] += 1
    history = tuple(WeekHistory(w, arrivals.get(w, 0), slot_weeks.get(w, 0)) for w in weeks)

    past_slots = sum(h.slots for h in history)
    if past_slots:
        slots_per_week, source = round(past_slots / len(history)), "past"
    else:
        ahead: dict[datetime.date, int] = defaultdict(int)
        for slot_start in slots.filter(start__gte=_local_midnight(start, prefecture)).values_list(
            "start", flat=True
        ):
            ahead[_local_week(slot_start, prefecture)] += 1
        if ahead:
            slots_per_week, source = round(sum(ahead.values()) / len(ahead)), "ahead"
        else:
            slots_per_week, source = 0, "none"

    backlog: dict[int, int] = defaultdict(int)
    for filed_at in requests.filter(status=Status.PENDING, filed_at__isnull=False).values_list(
        "filed_at", flat=True
    ):
        age = max(0, (start - _local_week(filed_at, prefecture)).days // 7 - 1)
        backlog[age] += 1
    backlog_tuple = tuple(float(backlog.get(a, 0)) for a in range(max(backlog, default=-1) + 1))

    seen = dict(
        _count(
            offers.filter(
                slot__start__gte=since,
                slot__start__lt=until,
                status__in=(Offer.Status.ATTENDED, Offer.Status.NO_SHOW),
            )
        )
    )
    answered = dict(_count(offers.filter(created_at__gte=since, created_at__lt=until, status__in=ANSWERED)))
    no_show = _rate(seen.get(Offer.Status.NO_SHOW, 0), sum(seen.values()), DEFAULT_NO_SHOW_RATE, no_show_rate)
    lapse = _rate(
        answered.get(Offer.Status.LAPSED, 0), sum(answered.values()), DEFAULT_LAPSE_RATE, lapse_rate
    )

    forecast = Forecast(
        procedure=kind or ALL,
        start=start,
        arrivals_per_week=(sum(h.arrivals for h in history) / len(history),),
        slots_per_week=slots_per_week,
        no_show_rate=no_show.value,
        lapse_rate=lapse.value,
        backlog=backlog_tuple,
    )
    return PlanningInput(
        prefecture_code=prefecture.code,
        procedure=kind or ALL,
        forecast=forecast,
        history=history,
        pending=sum(backlog.values()),
        no_show=no_show,
        lapse=lapse,
        slots_source=source,
    )


def _count(offers: object) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for status in offers.values_list("status", flat=True):  # type: ignore[attr-defined]
        counts[status] += 1
    return list(counts.items())


__all__ = [
    "ALL",
    "DEFAULT_LAPSE_RATE",
    "DEFAULT_NO_SHOW_RATE",
    "MAX_RATE",
    "MIN_OUTCOMES",
    "PlanningInput",
    "Rate",
    "WeekHistory",
    "planning_input",
]
