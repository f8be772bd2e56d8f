"""Scenario files: the shipped examples load, and mistakes are named precisely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from creneau.simulation import ScenarioError, load_scenario, scenario_from_dict

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))
MINIMAL = {"procedures": [{"name": "p", "arrivals_per_week": 10, "slots_per_week": 10}]}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_example_scenarios_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.procedures
    assert abs(sum(g.share for g in scenario.groups) - 1) < 1e-9


def test_there_are_example_scenarios_for_large_small_and_overseas_prefectures() -> None:
    zones = {load_scenario(p).timezone for p in SCENARIOS}
    assert len(SCENARIOS) >= 3
    assert any(not zone.startswith("Europe/") for zone in zones)


def test_a_minimal_scenario_takes_defaults_for_everything_else() -> None:
    scenario = scenario_from_dict(MINIMAL, default_name="mini")
    assert scenario.name == "mini"
    assert scenario.publication.mode == "daily"
    assert scenario.scalpers.count == 3


def _with(**sections: object) -> dict[str, object]:
    return {**MINIMAL, **sections}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "procedures: at least one"),
        (
            {"procedures": [{"name": "p", "slots_per_week": 10}]},
            "procedures[0].arrivals_per_week: is required",
        ),
        (
            {"procedures": [{"name": "p", "arrivals_per_week": 1, "slots_per_week": 1.5}]},
            "procedures[0].slots_per_week: must be an integer",
        ),
        (
            {"procedures": [{"name": "p", "arrivals_per_week": 1, "slots_per_week": 1, "no_show_rate": 2}]},
            "procedures[0].no_show_rate: must be in",
        ),
        (_with(scalpers={"price_eur": -5}), "scalpers.price_eur: must be in"),
        (_with(scalpers={"prize_eur": 5}), "scalpers.prize_eur: unknown key"),
        (_with(scalpers={"count": "three"}), "scalpers.count: must be an integer"),
        (_with(publication={"mode": "hourly"}), "publication.mode: must be 'daily' or 'continuous'"),
        (_with(publication={"publish_time": "9h"}), "publication.publish_time: must be a time"),
        (_with(publication={"open_weekdays": [7]}), "publication.open_weekdays"),
        (_with(scenario={"timezone": "Europe/Atlantis"}), "scenario.timezone: unknown time zone"),
        (_with(scenario={"start": "2027-01-04"}), "scenario.start: must be a date"),
        (_with(scenario={"weeks": 1}), "scenario.weeks: must be an integer >= 2"),
        (
            _with(groups=[{"name": "a", "share": 0.5, "check_interval_minutes": 5}]),
            "groups: shares must add up to 1",
        ),
        (_with(groups=[{"name": "a", "share": 1.0}]), "groups[0].check_interval_minutes: is required"),
        (_with(sweep={"demand_ratios": []}), "sweep.demand_ratios: must not be empty"),
        (_with(colour="blue"), "colour: unknown key"),
    ],
)
def test_invalid_scenarios_are_rejected_with_the_key_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        scenario_from_dict(data)


def test_a_start_that_is_not_a_monday_is_rejected() -> None:
    import datetime

    with pytest.raises(ScenarioError, match=r"scenario\.start: must be a Monday"):
        scenario_from_dict(_with(scenario={"start": datetime.date(2027, 1, 5)}))


def test_a_file_that_is_not_toml_is_rejected_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[scenario\nname = ", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML"):
        load_scenario(path)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nowhere.toml")
