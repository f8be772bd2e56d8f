"""Capacity planning: project a prefecture's queue week by week and size its weekly slots.

The model is a fluid FIFO queue across weeks (seniority, as in the allocation engine):

* week ``w`` starts with the carried-over backlog; that week's arrivals join behind it;
* the week serves ``min(queue, effective capacity)`` people, oldest cohorts first, where
  ``effective capacity = slots × (1 − lapse_rate) × (1 − no_show_rate)``: a slot serves
  someone only if its offer is confirmed in time and attended. Lapsed and no-show applicants
  keep their place in the queue (conservative: in practice part of the lapsed slots are
  reallocated in the next batch);
* a person filed in week ``k`` and served in week ``w`` waited ``7 × (w − k)`` days (0 means
  served in the week of filing); the median wait of a week is the median over those it served.

More slots never make anyone wait longer, so the smallest weekly capacity meeting a target is
found by bisection (:func:`required_capacity`). Everything here is pure and returns plain frozen
dataclasses that a back-office page can render as a chart or a table.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from datetime import date, timedelta

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class Forecast:
    """What a prefecture knows about one procedure's demand and supply, from week ``start`` on.

    ``arrivals_per_week[i]`` is the number of requests expected in week ``i``; past the end of the
    tuple the last value repeats. ``backlog[a]`` is the number of people waiting now who filed
    ``a + 1`` weeks before ``start`` (index 0: filed last week).
    """

    procedure: str
    start: date
    arrivals_per_week: tuple[float, ...]
    slots_per_week: int
    no_show_rate: float = 0.0
    lapse_rate: float = 0.0
    backlog: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not self.arrivals_per_week:
            raise ValueError(f"{self.procedure}: arrivals_per_week must not be empty")
        if any(a < 0 for a in self.arrivals_per_week) or any(b < 0 for b in self.backlog):
            raise ValueError(f"{self.procedure}: arrivals and backlog must be >= 0")
        if self.slots_per_week < 0:
            raise ValueError(f"{self.procedure}: slots_per_week must be >= 0")
        for name in ("no_show_rate", "lapse_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{self.procedure}: {name} must be in [0, 1), got {rate}")

    @property
    def efficiency(self) -> float:
        """Share of slots that actually serve someone."""
        return (1.0 - self.lapse_rate) * (1.0 - self.no_show_rate)

    def arrivals(self, week: int) -> float:
        return self.arrivals_per_week[min(week, len(self.arrivals_per_week) - 1)]


@dataclass(frozen=True)
class WeekProjection:
    index: int
    start: date
    arrivals: float
    slots: int
    capacity: float
    """Effective capacity: slots × (1 − lapse) × (1 − no-show)."""
    served: float
    backlog: float
    """People still waiting at the end of the week."""
    median_wait_days: float | None
    """Median wait of those served this week; None if nobody was served."""

    def meets(self, target_days: float) -> bool:
        """True if this week's median wait is at most ``target_days`` (or nobody waits at all)."""
        if self.median_wait_days is None:
            return self.backlog == 0 and self.served == 0
        return self.median_wait_days <= target_days


@dataclass(frozen=True)
class Projection:
    forecast: Forecast
    weeks: tuple[WeekProjection, ...]

    def week_of(self, day: date) -> WeekProjection | None:
        index = (day - self.forecast.start).days // DAYS_PER_WEEK
        return self.weeks[index] if 0 <= index < len(self.weeks) else None


@dataclass(frozen=True)
class CapacityAnswer:
    """The smallest constant weekly number of slots meeting the target, with its projection.

    ``slots_per_week`` is None when no capacity can meet it (e.g. a target below zero days,
    or every slot lost to lapses and no-shows).
    """

    target_days: float
    by: date
    slots_per_week: int | None
    projection: Projection | None


def project(forecast: Forecast, weeks: int, slots_per_week: int | None = None) -> Projection:
    """Project backlog, service and median wait for ``weeks`` weeks from ``forecast.start``."""
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    slots = forecast.slots_per_week if slots_per_week is None else slots_per_week
    capacity = slots * forecast.efficiency
    # Cohorts as [week of filing, people], oldest first.
    queue: deque[list[float]] = deque(
        [-(age + 1), count] for age, count in reversed(list(enumerate(forecast.backlog))) if count > 0
    )
    rows = []
    for week in range(weeks):
        arrivals = forecast.arrivals(week)
        if arrivals > 0:
            queue.append([week, arrivals])
        waiting = sum(count for _, count in queue)
        served = min(waiting, capacity)
        pieces = _serve(queue, served)
        rows.append(
            WeekProjection(
                index=week,
                start=forecast.start + timedelta(weeks=week),
                arrivals=arrivals,
                slots=slots,
                capacity=capacity,
                served=served,
                backlog=max(0.0, waiting - served),
                median_wait_days=_median_wait(pieces, week),
            )
        )
    return Projection(forecast=replace(forecast, slots_per_week=slots), weeks=tuple(rows))


def _serve(queue: deque[list[float]], amount: float) -> list[tuple[float, float]]:
    """Remove ``amount`` people from the front of the queue; return the (week, people) served."""
    pieces = []
    remaining = amount
    while queue and remaining > 1e-9:
        cohort = queue[0]
        take = min(cohort[1], remaining)
        pieces.append((cohort[0], take))
        remaining -= take
        cohort[1] -= take
        if cohort[1] <= 1e-9:
            queue.popleft()
    return pieces


def _median_wait(pieces: list[tuple[float, float]], week: int) -> float | None:
    total = sum(people for _, people in pieces)
    if total <= 0:
        return None
    seen = 0.0
    for filed, people in pieces:
        seen += people
        if seen >= total / 2:
            return float(DAYS_PER_WEEK * (week - filed))
    raise AssertionError("unreachable")  # pragma: no cover


def required_capacity(forecast: Forecast, target_days: float, by: date) -> CapacityAnswer:
    """Smallest constant slots/week from ``forecast.start`` so that the median wait in the week
    containing ``by`` is at most ``target_days``. Bisection on a monotone projection."""
    weeks = (by - forecast.start).days // DAYS_PER_WEEK + 1
    if weeks < 1:
        raise ValueError(f"date {by} is before the start of the forecast ({forecast.start})")
    if target_days < 0 or forecast.efficiency <= 0:
        return CapacityAnswer(target_days, by, None, None)

    def ok(slots: int) -> bool:
        return project(forecast, weeks, slots).weeks[-1].meets(target_days)

    # Enough slots to serve everybody in the week they file: median wait 0, always enough.
    everyone = sum(forecast.backlog) + max(forecast.arrivals(w) for w in range(weeks))
    high = max(1, math.ceil(everyone / forecast.efficiency) + 1)
    low = -1  # invariant: ok(high) and (low < 0 or not ok(low))
    while high - low > 1:
        middle = (low + high) // 2
        if ok(middle):
            high = middle
        else:
            low = middle
    return CapacityAnswer(target_days, by, high, project(forecast, weeks, high))
