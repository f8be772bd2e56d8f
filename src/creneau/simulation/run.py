"""Entry points: one policy, both policies side by side, and the demand sweep."""

from __future__ import annotations

from dataclasses import dataclass, replace

from creneau.simulation.batch import BatchMarket
from creneau.simulation.fcfs import FcfsMarket
from creneau.simulation.market import Market
from creneau.simulation.outcome import Outcome
from creneau.simulation.population import Population, draw_population
from creneau.simulation.scenario import Scenario

POLICIES: dict[str, type[Market]] = {"fcfs": FcfsMarket, "batch": BatchMarket}


@dataclass(frozen=True)
class Comparison:
    scenario: Scenario
    fcfs: Outcome
    batch: Outcome

    @property
    def outcomes(self) -> tuple[Outcome, Outcome]:
        return (self.fcfs, self.batch)


def simulate(scenario: Scenario, policy: str, population: Population | None = None) -> Outcome:
    """Run one policy; the same scenario (and seed) always gives the same outcome."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}")
    return POLICIES[policy](population or draw_population(scenario)).run()


def compare(scenario: Scenario, seed: int | None = None) -> Comparison:
    """Both policies against the very same applicants and slots."""
    if seed is not None:
        scenario = replace(scenario, seed=seed)
    population = draw_population(scenario)
    return Comparison(
        scenario=scenario,
        fcfs=simulate(scenario, "fcfs", population),
        batch=simulate(scenario, "batch", population),
    )


def sweep(scenario: Scenario, ratios: tuple[float, ...] | None = None) -> tuple[Comparison, ...]:
    """Both policies with demand from below to well above capacity (arrivals = ratio × slots)."""
    ratios = ratios or scenario.sweep.demand_ratios
    return tuple(compare(scenario.with_demand_ratio(ratio)) for ratio in ratios)
