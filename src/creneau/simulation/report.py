"""Tables (plain text and Markdown) and a Markdown report with PNG plots.

matplotlib is imported only inside :func:`write_report`, with the Agg backend, so the simulator
itself runs without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from creneau.simulation.outcome import Outcome, SlotFate
from creneau.simulation.run import Comparison

POLICY_TITLES = {"fcfs": "First come, first served", "batch": "Créneau batches"}


def _days(value: float) -> str:
    if math.isnan(value):
        return "–"
    return "never" if math.isinf(value) else f"{value:.0f} d"


def summary_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """One row per measure, one column per policy."""
    rows = [["", *(POLICY_TITLES.get(o.policy, o.policy) for o in outcomes)]]

    def add(label: str, values: list[str]) -> None:
        rows.append([label, *values])

    add("applicants", [f"{o.applicants:,}" for o in outcomes])
    add("slots published", [f"{o.slots:,}" for o in outcomes])
    add("appointments through scalpers", [f"{o.scalped_share:.1%}" for o in outcomes])
    add("slots ever held under a fake name", [f"{o.slots_scalped / max(1, o.slots):.1%}" for o in outcomes])
    add("paid to scalpers (EUR)", [f"{o.paid_to_scalpers:,.0f}" for o in outcomes])
    add("paid to helpers (EUR)", [f"{o.paid_to_helpers:,.0f}" for o in outcomes])
    add("scalpers' profit (EUR)", [f"{o.scalper_profit:,.0f}" for o in outcomes])
    lost = [sum(s.lost_in_name_change for s in o.scalpers) for o in outcomes]
    changes = [sum(s.name_changes for s in o.scalpers) for o in outcomes]
    add("name changes lost to a rival bot", [f"{a:,} of {b:,}" for a, b in zip(lost, changes, strict=True)])
    add(
        "scalpers' price at the end (EUR)",
        [" / ".join(f"{s.final_price:.0f}" for s in o.scalpers) or "–" for o in outcomes],
    )
    add("scalpers' activity at the end", [str(o.scalpers_active_at_end) for o in outcomes])
    add("slots wasted (booked, unused)", [f"{o.wasted_share:.1%}" for o in outcomes])
    add("slots never booked", [f"{o.count(SlotFate.UNBOOKED) / max(1, o.slots):.1%}" for o in outcomes])
    for index, group in enumerate(outcomes[0].groups):
        values = []
        for o in outcomes:
            g = o.groups[index]
            values.append(
                f"{_days(g.quantile(0.5))} / {_days(g.quantile(0.9))} ({g.served_share:.0%} served)"
            )
        add(f"wait, median / p90: {group.group}", values)
    return rows


def sweep_rows(results: Sequence[Comparison]) -> list[list[str]]:
    rows = [
        [
            "demand/capacity",
            "FCFS via scalpers",
            "FCFS scalper profit",
            "FCFS paid",
            "FCFS wasted",
            "batch via scalpers",
            "batch scalper profit",
            "batch paid",
            "batch wasted",
        ]
    ]
    for c in results:
        row = [f"{c.fcfs.demand_ratio:.2f}"]
        for o in c.outcomes:
            row += [
                f"{o.scalped_share:.1%}",
                f"{o.scalper_profit:,.0f}",
                f"{o.paid_to_scalpers:,.0f}",
                f"{o.wasted_share:.1%}",
            ]
        rows.append(row)
    return rows


def sweep_wait_rows(results: Sequence[Comparison]) -> list[list[str]]:
    """Median wait per group (days; 'never' if under half the group got an appointment)."""
    names = [g.group for g in results[0].fcfs.groups]
    rows = [["demand/capacity", *(f"FCFS {n}" for n in names), *(f"batch {n}" for n in names)]]
    for c in results:
        row = [f"{c.fcfs.demand_ratio:.2f}"]
        for o in c.outcomes:
            row += [_days(g.quantile(0.5)) for g in o.groups]
        rows.append(row)
    return rows


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def write_report(comparison: Comparison, results: Sequence[Comparison], out: Path) -> Path:
    """Write ``report.md`` and its PNG plots into ``out``; return the report's path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    scenario = comparison.scenario
    parts = [
        f"# Simulation: {scenario.name}",
        "",
        f"Seed {scenario.seed}, {scenario.weeks} weeks, {scenario.slots_per_week:,} slots and "
        f"{scenario.arrivals_per_week:,.0f} requests a week (demand/capacity "
        f"{scenario.arrivals_per_week / scenario.slots_per_week:.2f}), "
        f"{scenario.scalpers.count} potential scalpers. Both policies face the same applicants.",
        "",
        markdown_table(summary_rows(comparison.outcomes)),
        "",
        "Waits are days from request to appointment, for applicants who arrived early enough to "
        "be served before the end; 'never' means that share of the group got no appointment.",
        "",
    ]

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, outcome in zip(axes, comparison.outcomes, strict=True):
        for group in outcome.groups:
            if not group.applicants:
                continue
            ys = [(i + 1) / group.applicants for i in range(len(group.waits))]
            ax.step(group.waits, ys, where="post", label=group.group)
        ax.set_title(POLICY_TITLES[outcome.policy])
        ax.set_xlabel("days from request to appointment")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of the group with an appointment")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(out / "waits.png", dpi=100)
    plt.close(fig)
    parts += ["![Waiting time by group](waits.png)", ""]

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for outcome in comparison.outcomes:
        weeks = range(1, len(outcome.weekly_profit) + 1)
        axes[0].plot(weeks, outcome.weekly_profit, label=POLICY_TITLES[outcome.policy])
        axes[1].plot(weeks, outcome.weekly_activity, label=POLICY_TITLES[outcome.policy])
    axes[0].set_title("scalpers' weekly profit (EUR)")
    axes[1].set_title("scalpers' activity (fake bookings held / requests a week)")
    for ax in axes:
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(out / "scalpers.png", dpi=100)
    plt.close(fig)
    parts += ["![Scalpers over time](scalpers.png)", ""]

    if results:
        parts += [
            "## Demand sweep",
            "",
            "Arrivals = ratio × slots, everything else as above.",
            "",
            markdown_table(sweep_rows(results)),
            "",
            "Median wait by group, days from request to appointment:",
            "",
            markdown_table(sweep_wait_rows(results)),
            "",
        ]
        ratios = [c.fcfs.demand_ratio for c in results]
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        for policy in ("fcfs", "batch"):
            outcomes = [getattr(c, policy) for c in results]
            label = POLICY_TITLES[policy]
            axes[0].plot(ratios, [o.scalped_share for o in outcomes], marker="o", label=label)
            axes[1].plot(ratios, [o.scalper_profit for o in outcomes], marker="o", label=label)
            axes[2].plot(ratios, [o.wasted_share for o in outcomes], marker="o", label=label)
        axes[0].set_title("share of appointments through scalpers")
        axes[1].set_title("scalpers' total profit (EUR)")
        axes[2].set_title("share of slots wasted")
        for ax in axes:
            ax.set_xlabel("demand / capacity")
            ax.grid(alpha=0.3)
            ax.legend()
        fig.tight_layout()
        fig.savefig(out / "sweep.png", dpi=100)
        plt.close(fig)
        parts += ["![Demand sweep](sweep.png)", ""]

    path = out / "report.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
