"""Same scenario and seed, same outcome; the simulator owns its randomness."""

from __future__ import annotations

import random

import pytest

from creneau.simulation import compare, simulate
from creneau.simulation.population import draw_population

from .conftest import small_scenario


@pytest.mark.parametrize("policy", ["fcfs", "batch"])
def test_the_same_seed_gives_an_identical_outcome(policy: str) -> None:
    scenario = small_scenario(1.5, seed=11, weeks=10)
    assert simulate(scenario, policy) == simulate(scenario, policy)


def test_another_seed_gives_another_outcome() -> None:
    one = simulate(small_scenario(1.5, seed=11, weeks=10), "fcfs")
    two = simulate(small_scenario(1.5, seed=12, weeks=10), "fcfs")
    assert one != two


def test_global_random_state_is_neither_used_nor_disturbed() -> None:
    scenario = small_scenario(1.5, seed=5, weeks=10)
    random.seed(1)
    state = random.getstate()
    first = compare(scenario)
    assert random.getstate() == state
    random.seed(2)
    assert compare(scenario) == first


def test_both_policies_face_the_same_applicants_and_slots() -> None:
    scenario = small_scenario(1.0, seed=3, weeks=10)
    comparison = compare(scenario)
    population = draw_population(scenario)
    assert comparison.fcfs.applicants == comparison.batch.applicants == len(population.arrival)
    assert comparison.fcfs.slots == comparison.batch.slots == len(population.slot_start)
