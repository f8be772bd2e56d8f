"""Reading a prefecture's planning data (TOML forecast or CSV weekly history) into forecasts.

TOML states the forecast directly::

    start = 2027-01-04            # Monday of the first projected week
    [[procedures]]
    name = "premiere-demande"
    arrivals_per_week = 120       # or a list, one value per week (the last one repeats)
    slots_per_week = 100
    no_show_rate = 0.08
    lapse_rate = 0.05
    backlog = 900                 # or a list: backlog[a] filed a + 1 weeks ago

CSV is the weekly history a back office exports, one row per week and procedure::

    week_start,procedure,arrivals,slots_published,no_shows,lapses,backlog

and the forecast is the mean of the last ``HISTORY_WEEKS`` weeks' arrivals and slots, rates
over the same weeks, the last week's backlog, starting the week after the last one.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from creneau.simulation.capacity import Forecast
from creneau.simulation.scenario import ScenarioError

HISTORY_WEEKS = 8
CSV_COLUMNS = ("week_start", "procedure", "arrivals", "slots_published", "no_shows", "lapses", "backlog")


class PlanningDataError(ScenarioError):
    """Planning data is invalid; the message names the place."""


def load_forecasts(path: str | Path) -> tuple[Forecast, ...]:
    path = Path(path)
    if not path.exists():
        raise PlanningDataError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        return forecasts_from_csv(path.read_text(encoding="utf-8"), str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanningDataError(f"{path}: not valid TOML: {exc}") from None
    return forecasts_from_dict(data, str(path))


def forecasts_from_dict(data: dict[str, Any], where: str = "data") -> tuple[Forecast, ...]:
    start = data.get("start")
    if not isinstance(start, date) or hasattr(start, "hour"):
        raise PlanningDataError(f"{where}: start: must be a date such as 2027-01-04")
    procedures = data.get("procedures")
    if not isinstance(procedures, list) or not procedures:
        raise PlanningDataError(f"{where}: procedures: at least one [[procedures]] table is required")
    result = []
    for i, item in enumerate(procedures):
        at = f"{where}: procedures[{i}]"
        if not isinstance(item, dict):
            raise PlanningDataError(f"{at}: must be a table")
        unknown = set(item) - {
            "name",
            "arrivals_per_week",
            "slots_per_week",
            "no_show_rate",
            "lapse_rate",
            "backlog",
        }
        if unknown:
            raise PlanningDataError(f"{at}.{sorted(unknown)[0]}: unknown key")
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise PlanningDataError(f"{at}.name: is required")
        slots = item.get("slots_per_week")
        if isinstance(slots, bool) or not isinstance(slots, int):
            raise PlanningDataError(f"{at}.slots_per_week: must be an integer")
        try:
            result.append(
                Forecast(
                    procedure=name,
                    start=start,
                    arrivals_per_week=_numbers(item.get("arrivals_per_week"), f"{at}.arrivals_per_week"),
                    slots_per_week=slots,
                    no_show_rate=_number(item.get("no_show_rate", 0.0), f"{at}.no_show_rate"),
                    lapse_rate=_number(item.get("lapse_rate", 0.0), f"{at}.lapse_rate"),
                    backlog=_numbers(item.get("backlog", 0), f"{at}.backlog"),
                )
            )
        except ValueError as exc:
            if isinstance(exc, PlanningDataError):
                raise
            raise PlanningDataError(f"{at}: {exc}") from None
    return tuple(result)


def forecasts_from_csv(text: str, where: str = "data.csv") -> tuple[Forecast, ...]:
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise PlanningDataError(
            f"{where}: missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}"
        )
    history: dict[str, list[tuple[date, float, float, float, float, float]]] = defaultdict(list)
    for line, row in enumerate(reader, start=2):
        try:
            week = date.fromisoformat(row["week_start"])
            values = [float(row[c]) for c in CSV_COLUMNS[2:]]
        except ValueError as exc:
            raise PlanningDataError(f"{where}, line {line}: {exc}") from None
        if any(v < 0 or not math.isfinite(v) for v in values):
            raise PlanningDataError(f"{where}, line {line}: values must be finite and >= 0")
        arrivals, slots, no_shows, lapses, backlog = values
        history[row["procedure"]].append((week, arrivals, slots, no_shows, lapses, backlog))
    if not history:
        raise PlanningDataError(f"{where}: no data rows")
    result = []
    for procedure, rows in history.items():
        rows.sort()
        recent = rows[-HISTORY_WEEKS:]
        slots = sum(r[2] for r in recent)
        result.append(
            Forecast(
                procedure=procedure,
                start=rows[-1][0] + timedelta(weeks=1),
                arrivals_per_week=(sum(r[1] for r in recent) / len(recent),),
                slots_per_week=round(slots / len(recent)),
                no_show_rate=min(0.99, sum(r[3] for r in recent) / slots) if slots else 0.0,
                lapse_rate=min(0.99, sum(r[4] for r in recent) / slots) if slots else 0.0,
                backlog=(rows[-1][5],),
            )
        )
    return tuple(result)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlanningDataError(f"{where}: must be a number")
    return float(value)


def _numbers(value: Any, where: str) -> tuple[float, ...]:
    if value is None:
        raise PlanningDataError(f"{where}: is required")
    if isinstance(value, list):
        if not value:
            raise PlanningDataError(f"{where}: must not be empty")
        return tuple(_number(v, where) for v in value)
    return (_number(value, where),)
