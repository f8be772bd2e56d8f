"""Allocation runs in the application: close a batch, reveal its seed, run the engine, write offers.

A run is one transaction: either nothing of it exists, or all of it (the run row, every offer, every
request's status change, every audit event and outbox message). Two workers starting the same run
serialise on the batch row; the loser finds the run done. Running it again is a no-op that returns
the recorded run.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from creneau import allocation as engine
from creneau.audit.log import Actor, record, record_many
from creneau.booking.batches import current_batch
from creneau.booking.models import AllocationRun, Batch, Offer, Prefecture, Request, RunFile, Slot
from creneau.booking.workflow import Status

logger = logging.getLogger(__name__)

SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class RunInputs:
    requests: list[engine.Request]
    slots: list[engine.Slot]
    params: engine.Params


def _engine_requests(prefecture: Prefecture, batch: Batch) -> list[engine.Request]:
    # Plain tuples rather than model instances: a run reads 100,000 requests in a few seconds.
    pending = Request.objects.filter(
        prefecture=prefecture, status=Status.PENDING, batch__index__lte=batch.index
    )
    sites: dict[int, set[str]] = defaultdict(set)
    for request_id, site_id in Request.sites.through.objects.filter(request__in=pending).values_list(
        "request_id", "site_id"
    ):
        sites[request_id].add(str(site_id))
    rows = pending.order_by("pk").values_list(
        "pk",
        "reference",
        "priority",
        "requeued_top",
        "batch__index",
        "procedure__kind",
        "unavailable_dates",
        "applicant__step_free_needed",
        "applicant__interpreter_language",
    )
    parse = datetime.date.fromisoformat
    return [
        engine.Request(
            public_id=reference,
            priority=int(priority),
            batch_index=0 if requeued_top else batch_index,
            procedure=kind,
            sites=frozenset(sites.get(pk, ())),
            unavailable_dates=frozenset(parse(d) for d in dates) if dates else frozenset(),
            step_free=step_free,
            interpreter=interpreter or None,
        )
        for (pk, reference, priority, requeued_top, batch_index, kind, dates, step_free, interpreter) in (
            rows.iterator(chunk_size=10000)
        )
    ]


def _engine_slots(prefecture: Prefecture, now: datetime.datetime) -> list[engine.Slot]:
    earliest = now + datetime.timedelta(hours=prefecture.min_notice_hours)
    taken = Offer.objects.filter(status__in=list(Offer.HOLDS_SLOT)).values("slot_id")
    free = Slot.objects.filter(prefecture=prefecture, status=Slot.Status.OPEN, start__gte=earliest).exclude(
        pk__in=taken
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    for slot_id, kind in Slot.procedures.through.objects.filter(slot__in=free).values_list(
        "slot_id", "procedure__kind"
    ):
        kinds[slot_id].add(kind)
    tz = prefecture.tz
    return [
        engine.Slot(
            id=str(pk),
            site=str(site_id),
            start=start,
            local_date=start.astimezone(tz).date(),
            procedures=frozenset(kinds.get(pk, ())),
            step_free=step_free,
            interpreter_languages=frozenset(languages),
        )
        for pk, site_id, start, step_free, languages in free.order_by("pk")
        .values_list("pk", "site_id", "start", "step_free", "interpreter_languages")
        .iterator(chunk_size=10000)
    ]


def collect_inputs(prefecture: Prefecture, batch: Batch, now: datetime.datetime) -> RunInputs:
    params = engine.Params(now=now, min_notice=datetime.timedelta(hours=prefecture.min_notice_hours))
    return RunInputs(_engine_requests(prefecture, batch), _engine_slots(prefecture, now), params)


def batch_request_ids(batch: Batch) -> list[str]:
    return list(
        Request.objects.filter(batch=batch, filed_at__isnull=False).values_list("reference", flat=True)
    )


def _short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(8))


def run_allocation(
    batch: Batch, *, now: datetime.datetime | None = None, beacon: str = "", actor: Actor | None = None
) -> AllocationRun:
    """Run the allocation for a closed batch (idempotent: returns the existing run if there is one)."""
    now = now or timezone.now()
    actor = actor or Actor.system("allocation")
    if batch.closes_at > now:
        raise ValueError(f"batch {batch} closes at {batch.closes_at.isoformat()}: it cannot be allocated yet")
    existing = AllocationRun.objects.filter(batch=batch).first()
    if existing is not None:
        return existing
    prefecture = batch.prefecture
    try:
        with transaction.atomic():
            # Serialise concurrent workers on the batch row (a no-op on SQLite, whose writers are serial).
            locked = Batch.objects.select_for_update().get(pk=batch.pk)
            existing = AllocationRun.objects.filter(batch=locked).first()
            if existing is not None:
                return existing
            return _do_run(prefecture, locked, now, beacon, actor)
    except IntegrityError:
        # Another worker committed the same (prefecture, cutoff) run between our check and insert.
        return AllocationRun.objects.get(prefecture=prefecture, cutoff=batch.closes_at)


def _do_run(
    prefecture: Prefecture, batch: Batch, now: datetime.datetime, beacon: str, actor: Actor
) -> AllocationRun:
    started = timezone.now()
    secret = bytes.fromhex(batch.secret)
    ids_digest = engine.request_ids_digest(batch_request_ids(batch))
    seed = engine.derive_seed(secret, ids_digest, beacon or None)
    inputs = collect_inputs(prefecture, batch, now)
    result = engine.allocate(inputs.requests, inputs.slots, seed, inputs.params)

    run = AllocationRun.objects.create(
        prefecture=prefecture,
        batch=batch,
        cutoff=batch.closes_at,
        seed_commitment=batch.commitment,
        seed=seed.hex(),
        beacon=beacon,
        policy_version=result.policy_version,
        input_digest=result.input_digest,
        output_digest=result.output_digest,
        requests_count=len(inputs.requests),
        slots_count=len(inputs.slots),
        served_count=len(result.assignments),
        started_at=started,
        finished_at=started,
        published={"secret": batch.secret, "ids_digest": ids_digest},
    )
    served = {a.request_id: a for a in result.assignments}
    if served:
        request_pks = dict(Request.objects.filter(reference__in=list(served)).values_list("reference", "pk"))
        deadline = now + datetime.timedelta(hours=prefecture.offer_ttl_hours)
        codes: set[str] = set()
        offers = []
        for ref, a in served.items():
            code = _short_code()
            while code in codes:
                code = _short_code()
            codes.add(code)
            offers.append(
                Offer(
                    request_id=request_pks[ref],
                    slot_id=int(a.slot_id),
                    run=run,
                    position=a.position,
                    deadline=deadline,
                    short_code=code,
                    created_at=now,
                )
            )
        Offer.objects.bulk_create(offers, batch_size=2000)
        updated = Request.objects.filter(pk__in=list(request_pks.values()), status=Status.PENDING).update(
            status=Status.OFFERED, status_changed_at=now, requeued_top=False
        )
        if updated != len(request_pks):
            raise RuntimeError(
                "a request changed status during the run; the run is rolled back and will be retried"
            )
        record_many(
            "request.offered",
            actor,
            [
                (
                    "request",
                    ref,
                    {
                        "from": Status.PENDING,
                        "to": Status.OFFERED,
                        "run": run.pk,
                        "slot": a.slot_id,
                        "position": a.position,
                    },
                )
                for ref, a in served.items()
            ],
            prefecture_code=prefecture.code,
        )
        from creneau.booking.actions.offers import notify_offers

        notify_offers(Offer.objects.filter(run=run))
    data = engine.dump_run(inputs.requests, inputs.slots, seed, inputs.params, result)
    RunFile.objects.create(
        run=run, content=gzip.compress(data, mtime=0), sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
    record(
        "allocation.run",
        actor,
        obj=run,
        prefecture_code=prefecture.code,
        data={
            "batch": batch.index,
            "requests": run.requests_count,
            "slots": run.slots_count,
            "served": run.served_count,
            "input_digest": run.input_digest,
            "output_digest": run.output_digest,
        },
    )
    Batch.objects.filter(pk=batch.pk).update(closed_at=now)
    AllocationRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    run.refresh_from_db()
    return run


def published_file(run: AllocationRun) -> bytes:
    """The anonymised, replayable file of a run (public ids and slot ids, no names), as published."""
    return gzip.decompress(run.file.content)


def open_current_batches(now: datetime.datetime | None = None) -> int:
    """Make sure every prefecture has its open batch, so its commitment is public from the opening."""
    now = now or timezone.now()
    count = 0
    for prefecture in Prefecture.objects.all():
        current_batch(prefecture, now)
        count += 1
    return count


def run_due_allocations(
    now: datetime.datetime | None = None, prefecture: Prefecture | None = None
) -> list[AllocationRun]:
    """Run every closed batch that has no run yet, oldest first (periodic job; safe in several workers)."""
    now = now or timezone.now()
    due = (
        Batch.objects.filter(closes_at__lte=now, run__isnull=True)
        .select_related("prefecture")
        .order_by("prefecture_id", "index")
    )
    if prefecture is not None:
        due = due.filter(prefecture=prefecture)
    runs = []
    for batch in due:
        try:
            runs.append(run_allocation(batch, now=now))
        except Exception:
            logger.exception("allocation run failed for batch %s; it will be retried", batch)
            break  # later batches of the same prefecture wait for this one
    return runs
