"""Capacity planning on queues whose answer is known by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creneau.simulation.capacity import Forecast, project, required_capacity

MONDAY = date(2027, 1, 4)


def forecast(arrivals: float, slots: int, backlog: float = 0.0, **rates: float) -> Forecast:
    return Forecast("titre", MONDAY, (arrivals,), slots, backlog=(backlog,), **rates)


def test_a_stable_queue_keeps_its_backlog() -> None:
    weeks = project(forecast(arrivals=100, slots=100, backlog=300), 12).weeks
    assert [w.backlog for w in weeks] == [300] * 12
    assert all(w.served == 100 for w in weeks)


def test_arrivals_equal_to_effective_capacity_are_stable_too() -> None:
    # 125 slots × (1 − 0.2 lapses) × (1 − 0.2 no-shows) = 80 people served a week.
    weeks = project(forecast(arrivals=80, slots=125, backlog=400, lapse_rate=0.2, no_show_rate=0.2), 10).weeks
    assert all(w.capacity == pytest.approx(80) for w in weeks)
    assert all(w.backlog == pytest.approx(400) for w in weeks)


def test_a_growing_queue_grows_by_arrivals_minus_capacity_each_week() -> None:
    weeks = project(forecast(arrivals=130, slots=100, backlog=50), 8).weeks
    assert [w.backlog for w in weeks] == [50 + 30 * (i + 1) for i in range(8)]
    # FIFO: the wait of those served grows by a week every 100 / 30 weeks or so, never shrinks.
    waits = [w.median_wait_days for w in weeks]
    assert waits == sorted(waits)  # type: ignore[type-var]


def test_a_draining_queue_reaches_zero_at_the_computed_week() -> None:
    backlog, arrivals, slots = 1000.0, 60.0, 100
    weeks = project(forecast(arrivals, slots, backlog), 40).weeks
    empty_after = math.ceil(backlog / (slots - arrivals))  # 25 weeks
    assert weeks[empty_after - 2].backlog > 0
    assert weeks[empty_after - 1].backlog == 0
    assert all(w.backlog == 0 and w.served == arrivals for w in weeks[empty_after:])
    assert all(w.median_wait_days == 0 for w in weeks[empty_after:])


def test_median_wait_counts_whole_weeks_since_filing() -> None:
    # 200 filed 3 weeks before start; 100 served a week: weeks 0 and 1 serve them (waits 21 d, 28 d).
    f = Forecast("titre", MONDAY, (0.0,), 100, backlog=(0.0, 0.0, 200.0))
    weeks = project(f, 3).weeks
    assert [w.median_wait_days for w in weeks] == [21.0, 28.0, None]
    assert weeks[2].meets(0)  # nobody waits any more


def test_the_required_capacity_meets_the_target_and_one_slot_less_does_not() -> None:
    f = forecast(arrivals=100, slots=100, backlog=2000, no_show_rate=0.1)
    by = MONDAY + timedelta(weeks=20)
    answer = required_capacity(f, target_days=14, by=by)
    assert answer.slots_per_week is not None
    assert answer.slots_per_week > 100
    weeks = (by - MONDAY).days // 7 + 1
    assert project(f, weeks, answer.slots_per_week).week_of(by).meets(14)  # type: ignore[union-attr]
    assert not project(f, weeks, answer.slots_per_week - 1).week_of(by).meets(14)  # type: ignore[union-attr]


def test_no_capacity_can_beat_a_negative_target() -> None:
    answer = required_capacity(forecast(100, 100, 500), target_days=-1, by=MONDAY + timedelta(weeks=4))
    assert answer.slots_per_week is None


def test_a_date_before_the_forecast_is_an_error() -> None:
    with pytest.raises(ValueError, match="before the start"):
        required_capacity(forecast(100, 100), 14, MONDAY - timedelta(days=7))


@given(
    arrivals=st.lists(st.integers(0, 300), min_size=1, max_size=8),
    backlog=st.lists(st.integers(0, 500), max_size=6),
    slots=st.integers(0, 400),
    extra=st.integers(1, 50),
)
def test_more_slots_never_make_the_median_wait_longer(
    arrivals: list[int], backlog: list[int], slots: int, extra: int
) -> None:
    f = Forecast("titre", MONDAY, tuple(map(float, arrivals)), slots, backlog=tuple(map(float, backlog)))
    fewer, more = project(f, 10).weeks, project(f, 10, slots + extra).weeks
    for a, b in zip(fewer, more, strict=True):
        assert b.backlog <= a.backlog + 1e-9
        for target in (0, 7, 14, 28, 56):
            assert b.meets(target) or not a.meets(target)
