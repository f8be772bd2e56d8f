"""The head of each audit chain at the end of each UTC day, recorded once the day is over."""

from __future__ import annotations

import datetime

from django.db.models import Min
from django.utils import timezone

from creneau.audit.models import GENESIS_HASH, AuditEvent, ChainHead
from creneau.stats.models import DailyHead

# One call records at most this many days per chain (the periodic job catches up over a few runs).
MAX_DAYS_PER_CALL = 370


def day_end(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=datetime.UTC)


def head_at_end_of(chain: str, day: datetime.date) -> tuple[int, str]:
    """(seq, hash) of the chain's last event recorded before the end of ``day`` (UTC)."""
    last = (
        AuditEvent.objects.filter(chain=chain, at__lt=day_end(day))
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)


def record_daily_heads(now: datetime.datetime | None = None) -> int:
    """Record the head of every chain for each finished UTC day not recorded yet. Idempotent."""
    now = now or timezone.now()
    yesterday = now.astimezone(datetime.UTC).date() - datetime.timedelta(days=1)
    chains = set(ChainHead.objects.values_list("chain", flat=True))
    count = 0
    for chain in sorted(chains):
        last = DailyHead.objects.filter(chain=chain).order_by("-day").values_list("day", flat=True).first()
        if last is None:
            first_at = AuditEvent.objects.filter(chain=chain).aggregate(first=Min("at"))["first"]
            if first_at is None:
                continue
            day = first_at.astimezone(datetime.UTC).date()
        else:
            day = last + datetime.timedelta(days=1)
        rows: list[DailyHead] = []
        while day <= yesterday and len(rows) < MAX_DAYS_PER_CALL:
            seq, head_hash = head_at_end_of(chain, day)
            rows.append(DailyHead(chain=chain, day=day, seq=seq, head_hash=head_hash, recorded_at=now))
            day += datetime.timedelta(days=1)
        # Several workers may record the same day at once: the unique constraint keeps one row.
        DailyHead.objects.bulk_create(rows, ignore_conflicts=True)
        count += len(rows)
    return count


def check_published_heads(chain: str = "main") -> list[str]:
    """Problems found comparing the recorded daily heads with the chain as it is now (empty: none)."""
    problems = []
    for head in DailyHead.objects.filter(chain=chain).order_by("day"):
        if head.seq == 0:
            continue
        event_hash = (
            AuditEvent.objects.filter(chain=chain, seq=head.seq).values_list("hash", flat=True).first()
        )
        if event_hash != head.head_hash:
            problems.append(
                f"published head of {head.day.isoformat()} (event {head.seq}) no longer matches the chain"
            )
    return problems
