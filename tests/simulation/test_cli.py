"""The `creneau simulate` and `creneau plan` commands, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from creneau.cli import main

SMALL = """
[scenario]
name = "Tiny"
weeks = 8

[[procedures]]
name = "titre"
arrivals_per_week = 50
slots_per_week = 40

[publication]
lead_days = 10

[sweep]
demand_ratios = [0.5, 1.5]
"""

PLAN = """
start = 2027-01-04

[[procedures]]
name = "titre"
arrivals_per_week = 100
slots_per_week = 90
no_show_rate = 0.1
backlog = [300, 200]
"""

HISTORY = """week_start,procedure,arrivals,slots_published,no_shows,lapses,backlog
2026-12-21,titre,110,100,10,5,900
2026-12-28,titre,90,100,8,4,880
"""


def test_simulate_prints_a_comparison_and_writes_a_report_with_plots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "report"
    assert main(["simulate", str(scenario), "--seed", "3", "--sweep", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "First come, first served" in printed
    assert "Créneau batches" in printed
    assert "Demand sweep" in printed
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "# Simulation: Tiny" in report
    for image in ("waits.png", "scalpers.png", "sweep.png"):
        assert f"]({image})" in report
        assert (out / image).read_bytes().startswith(b"\x89PNG")


def test_simulate_reports_a_bad_scenario_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(SMALL.replace("slots_per_week = 40", "slots_per_week = -4"), encoding="utf-8")
    assert main(["simulate", str(scenario)]) == 2
    assert "procedures[0].slots_per_week" in capsys.readouterr().err


def test_plan_projects_and_sizes_capacity_from_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "plan.toml"
    data.write_text(PLAN, encoding="utf-8")
    assert main(["plan", str(data), "--weeks", "6", "--target-days", "14", "--by", "2027-03-01"]) == 0
    printed = capsys.readouterr().out
    assert "titre: 90 slots/week from 2027-01-04" in printed
    assert "bring the median wait under 14 days by the week of 2027-03-01" in printed


def test_plan_reads_a_weekly_history_in_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "history.csv"
    data.write_text(HISTORY, encoding="utf-8")
    assert main(["plan", str(data), "--weeks", "3"]) == 0
    assert "titre: 100 slots/week from 2027-01-04" in capsys.readouterr().out


def test_plan_needs_both_target_and_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "plan.toml"
    data.write_text(PLAN, encoding="utf-8")
    assert main(["plan", str(data), "--target-days", "14"]) == 2
    assert "go together" in capsys.readouterr().err
