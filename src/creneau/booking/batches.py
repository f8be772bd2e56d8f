"""Which batch a request joins: the one open now, created (with its commitment) on first need."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from creneau.allocation import new_secret, seed_commitment
from creneau.booking.models import Batch, Prefecture

# Cutoffs of prefectures whose batches last several days are aligned on this Monday.
CUTOFF_EPOCH = datetime.date(2024, 1, 1)


def next_cutoff(prefecture: Prefecture, after: datetime.datetime) -> datetime.datetime:
    """The first cutoff strictly after ``after``: ``batch_close_time`` local, every ``batch_days`` days.

    Computed on local dates, so daylight-saving changes keep the cutoff at the same wall-clock time.
    """
    tz = prefecture.tz
    local_day = after.astimezone(tz).date()
    for offset in range(0, 2 * prefecture.batch_days + 2):
        day = local_day + datetime.timedelta(days=offset)
        if (day - CUTOFF_EPOCH).days % prefecture.batch_days:
            continue
        cutoff = datetime.datetime.combine(day, prefecture.batch_close_time, tzinfo=tz)
        if cutoff > after:
            return cutoff.astimezone(datetime.UTC)
    raise AssertionError("unreachable: a cutoff exists within batch_days + 1 days")


def current_batch(prefecture: Prefecture, now: datetime.datetime) -> Batch:
    """The batch that a request filed at ``now`` joins (created if needed, race-safe)."""
    batch = Batch.objects.filter(prefecture=prefecture, opens_at__lte=now, closes_at__gt=now).first()
    if batch is not None:
        return batch
    closes_at = next_cutoff(prefecture, now)
    last = Batch.objects.filter(prefecture=prefecture).order_by("-index").first()
    opens_at = last.closes_at if last is not None and last.closes_at <= now else now
    secret = new_secret()
    try:
        with transaction.atomic():
            return Batch.objects.create(
                prefecture=prefecture,
                index=(last.index + 1) if last is not None else 1,
                opens_at=min(opens_at, now),
                closes_at=closes_at,
                secret=secret.hex(),
                commitment=seed_commitment(secret),
            )
    except IntegrityError:
        # Another process created it at the same moment: use theirs.
        return Batch.objects.get(prefecture=prefecture, closes_at=closes_at)
