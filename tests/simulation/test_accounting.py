"""Conservation and accounting: nothing is created, lost or counted twice."""

from __future__ import annotations

import functools
import math
from collections import Counter

import pytest

from creneau.simulation import Outcome, SlotFate, simulate
from creneau.simulation.population import Population, draw_population

from .conftest import small_scenario

CASES = [(policy, ratio) for policy in ("fcfs", "batch") for ratio in (0.5, 1.0, 2.0)]


@functools.cache
def run(policy: str, ratio: float) -> tuple[Population, Outcome]:
    scenario = small_scenario(ratio, seed=7)
    population = draw_population(scenario)
    return population, simulate(scenario, policy, population)


@pytest.mark.parametrize(("policy", "ratio"), CASES)
def test_every_slot_is_used_wasted_or_never_booked_exactly_once(policy: str, ratio: float) -> None:
    population, outcome = run(policy, ratio)
    assert outcome.slots == len(population.slot_start)
    counts = Counter(outcome.fates)
    assert sum(counts.values()) == outcome.slots
    assert set(counts) <= set(SlotFate)
    assert counts[SlotFate.USED] == len(outcome.attended)


@pytest.mark.parametrize(("policy", "ratio"), CASES)
def test_no_slot_is_used_twice_and_nobody_attends_twice(policy: str, ratio: float) -> None:
    _, outcome = run(policy, ratio)
    slots = [slot for slot, _ in outcome.attended]
    applicants = [applicant for _, applicant in outcome.attended]
    assert len(set(slots)) == len(slots)
    assert len(set(applicants)) == len(applicants)
    assert all(0 <= a < outcome.applicants for a in applicants)


@pytest.mark.parametrize(("policy", "ratio"), CASES)
def test_money_paid_by_applicants_is_exactly_scalpers_revenue(policy: str, ratio: float) -> None:
    _, outcome = run(policy, ratio)
    assert math.isclose(outcome.paid_to_scalpers, outcome.scalper_revenue, rel_tol=1e-12, abs_tol=1e-9)
    assert outcome.bought == sum(s.sales for s in outcome.scalpers)
    assert outcome.bought <= outcome.served <= outcome.applicants
    for scalper in outcome.scalpers:
        assert math.isclose(scalper.profit, scalper.revenue - scalper.costs)
        assert scalper.costs >= 0


@pytest.mark.parametrize(("policy", "ratio"), CASES)
def test_every_measured_applicant_is_in_exactly_one_group(policy: str, ratio: float) -> None:
    population, outcome = run(policy, ratio)
    measured = sum(1 for a in range(len(population.arrival)) if population.measured(a))
    assert sum(g.applicants for g in outcome.groups) == measured
    for group in outcome.groups:
        assert all(wait >= 0 for wait in group.waits)
        assert list(group.waits) == sorted(group.waits)


def test_under_fcfs_every_sale_follows_a_fake_booking() -> None:
    _, outcome = run("fcfs", 2.0)
    assert outcome.bought > 0
    assert sum(s.bookings for s in outcome.scalpers) >= outcome.slots_scalped >= outcome.bought
    assert sum(s.name_changes for s in outcome.scalpers) == outcome.bought + sum(
        s.lost_in_name_change for s in outcome.scalpers
    )


def test_under_batch_fake_names_never_reach_a_counter() -> None:
    """A slot offered to an invented name goes back to the next batch or is wasted, never used by it."""
    _, outcome = run("batch", 0.5)
    assert outcome.slots_scalped > 0
    assert all(applicant < outcome.applicants for _, applicant in outcome.attended)
    assert outcome.real_bookings <= outcome.slots
