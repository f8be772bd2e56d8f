"""Open data: daily figures per prefecture and procedure (CSV, JSON) and the audit log's daily heads.

The columns are documented in docs/statistics.md; change them only with that file.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from creneau.booking.models import Prefecture
from creneau.stats.aggregates import METRICS, aggregates_for
from creneau.stats.models import DailyHead
from creneau.stats.privacy import MIN_CELL

DAILY_HEADER = ["date", "prefecture", "procedure", "metric", "value", "suppressed"]
HEADS_HEADER = ["day", "chain", "seq", "head_hash"]


def daily_rows() -> Iterator[dict[str, Any]]:
    for prefecture in Prefecture.objects.order_by("code"):
        data = aggregates_for(prefecture)
        for (metric, kind, day), cell in sorted(
            data.days.items(), key=lambda i: (i[0][2], METRICS.index(i[0][0]), i[0][1] != "all", i[0][1])
        ):
            yield {
                "date": day.isoformat(),
                "prefecture": prefecture.code,
                "procedure": kind,
                "metric": metric,
                "value": int(cell.value) if cell.shown and cell.value is not None else None,
                "suppressed": cell.suppressed,
            }


def heads_rows() -> Iterator[dict[str, Any]]:
    for head in DailyHead.objects.order_by("chain", "day"):
        yield {"day": head.day.isoformat(), "chain": head.chain, "seq": head.seq, "head_hash": head.head_hash}


def to_csv(header: list[str], rows: Iterator[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: ("" if v is None else ("1" if v is True else "0" if v is False else v))
                for k, v in row.items()
            }
        )
    return out.getvalue()


def daily_json() -> dict[str, Any]:
    return {
        "generated_at": timezone.now().astimezone(datetime.UTC).isoformat(),
        "min_cell": MIN_CELL,
        "columns": DAILY_HEADER,
        "rows": list(daily_rows()),
        "audit_daily_heads": list(heads_rows()),
    }
