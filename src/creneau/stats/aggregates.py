"""Per prefecture and procedure: daily counts (open data), weekly series (pages), current figures.

Days and weeks are the prefecture's local ones. Every count of people goes through
``creneau.stats.privacy``; weeks are checked against the published days so that a week minus its
published days never reveals a small number either.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from creneau.booking.models import Offer, Prefecture, Procedure, Request, Slot
from creneau.booking.workflow import Status
from creneau.stats import privacy
from creneau.stats.privacy import Cell

ALL = "all"
# Metrics counting people (protected), then slots (published as they are).
PEOPLE_METRICS = (
    "filed",
    "filed_counter",
    "filed_helper",
    "allocated",
    "confirmed",
    "declined",
    "lapsed",
    "attended",
    "no_show",
)
SLOT_METRICS = ("slots_published",)
METRICS = SLOT_METRICS + PEOPLE_METRICS
CONFIRMED = (Offer.Status.CONFIRMED, Offer.Status.ATTENDED, Offer.Status.NO_SHOW, Offer.Status.CANCELLED)
APPOINTMENTS = (Offer.Status.CONFIRMED, Offer.Status.ATTENDED, Offer.Status.NO_SHOW)

Raw = dict[tuple[str, str, datetime.date], int]  # (metric, procedure kind or ALL, local date) -> count


def _local(moment: datetime.datetime | None, prefecture: Prefecture) -> datetime.date | None:
    return moment.astimezone(prefecture.tz).date() if moment is not None else None


def raw_daily(prefecture: Prefecture, until: datetime.date | None = None) -> Raw:
    """Unprotected daily counts: never published as they are."""
    raw: Raw = defaultdict(int)

    def add(metric: str, kind: str, day: datetime.date | None) -> None:
        if day is not None and (until is None or day <= until):
            raw[(metric, kind, day)] += 1
            raw[(metric, ALL, day)] += 1

    for kind, filed_at, channel in Request.objects.filter(
        prefecture=prefecture, filed_at__isnull=False
    ).values_list("procedure__kind", "filed_at", "channel"):
        day = _local(filed_at, prefecture)
        add("filed", kind, day)
        if channel in (Request.Channel.COUNTER, Request.Channel.HELPER):
            add(f"filed_{channel}", kind, day)
    slot_days: dict[int, datetime.date | None] = {}
    for pk, kind, created_at in Slot.objects.filter(prefecture=prefecture).values_list(
        "pk", "procedures__kind", "created_at"
    ):
        day = _local(created_at, prefecture)
        if kind is not None and day is not None and (until is None or day <= until):
            raw[("slots_published", kind, day)] += 1
        slot_days[pk] = day
    for day in slot_days.values():  # a slot serving several procedures counts once in ALL
        if day is not None and (until is None or day <= until):
            raw[("slots_published", ALL, day)] += 1
    for kind, created, responded, status, start in Offer.objects.filter(
        request__prefecture=prefecture
    ).values_list("request__procedure__kind", "created_at", "responded_at", "status", "slot__start"):
        add("allocated", kind, _local(created, prefecture))
        if status in CONFIRMED:
            add("confirmed", kind, _local(responded, prefecture))
        elif status in (Offer.Status.DECLINED, Offer.Status.LAPSED):
            add(status, kind, _local(responded, prefecture))
        if status in (Offer.Status.ATTENDED, Offer.Status.NO_SHOW):
            add(status, kind, _local(start, prefecture))
    return dict(raw)


def kinds_of(prefecture: Prefecture) -> list[str]:
    return list(
        Procedure.objects.filter(prefecture=prefecture).order_by("kind").values_list("kind", flat=True)
    )


def protect_days(raw: Raw, kinds: list[str]) -> dict[tuple[str, str, datetime.date], Cell]:
    """Every (metric, procedure or ALL, day) with activity, protected."""
    days = sorted({d for (_, _, d) in raw})
    out: dict[tuple[str, str, datetime.date], Cell] = {}
    for day in days:
        for metric in METRICS:
            total = raw.get((metric, ALL, day), 0)
            parts = {k: raw.get((metric, k, day), 0) for k in kinds}
            if metric in SLOT_METRICS:
                out[(metric, ALL, day)] = Cell(total)
                out.update({(metric, k, day): Cell(v) for k, v in parts.items()})
                continue
            total_cell, cells = privacy.group(total, parts)
            out[(metric, ALL, day)] = total_cell
            out.update({(metric, k, day): c for k, c in cells.items()})
    return out


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def protect_weeks(
    raw: Raw, kinds: list[str], days: dict[tuple[str, str, datetime.date], Cell], weeks: list[datetime.date]
) -> dict[tuple[str, str, datetime.date], Cell]:
    """Weekly totals, protected as a group and against the published days of the same week."""
    week_raw: dict[tuple[str, str, datetime.date], int] = defaultdict(int)
    published_days: dict[tuple[str, str, datetime.date], list[int]] = defaultdict(list)
    for (metric, kind, day), count in raw.items():
        week_raw[(metric, kind, week_start(day))] += count
    for (metric, kind, day), cell in days.items():
        if cell.shown:
            published_days[(metric, kind, week_start(day))].append(int(cell.value or 0))
    out: dict[tuple[str, str, datetime.date], Cell] = {}
    for week in weeks:
        for metric in METRICS:
            total = week_raw.get((metric, ALL, week), 0)
            parts = {k: week_raw.get((metric, k, week), 0) for k in kinds}
            if metric in SLOT_METRICS:
                out[(metric, ALL, week)] = Cell(total)
                out.update({(metric, k, week): Cell(v) for k, v in parts.items()})
                continue
            hidden: set[str] = set()
            while True:
                total_cell, cells = privacy.group(total, parts, hidden)
                if total_cell.shown and not privacy.remainder_ok(total, published_days[(metric, ALL, week)]):
                    total_cell, cells = privacy.SUPPRESSED, dict.fromkeys(parts, privacy.SUPPRESSED)
                bad = {
                    k
                    for k, c in cells.items()
                    if c.shown and not privacy.remainder_ok(parts[k], published_days[(metric, k, week)])
                }
                if not bad:
                    break
                hidden |= bad
            out[(metric, ALL, week)] = total_cell
            out.update({(metric, k, week): c for k, c in cells.items()})
    return out


@dataclass
class Current:
    """Figures of the moment for one procedure (or ALL) of a prefecture."""

    procedure: str
    pending: Cell
    wait_median_days: Cell
    wait_p90_days: Cell
    appointments: Cell
    no_show_rate: Cell
    extra: dict[str, Any] = field(default_factory=dict)


def current(prefecture: Prefecture, kinds: list[str]) -> list[Current]:
    """Pending now; waits from filing to appointment and no-show rate over every appointment so far."""
    pending_rows = Request.objects.filter(prefecture=prefecture, status=Status.PENDING).values_list(
        "procedure__kind", flat=True
    )
    pending: dict[str, int] = defaultdict(int)
    for kind in pending_rows:
        pending[kind] += 1
    pending_total, pending_cells = privacy.group(sum(pending.values()), {k: pending[k] for k in kinds})
    waits: dict[str, list[float]] = defaultdict(list)
    outcome: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, filed_at, start, status in Offer.objects.filter(
        request__prefecture=prefecture, status__in=list(APPOINTMENTS)
    ).values_list("request__procedure__kind", "request__filed_at", "slot__start", "status"):
        for key in (kind, ALL):
            if filed_at is not None:
                waits[key].append(round((start - filed_at).total_seconds() / 86400, 1))
            outcome[key][status] += 1
    out = []
    for key in [ALL, *kinds]:
        seen = outcome[key][Offer.Status.ATTENDED] + outcome[key][Offer.Status.NO_SHOW]
        out.append(
            Current(
                procedure=key,
                pending=pending_total if key == ALL else pending_cells[key],
                wait_median_days=privacy.median(waits[key]),
                wait_p90_days=privacy.percentile(waits[key], 90),
                appointments=privacy.people(len(waits[key])),
                no_show_rate=privacy.rate(outcome[key][Offer.Status.NO_SHOW], seen),
            )
        )
    return out


def recent_weeks(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    today = today or timezone.localdate()
    last = week_start(today)
    return [last - datetime.timedelta(weeks=i) for i in range(count - 1, -1, -1)]


@dataclass
class Aggregates:
    kinds: list[str]
    days: dict[tuple[str, str, datetime.date], Cell]
    weeks: dict[tuple[str, str, datetime.date], Cell]
    week_list: list[datetime.date]
    current: list[Current]


def aggregates_for(
    prefecture: Prefecture, weeks: int = 12, now: datetime.datetime | None = None
) -> Aggregates:
    """Everything published for a prefecture: finished days only (up to yesterday, local time)."""
    now = now or timezone.now()
    yesterday = now.astimezone(prefecture.tz).date() - datetime.timedelta(days=1)
    kinds = kinds_of(prefecture)
    raw = raw_daily(prefecture, until=yesterday)
    days = protect_days(raw, kinds)
    week_list = recent_weeks(weeks, yesterday)
    return Aggregates(
        kinds, days, protect_weeks(raw, kinds, days, week_list), week_list, current(prefecture, kinds)
    )
