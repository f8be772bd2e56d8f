"""Market simulator: first-come-first-served booking with scalpers against Créneau's batches.

    comparison = compare(load_scenario("scenarios/grande-prefecture.toml"))
    comparison.fcfs.scalper_profit, comparison.batch.scalper_profit

Pure Python (no Django); matplotlib is needed only to draw a report. See docs/simulation.md.
"""

from __future__ import annotations

from creneau.simulation.outcome import GroupWaits, Outcome, ScalperAccounts, SlotFate
from creneau.simulation.run import POLICIES, Comparison, compare, simulate, sweep
from creneau.simulation.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = [
    "POLICIES",
    "Comparison",
    "GroupWaits",
    "Outcome",
    "ScalperAccounts",
    "Scenario",
    "ScenarioError",
    "SlotFate",
    "compare",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
    "sweep",
]
