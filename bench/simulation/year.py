"""One simulated year of a large prefecture, both policies: wall time, median of several runs.

    .venv/bin/python bench/simulation/year.py [--runs 5] [--scenario scenarios/grande-prefecture.toml]

The budget is one minute on a 2-core machine for both policies together.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from creneau.simulation import compare, load_scenario

DEFAULT = Path(__file__).parents[2] / "scenarios" / "grande-prefecture.toml"
BUDGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", type=Path, default=DEFAULT)
    args = parser.parse_args()
    scenario = replace(load_scenario(args.scenario), weeks=52)
    times = []
    for run in range(args.runs):
        began = time.perf_counter()
        comparison = compare(scenario)
        times.append(time.perf_counter() - began)
        if run == 0:
            fcfs, batch = comparison.outcomes
            bots = scenario.scalpers
            print(
                f"{scenario.name}: 52 weeks, {fcfs.applicants:,} applicants, {fcfs.slots:,} slots, "
                f"{bots.count} scalpers checking every {bots.check_interval_seconds:g} s"
            )
            print(
                f"  FCFS: {fcfs.scalped_share:.1%} via scalpers, profit {fcfs.scalper_profit:,.0f} EUR; "
                f"batch: {batch.scalped_share:.1%}, profit {batch.scalper_profit:,.0f} EUR"
            )
    median = statistics.median(times)
    print(
        f"wall time, both policies: median {median:.2f} s over {args.runs} runs "
        f"(min {min(times):.2f} s, max {max(times):.2f} s; budget {BUDGET_SECONDS:.0f} s)"
    )


if __name__ == "__main__":
    main()
