"""The queue over time: how many requests were pending at the end of each week.

A stock, not a flow, so it is not built from the daily counts: it is replayed from the audit
log, whose every request event records its status change (``from``/``to``), in order. Each point
goes through the small-cell rule with its procedures (``privacy.group``), so that the total minus
the published procedures never reveals fewer than 10 people.
"""

from __future__ import annotations

import datetime
from collections import Counter

from creneau.audit.models import AuditEvent
from creneau.booking.models import Prefecture, Request
from creneau.booking.workflow import Status
from creneau.stats import privacy
from creneau.stats.privacy import Cell

ALL = "all"


def pending_at_week_ends(
    prefecture: Prefecture, weeks: list[datetime.date], kinds: list[str]
) -> dict[tuple[str, datetime.date], Cell]:
    """(procedure kind or ALL, week start) → requests pending at the end of that local week."""
    tz = prefecture.tz
    ends = [
        (week, datetime.datetime.combine(week + datetime.timedelta(days=7), datetime.time(), tzinfo=tz))
        for week in sorted(weeks)
    ]
    kind_of = dict(Request.objects.filter(prefecture=prefecture).values_list("reference", "procedure__kind"))
    status: dict[str, str] = {}
    pending: Counter[str] = Counter()
    out: dict[tuple[str, datetime.date], Cell] = {}
    events = (
        AuditEvent.objects.filter(prefecture_code=prefecture.code, object_type="request")
        .order_by("chain", "seq")
        .values_list("at", "object_id", "data")
        .iterator(chunk_size=5000)
    )

    def snapshot(week: datetime.date) -> None:
        total, parts = privacy.group(sum(pending.values()), {k: pending.get(k, 0) for k in kinds})
        out[(ALL, week)] = total
        for k, cell in parts.items():
            out[(k, week)] = cell

    i = 0
    for at, reference, data in events:
        while i < len(ends) and at >= ends[i][1]:
            snapshot(ends[i][0])
            i += 1
        new = data.get("to") if isinstance(data, dict) else None
        kind = kind_of.get(reference)
        if not new or kind is None:
            continue
        if status.get(reference) == Status.PENDING:
            pending[kind] -= 1
        if new == Status.PENDING:
            pending[kind] += 1
        status[reference] = new
    while i < len(ends):
        snapshot(ends[i][0])
        i += 1
    return out
