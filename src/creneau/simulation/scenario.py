"""Scenario: everything a prefecture states about its own case, read from a TOML file.

The format is documented in ``docs/simulation.md``; every key has a default except the
procedures. Validation names the offending key (``scalpers.price_eur: must be > 0``) so that a
prefecture editing its file by hand knows what to fix.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ScenarioError(ValueError):
    """A scenario file or table is invalid; the message names the key."""


@dataclass(frozen=True)
class Procedure:
    name: str
    arrivals_per_week: float
    slots_per_week: int
    site: str = "main"
    no_show_rate: float = 0.08
    cancel_rate: float = 0.05
    """Share of real bookings cancelled by the applicant before the appointment."""


@dataclass(frozen=True)
class Group:
    """Applicants by how often they can check the booking site."""

    name: str
    share: float
    check_interval_minutes: float


DEFAULT_GROUPS = (
    Group("connected", 0.25, 5.0),
    Group("daily", 0.5, 24 * 60.0),
    Group("rare", 0.25, 4 * 24 * 60.0),
)


@dataclass(frozen=True)
class Publication:
    mode: str = "daily"
    """"daily": a day's slots all published at ``publish_time``; "continuous": spread over the day."""
    publish_time: time = time(9, 0)
    lead_days: int = 21
    """Slots are published this many days before the appointment."""
    open_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    first_appointment: time = time(9, 0)
    last_appointment: time = time(16, 0)
    booking_cutoff_hours: float = 24.0
    """First-come-first-served: a slot can be booked until this long before it starts."""


@dataclass(frozen=True)
class Applicants:
    wtp_median_eur: float = 60.0
    """Median of what an applicant would pay a reseller (log-normal)."""
    wtp_sigma: float = 1.0
    patience_days_mean: float = 10.0
    """Mean days of failed search before an applicant turns to resellers (exponential)."""
    helper_share: float = 0.1
    """Share of applicants who use a paid helper (a cybercafé, a "facilitator")."""
    helper_fee_eur: float = 30.0
    helper_check_interval_minutes: float = 15.0


@dataclass(frozen=True)
class Scalpers:
    count: int = 3
    check_interval_seconds: float = 5.0
    name_change_seconds: float = 2.0
    """How long a slot is back online between cancelling and rebooking it under the buyer's name."""
    cost_per_booking_eur: float = 3.0
    """Fake identity, captcha solving, proxies: per booking (FCFS) or per request (batch)."""
    cost_per_name_change_eur: float = 5.0
    fixed_cost_per_week_eur: float = 50.0
    initial_inventory: int = 10
    """Fake bookings held at once (FCFS) or fake requests filed per week (batch) on entering."""
    max_inventory: int = 400
    growth: float = 1.5
    price_eur: float = 60.0
    min_price_eur: float = 15.0
    max_price_eur: float = 400.0
    sell_lead_days: float = 4.0
    """Bots only book slots at least this far ahead (time to find a buyer)."""
    release_hours: float = 72.0
    """Unsold fake bookings are cancelled this long before the appointment."""
    reentry_weeks: int = 8
    """A scalper who quit tries again with ``initial_inventory`` after this many weeks."""


@dataclass(frozen=True)
class Batch:
    run_time: time = time(0, 0)
    """Daily allocation run (batch cutoff)."""
    min_notice_hours: float = 48.0
    offer_deadline_hours: float = 48.0
    lapse_rate: float = 0.05
    """Share of real applicants who do not confirm an offer in time."""
    helper_fee_eur: float = 0.0
    """Accredited helpers file for free and give no priority."""


@dataclass(frozen=True)
class Sweep:
    demand_ratios: tuple[float, ...] = (0.5, 0.8, 1.0, 1.2, 1.5, 2.0)


@dataclass(frozen=True)
class Scenario:
    name: str
    procedures: tuple[Procedure, ...]
    groups: tuple[Group, ...] = DEFAULT_GROUPS
    weeks: int = 26
    seed: int = 1
    timezone: str = "Europe/Paris"
    start: date = date(2027, 1, 4)
    publication: Publication = field(default_factory=Publication)
    applicants: Applicants = field(default_factory=Applicants)
    scalpers: Scalpers = field(default_factory=Scalpers)
    batch: Batch = field(default_factory=Batch)
    sweep: Sweep = field(default_factory=Sweep)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def slots_per_week(self) -> int:
        return sum(p.slots_per_week for p in self.procedures)

    @property
    def arrivals_per_week(self) -> float:
        return sum(p.arrivals_per_week for p in self.procedures)

    def with_demand_ratio(self, ratio: float) -> Scenario:
        """The same scenario with each procedure's arrivals = ``ratio`` × its slots."""
        procedures = tuple(replace(p, arrivals_per_week=ratio * p.slots_per_week) for p in self.procedures)
        return replace(self, procedures=procedures)


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    try:
        return scenario_from_dict(data, default_name=path.stem)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def scenario_from_dict(data: dict[str, Any], default_name: str = "scenario") -> Scenario:
    known = {"scenario", "procedures", "groups", "publication", "applicants", "scalpers", "batch", "sweep"}
    _no_unknown(data, known, "")
    head = _table(data, "scenario")
    _no_unknown(head, {"name", "weeks", "seed", "timezone", "start"}, "scenario.")
    name = _str(head, "name", "scenario.", default_name)
    weeks = _int(head, "weeks", "scenario.", 26, low=2)
    seed = _int(head, "seed", "scenario.", 1, low=0)
    timezone = _str(head, "timezone", "scenario.", "Europe/Paris")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScenarioError(f"scenario.timezone: unknown time zone {timezone!r}") from None
    start = head.get("start", date(2027, 1, 4))
    if not isinstance(start, date) or hasattr(start, "hour"):
        raise ScenarioError("scenario.start: must be a date such as 2027-01-04")
    if start.weekday() != 0:
        raise ScenarioError(f"scenario.start: must be a Monday, {start} is not")

    procedures = _procedures(data.get("procedures"))
    groups = _groups(data.get("groups"))
    publication = _section(data, "publication", Publication)
    if publication.mode not in ("daily", "continuous"):
        raise ScenarioError(f"publication.mode: must be 'daily' or 'continuous', got {publication.mode!r}")
    if not publication.open_weekdays or any(not 0 <= d <= 6 for d in publication.open_weekdays):
        raise ScenarioError("publication.open_weekdays: must list weekdays 0 (Monday) to 6 (Sunday)")
    if publication.first_appointment > publication.last_appointment:
        raise ScenarioError("publication.first_appointment: must not be after last_appointment")
    if publication.lead_days < 3:
        raise ScenarioError("publication.lead_days: must be >= 3")
    if publication.lead_days >= weeks * 7 // 2:
        raise ScenarioError("publication.lead_days: must be less than half the simulated period")
    scalpers = _section(data, "scalpers", Scalpers)
    if scalpers.min_price_eur > scalpers.max_price_eur:
        raise ScenarioError("scalpers.min_price_eur: must not exceed max_price_eur")
    if scalpers.sell_lead_days * 24 <= scalpers.release_hours:
        raise ScenarioError("scalpers.sell_lead_days: must be longer than release_hours")
    sweep = _section(data, "sweep", Sweep)
    if not sweep.demand_ratios:
        raise ScenarioError("sweep.demand_ratios: must not be empty")
    return Scenario(
        name=name,
        procedures=procedures,
        groups=groups,
        weeks=weeks,
        seed=seed,
        timezone=timezone,
        start=start,
        publication=publication,
        applicants=_section(data, "applicants", Applicants),
        scalpers=scalpers,
        batch=_section(data, "batch", Batch),
        sweep=sweep,
    )


# Bounds per key: (low, high, low is exclusive). Keys not listed only need the right type.
_BOUNDS: dict[str, tuple[float, float, bool]] = {
    "no_show_rate": (0, 0.9, False),
    "cancel_rate": (0, 0.9, False),
    "lapse_rate": (0, 0.9, False),
    "share": (0, 1, True),
    "helper_share": (0, 1, False),
    "check_interval_minutes": (0, 1e6, True),
    "helper_check_interval_minutes": (0, 1e6, True),
    "check_interval_seconds": (0, 1e6, True),
    "arrivals_per_week": (0, 1e7, False),
    "slots_per_week": (1, 1e7, False),
    "wtp_median_eur": (0, 1e5, True),
    "price_eur": (0, 1e5, True),
    "min_price_eur": (0, 1e5, True),
    "max_price_eur": (0, 1e5, True),
    "growth": (1, 100, False),
    "lead_days": (0, 365, False),
    "count": (0, 1000, False),
    "max_inventory": (1, 1e7, False),
    "reentry_weeks": (1, 1000, False),
    "demand_ratios": (0, 100, True),
}


def _section(data: dict[str, Any], key: str, cls: type[Any]) -> Any:
    table = _table(data, key)
    defaults = cls()
    _no_unknown(table, {f.name for f in fields(cls)}, f"{key}.")
    values = {}
    for name, raw in table.items():
        values[name] = _coerce(raw, getattr(defaults, name), f"{key}.{name}")
    return replace(defaults, **values)


def _coerce(raw: Any, default: Any, where: str) -> Any:
    name = where.rsplit(".", 1)[-1]
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise ScenarioError(f"{where}: must be true or false")
        return raw
    if isinstance(default, tuple):
        if not isinstance(raw, list):
            raise ScenarioError(f"{where}: must be a list")
        return tuple(_coerce(item, default[0] if default else 0.0, where) for item in raw)
    if isinstance(default, time):
        if isinstance(raw, str):
            try:
                return time.fromisoformat(raw)
            except ValueError:
                raise ScenarioError(f'{where}: must be a time such as "09:00"') from None
        if isinstance(raw, time):
            return raw
        raise ScenarioError(f'{where}: must be a time such as "09:00"')
    if isinstance(default, str):
        if not isinstance(raw, str) or not raw:
            raise ScenarioError(f"{where}: must be a non-empty string")
        return raw
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ScenarioError(f"{where}: must be an integer")
        _check_bounds(raw, name, where)
        return raw
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ScenarioError(f"{where}: must be a number")
        _check_bounds(float(raw), name, where)
        return float(raw)
    raise AssertionError(f"no coercion for {where}")  # pragma: no cover


def _check_bounds(value: float, name: str, where: str) -> None:
    low, high, exclusive = _BOUNDS.get(name, (0, float("inf"), False))
    if (value <= low if exclusive else value < low) or value > high:
        interval = f"{'(' if exclusive else '['}{low:g}, {high:g}]"
        raise ScenarioError(f"{where}: must be in {interval}, got {value:g}")


def _procedures(raw: Any) -> tuple[Procedure, ...]:
    if raw is None:
        raise ScenarioError("procedures: at least one [[procedures]] table is required")
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) for item in raw):
        raise ScenarioError("procedures: must be a list of [[procedures]] tables")
    result = []
    for i, item in enumerate(raw):
        where = f"procedures[{i}]."
        allowed = {f.name for f in fields(Procedure)}
        _no_unknown(item, allowed, where)
        for required in ("name", "arrivals_per_week", "slots_per_week"):
            if required not in item:
                raise ScenarioError(f"{where}{required}: is required")
        proto = Procedure("x", 0.0, 1)
        values = {k: _coerce(v, getattr(proto, k), where + k) for k, v in item.items()}
        result.append(Procedure(**values))
    names = [p.name for p in result]
    if len(set(names)) != len(names):
        raise ScenarioError("procedures: names must be unique")
    return tuple(result)


def _groups(raw: Any) -> tuple[Group, ...]:
    if raw is None:
        return DEFAULT_GROUPS
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) for item in raw):
        raise ScenarioError("groups: must be a list of [[groups]] tables")
    result = []
    for i, item in enumerate(raw):
        where = f"groups[{i}]."
        _no_unknown(item, {"name", "share", "check_interval_minutes"}, where)
        for required in ("name", "share", "check_interval_minutes"):
            if required not in item:
                raise ScenarioError(f"{where}{required}: is required")
        proto = Group("x", 0.5, 1.0)
        values = {k: _coerce(v, getattr(proto, k), where + k) for k, v in item.items()}
        result.append(Group(**values))
    total = sum(g.share for g in result)
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError(f"groups: shares must add up to 1, they add up to {total:g}")
    if len({g.name for g in result}) != len(result):
        raise ScenarioError("groups: names must be unique")
    return tuple(result)


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"{key}: must be a table [{key}]")
    return value


def _no_unknown(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(f"{where}{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _str(table: dict[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{where}{key}: must be a non-empty string")
    return value


def _int(table: dict[str, Any], key: str, where: str, default: int, low: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ScenarioError(f"{where}{key}: must be an integer >= {low}")
    return value
