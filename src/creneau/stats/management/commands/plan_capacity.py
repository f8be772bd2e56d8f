"""``manage.py plan_capacity CODE``: ``creneau plan`` on a prefecture's own data (see docs/simulation.md)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from creneau.booking.models import Prefecture, Procedure
from creneau.simulation.capacity import DAYS_PER_WEEK, project, required_capacity
from creneau.simulation.cli import _projection_table  # the same table as ``creneau plan``
from creneau.stats.planning_data import ALL, MAX_RATE, planning_input

MAX_WEEKS = 104


class Command(BaseCommand):
    help = (
        "Project a prefecture's backlog and median wait from its own data (requests filed, open slots, "
        "offer outcomes, pending requests); optionally the weekly slots needed to reach a target."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="prefecture code, e.g. 93")
        parser.add_argument("--procedure", help="procedure kind (default: all procedures, then each one)")
        parser.add_argument(
            "--weeks", type=int, default=26, help=f"weeks to project (1–{MAX_WEEKS}, default 26)"
        )
        parser.add_argument(
            "--slots", type=int, help="weekly slots to simulate (default: the current average)"
        )
        parser.add_argument("--target-days", type=float, help="median wait to reach, in days")
        parser.add_argument(
            "--by", type=datetime.date.fromisoformat, help="date by which to reach it (YYYY-MM-DD)"
        )
        parser.add_argument("--no-show-rate", type=float, help="replace the measured no-show rate (0–0.95)")
        parser.add_argument("--lapse-rate", type=float, help="replace the measured lapse rate (0–0.95)")

    def handle(self, *args: Any, **options: Any) -> None:
        prefecture = Prefecture.objects.filter(code=options["code"]).first()
        if prefecture is None:
            raise CommandError(f"no prefecture with code {options['code']!r}")
        kinds = list(
            Procedure.objects.filter(prefecture=prefecture).order_by("kind").values_list("kind", flat=True)
        )
        kind = options["procedure"]
        if kind is not None and kind != ALL and kind not in kinds:
            raise CommandError(
                f"--procedure: {kind!r} is not a procedure of {prefecture.code} ({', '.join(kinds)})"
            )
        weeks = options["weeks"]
        if not 1 <= weeks <= MAX_WEEKS:
            raise CommandError(f"--weeks: must be between 1 and {MAX_WEEKS}")
        if options["slots"] is not None and not 0 <= options["slots"] <= 100_000:
            raise CommandError("--slots: must be between 0 and 100000")
        target, by = options["target_days"], options["by"]
        if (target is None) != (by is None):
            raise CommandError("--target-days and --by go together")
        if target is not None and not 0 <= target <= 3650:
            raise CommandError("--target-days: must be between 0 and 3650")
        for name in ("no_show_rate", "lapse_rate"):
            rate = options[name]
            if rate is not None and not 0 <= rate <= MAX_RATE:
                raise CommandError(f"--{name.replace('_', '-')}: must be between 0 and {MAX_RATE}")

        selected = [kind] if kind is not None else [ALL, *kinds]
        for each in selected:
            data = planning_input(
                prefecture, each, no_show_rate=options["no_show_rate"], lapse_rate=options["lapse_rate"]
            )
            forecast = data.forecast
            if by is not None and by < forecast.start:
                raise CommandError(
                    f"--by {by}: must be on or after {forecast.start}, when the projection starts"
                )
            if by is not None and (by - forecast.start).days // DAYS_PER_WEEK >= MAX_WEEKS:
                raise CommandError(f"--by {by}: at most {MAX_WEEKS} weeks ahead")
            self.stdout.write(
                f"\n{prefecture.code} {data.procedure}: from {forecast.start}, measured over "
                f"{data.history_start}–{data.history_end}: {forecast.arrivals(0):.1f} requests/week, "
                f"{forecast.slots_per_week} slots/week ({data.slots_source}), {data.pending} pending, "
                f"no-show rate {forecast.no_show_rate:.0%} "
                f"({data.no_show.source}, {data.no_show.cases} cases), "
                f"lapse rate {forecast.lapse_rate:.0%} ({data.lapse.source}, {data.lapse.cases} cases)"
            )
            slots = options["slots"]
            if slots is not None:
                self.stdout.write(f"simulated: {slots} slots/week")
            self.stdout.write(_projection_table(project(forecast, weeks, slots)))
            if target is None:
                continue
            answer = required_capacity(forecast, target, by)
            if answer.slots_per_week is None:
                self.stdout.write(f"\nno capacity brings the median wait under {target:g} days by {by}")
                continue
            self.stdout.write(
                f"\n{answer.slots_per_week} slots/week (now {forecast.slots_per_week}, "
                f"{answer.slots_per_week - forecast.slots_per_week:+d}) bring the median wait under "
                f"{target:g} days by the week of {by}"
            )
