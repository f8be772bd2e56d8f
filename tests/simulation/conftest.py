"""Small scenarios that run in a fraction of a second, named for what they exercise."""

from __future__ import annotations

from dataclasses import replace

from creneau.simulation.scenario import Procedure, Publication, Scalpers, Scenario

SEEDS = (1, 2, 3)
LOW_DEMAND = 0.5
HIGH_DEMAND = 1.5


def small_scenario(ratio: float = 1.0, seed: int = 1, weeks: int = 16) -> Scenario:
    """One procedure, 60 slots a week published daily 14 days ahead, three potential scalpers."""
    scenario = Scenario(
        name="small",
        procedures=(Procedure("titre-de-sejour", arrivals_per_week=60.0, slots_per_week=60),),
        weeks=weeks,
        seed=seed,
        publication=Publication(lead_days=14),
        scalpers=Scalpers(count=3, max_inventory=100),
    )
    return replace(scenario.with_demand_ratio(ratio), seed=seed)
