"""``creneau simulate`` and ``creneau plan``: registered into the ``creneau`` command line."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from creneau.simulation.capacity import Projection, project, required_capacity
from creneau.simulation.planning import load_forecasts
from creneau.simulation.report import summary_rows, sweep_rows, sweep_wait_rows, text_table, write_report
from creneau.simulation.run import compare, sweep
from creneau.simulation.scenario import ScenarioError, load_scenario


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = subparsers.add_parser(
        "simulate",
        help="compare first-come-first-served with batch allocation on a scenario",
        description="Simulate a prefecture's appointment market under FCFS (with scalpers) and "
        "under Créneau's batch allocation; print a comparison and optionally write a report.",
    )
    simulate.add_argument("scenario", type=Path, help="scenario file (TOML, see docs/simulation.md)")
    simulate.add_argument("--seed", type=int, help="override the scenario's seed")
    simulate.add_argument("--weeks", type=int, help="override the scenario's number of weeks")
    simulate.add_argument("--out", type=Path, help="write report.md and PNG plots into this directory")
    simulate.add_argument("--sweep", action="store_true", help="also run the demand sweep")
    simulate.set_defaults(func=run_simulate)

    plan = subparsers.add_parser(
        "plan",
        help="project backlog and waits; size weekly capacity",
        description="Project each procedure's backlog and median wait from a prefecture's data "
        "(TOML forecast or CSV weekly history, see docs/simulation.md).",
    )
    plan.add_argument("data", type=Path, help="planning data (.toml or .csv)")
    plan.add_argument("--weeks", type=int, default=26, help="weeks to project (default 26)")
    plan.add_argument("--target-days", type=float, help="median wait to reach, in days")
    plan.add_argument("--by", type=date.fromisoformat, help="date by which to reach it (YYYY-MM-DD)")
    plan.set_defaults(func=run_plan)


def run_simulate(args: argparse.Namespace) -> int:
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    if args.weeks is not None:
        if args.weeks < 2 or scenario.publication.lead_days >= args.weeks * 7 // 2:
            print("error: --weeks: too short for the scenario's publication lead", file=sys.stderr)
            return 2
        scenario = replace(scenario, weeks=args.weeks)
    comparison = compare(scenario)
    print(f"{scenario.name}: seed {scenario.seed}, {scenario.weeks} weeks\n")
    print(text_table(summary_rows(comparison.outcomes)))
    results = sweep(scenario) if args.sweep else ()
    if results:
        print("\nDemand sweep (arrivals = ratio × slots)\n")
        print(text_table(sweep_rows(results)))
        print("\nMedian wait by group (days from request to appointment)\n")
        print(text_table(sweep_wait_rows(results)))
    if args.out is not None:
        path = write_report(comparison, results, args.out)
        print(f"\nreport written to {path}")
    return 0


def run_plan(args: argparse.Namespace) -> int:
    if (args.target_days is None) != (args.by is None):
        print("error: --target-days and --by go together", file=sys.stderr)
        return 2
    try:
        forecasts = load_forecasts(args.data)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for forecast in forecasts:
        print(f"\n{forecast.procedure}: {forecast.slots_per_week} slots/week from {forecast.start}")
        print(_projection_table(project(forecast, args.weeks)))
        if args.target_days is not None:
            if args.by < forecast.start:
                print(f"error: --by {args.by} is before the data's start {forecast.start}", file=sys.stderr)
                return 2
            answer = required_capacity(forecast, args.target_days, args.by)
            if answer.slots_per_week is None:
                print(f"\nno capacity brings the median wait under {args.target_days:g} days")
                continue
            print(
                f"\n{answer.slots_per_week} slots/week (now {forecast.slots_per_week}) bring the "
                f"median wait under {args.target_days:g} days by the week of {args.by}:"
            )
            print(_projection_table(project(forecast, args.weeks, answer.slots_per_week)))
    return 0


def _projection_table(projection: Projection) -> str:
    rows = [["week of", "arrivals", "slots", "served", "backlog", "median wait"]]
    for w in projection.weeks:
        wait = "–" if w.median_wait_days is None else f"{w.median_wait_days:.0f} d"
        rows.append(
            [
                w.start.isoformat(),
                f"{w.arrivals:.0f}",
                str(w.slots),
                f"{w.served:.0f}",
                f"{w.backlog:.0f}",
                wait,
            ]
        )
    return text_table(rows)
