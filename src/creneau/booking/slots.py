"""Slot generation from opening templates, minus public holidays and closures.

Wall-clock times are the prefecture's: a template "Monday 09:00" gives 09:00 local on every
Monday, before and after a daylight-saving change; slots are stored in UTC.
Idempotent: the (desk, start) uniqueness constraint makes a second run create nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from functools import lru_cache

import holidays
from django.db import transaction

from creneau.booking.models import Closure, OpeningTemplate, Prefecture, Slot


@lru_cache(maxsize=64)
def _calendar(code: str, year: int) -> frozenset[datetime.date]:
    subdiv = code.split("-", 1)[1] if "-" in code else None
    return frozenset(holidays.country_holidays("FR", subdiv=subdiv, years=year).keys())


def is_public_holiday(prefecture: Prefecture, day: datetime.date) -> bool:
    """Public holiday on the prefecture's calendar ("FR", "FR-6AE" Alsace, "FR-57" Moselle, "FR-974"…)."""
    return day in _calendar(prefecture.holidays_calendar, day.year)


def _times(template: OpeningTemplate, day: datetime.date, tz: datetime.tzinfo) -> Iterator[datetime.datetime]:
    step = datetime.timedelta(minutes=template.slot_minutes)
    start = datetime.datetime.combine(day, template.start_time)
    end = datetime.datetime.combine(day, template.end_time)
    break_start = datetime.datetime.combine(day, template.break_start) if template.break_start else None
    break_end = datetime.datetime.combine(day, template.break_end) if template.break_end else None
    t = start
    while t + step <= end:
        if break_start and break_end and t < break_end and t + step > break_start:
            t = max(t + step, break_end)
            continue
        yield t.replace(tzinfo=tz)
        t += step


def generate_slots(prefecture: Prefecture, start: datetime.date, days: int) -> int:
    """Create the slots of ``days`` local days from ``start``; returns how many were new."""
    tz = prefecture.tz
    templates = list(
        OpeningTemplate.objects.filter(
            desk__site__prefecture=prefecture, desk__is_active=True, desk__site__is_active=True
        )
        .select_related("desk__site")
        .prefetch_related("procedures")
    )
    end = start + datetime.timedelta(days=days - 1)
    closures = list(
        Closure.objects.filter(site__prefecture=prefecture, start_date__lte=end, end_date__gte=start)
    )
    existing = set(
        Slot.objects.filter(
            prefecture=prefecture,
            start__gte=datetime.datetime.combine(start, datetime.time(), tz) - datetime.timedelta(days=1),
            start__lte=datetime.datetime.combine(end, datetime.time(), tz) + datetime.timedelta(days=2),
        ).values_list("desk_id", "start")
    )
    new_slots: list[tuple[Slot, list[int]]] = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        if is_public_holiday(prefecture, day):
            continue
        for template in templates:
            if template.weekday != day.weekday():
                continue
            if (template.valid_from and day < template.valid_from) or (
                template.valid_until and day > template.valid_until
            ):
                continue
            desk = template.desk
            if any(
                c.site_id == desk.site_id
                and (c.desk_id is None or c.desk_id == desk.pk)
                and c.start_date <= day <= c.end_date
                for c in closures
            ):
                continue
            procedure_ids = [p.pk for p in template.procedures.all()]
            for local_start in _times(template, day, tz):
                utc_start = local_start.astimezone(datetime.UTC)
                if (desk.pk, utc_start) in existing:
                    continue
                existing.add((desk.pk, utc_start))
                slot = Slot(
                    prefecture=prefecture,
                    site=desk.site,
                    desk=desk,
                    template=template,
                    start=utc_start,
                    duration_minutes=template.slot_minutes,
                    step_free=desk.site.step_free,
                    interpreter_languages=list(template.interpreter_languages),
                )
                new_slots.append((slot, procedure_ids))
    with transaction.atomic():
        Slot.objects.bulk_create([slot for slot, _ in new_slots], batch_size=1000)
        through = Slot.procedures.through
        through.objects.bulk_create(
            [through(slot_id=slot.pk, procedure_id=pid) for slot, pids in new_slots for pid in pids],
            batch_size=2000,
        )
    return len(new_slots)
