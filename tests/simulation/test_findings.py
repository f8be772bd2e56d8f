"""The qualitative findings of Hakimov, Heller, Kübler & Kurino (AER 111(7), 2021).

With enough demand, scalpers are active and profitable under first-come-first-served; under the
batch system their best response is not to enter, and if they do they lose money. At low demand
they earn little even under FCFS. Each finding must hold for several seeds, not one lucky draw.
"""

from __future__ import annotations

import functools

import pytest

from creneau.simulation import Comparison, compare

from .conftest import HIGH_DEMAND, LOW_DEMAND, SEEDS, small_scenario


@functools.cache
def run(ratio: float, seed: int) -> Comparison:
    return compare(small_scenario(ratio, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_under_fcfs_with_high_demand_scalpers_are_active_and_profitable(seed: int) -> None:
    comparison = run(HIGH_DEMAND, seed)
    fcfs = comparison.fcfs
    scenario = comparison.scenario
    one_scalpers_fixed_costs = scenario.scalpers.fixed_cost_per_week_eur * scenario.weeks
    assert fcfs.scalper_profit > 10 * one_scalpers_fixed_costs
    assert fcfs.scalped_share > 0.4
    assert fcfs.paid_to_scalpers > fcfs.scalper_profit > 0
    # They expanded: mid-run activity is well above the initial 3 × 10 fake bookings.
    assert max(fcfs.weekly_activity) > 3 * 30


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ratio", [LOW_DEMAND, 1.0, HIGH_DEMAND, 2.0])
def test_under_batch_scalpers_sell_nothing_and_lose_money(ratio: float, seed: int) -> None:
    batch = run(ratio, seed).batch
    assert batch.scalper_revenue == 0
    assert batch.paid_to_scalpers == 0
    assert batch.bought == 0
    assert batch.scalper_profit < 0
    assert all(s.profit < 0 for s in batch.scalpers)


@pytest.mark.parametrize("seed", SEEDS)
def test_under_batch_scalpers_best_response_is_not_to_enter(seed: int) -> None:
    """Scalpers who try quit within five weeks (activity halves each losing week), every time."""
    activity = run(HIGH_DEMAND, seed).batch.weekly_activity
    entries = [week for week in range(1, len(activity)) if activity[week - 1] == 0 and activity[week] > 0]
    assert activity[4] == 0
    for week in entries:
        if week + 5 <= len(activity):
            assert 0 in activity[week : week + 5]
    assert sum(1 for level in activity if level > 0) < len(activity) / 2


@pytest.mark.parametrize("seed", SEEDS)
def test_at_low_demand_scalpers_earn_little_even_under_fcfs(seed: int) -> None:
    low = run(LOW_DEMAND, seed).fcfs
    high = run(HIGH_DEMAND, seed).fcfs
    assert low.scalper_profit < 0.1 * high.scalper_profit
    assert low.scalped_share < 0.15


@pytest.mark.parametrize("seed", SEEDS)
def test_fcfs_serves_the_best_connected_first_and_batch_does_not_care(seed: int) -> None:
    comparison = run(HIGH_DEMAND, seed)
    fcfs = {g.group: g for g in comparison.fcfs.groups}
    batch = {g.group: g for g in comparison.batch.groups}
    assert fcfs["connected"].served_share > fcfs["rare"].served_share + 0.1
    assert abs(batch["connected"].served_share - batch["rare"].served_share) < 0.1
