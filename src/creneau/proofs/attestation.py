"""The attestation of waiting: every allocation run since filing that did not reach the request.

It is what an administrative judge asks for ("several attempts made in different weeks"): who filed
what, where and when, then each run of the prefecture that could have served the request — its
date, how many slots it allocated, whether the request was reached and in which rank class — and
the request's current status. It is issued as a signed token (``creneau-attestation+jwt``) and a
PDF stating exactly the token's claims, in French with the applicant's language alongside.

A run "could have served" the request if its cutoff is at or after the cutoff of the request's
batch. The engine orders requests by (priority class, batch, lottery rank): in each run, a request
that was pending and got no offer was "not reached" — every slot it could take went to requests
ranked before it (a higher class, an older batch, or a better draw in the same class and batch).
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from creneau.audit.log import Actor, record
from creneau.audit.models import AuditEvent
from creneau.booking.models import AllocationRun, Offer, Request
from creneau.booking.workflow import FINAL, Status
from creneau.proofs.models import Attestation
from creneau.proofs.tokens import sign, unverified_header

ATTESTATION_TYP = "creneau-attestation+jwt"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read out and type
CODE_GROUPS = 3  # XXXX-XXXX-XXXX: 30**12 ≈ 2**59 codes, not guessable (and lookups are rate-limited)

# Outcome of one run for the request.
OFFERED = "offered"
NOT_REACHED = "not_reached"
NOT_IN_QUEUE = "not_in_queue"  # it held an offer or an appointment, or was suspended, at that run


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def normalise_code(text: str) -> str:
    """What a person typed, as a code: upper case, without spaces; dashes put back in place."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def _statuses_at_runs(request: Request, runs: list[AllocationRun]) -> dict[int, str]:
    """The request's status when each run read the queue, from the audit chain's transitions.

    A run's own ``allocation.run`` event marks that moment (it is written in the run's transaction);
    the request's transitions before it, except the offer made by this very run, give the status.
    """
    run_seqs = dict(
        AuditEvent.objects.filter(
            action="allocation.run", object_type="allocationrun", object_id__in=[str(r.pk) for r in runs]
        ).values_list("object_id", "seq")
    )
    transitions = [
        (seq, data)
        for seq, data in AuditEvent.objects.filter(object_type="request", object_id=request.reference)
        .order_by("seq")
        .values_list("seq", "data")
        if isinstance(data, dict) and "to" in data
    ]
    out: dict[int, str] = {}
    for run in runs:
        limit = run_seqs.get(str(run.pk))
        status: str = Status.DRAFT
        for seq, data in transitions:
            if limit is not None and seq > limit:
                break
            if data.get("run") == run.pk:
                continue
            status = data["to"]
        out[run.pk] = status
    return out


def runs_since_filing(request: Request, until: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """One line per allocation run since the request was filed, oldest first, as signed claims."""
    if request.batch is None:
        return []
    until = until or timezone.now()
    runs = list(
        AllocationRun.objects.filter(
            prefecture_id=request.prefecture_id, cutoff__gte=request.batch.closes_at, started_at__lte=until
        )
        .select_related("batch")
        .order_by("cutoff")
    )
    offered_in = set(Offer.objects.filter(request=request, run__in=runs).values_list("run_id", flat=True))
    per_procedure = dict(
        Offer.objects.filter(run__in=runs)
        .values("run_id")
        .annotate(n=Count("pk", filter=Q(request__procedure_id=request.procedure_id)))
        .values_list("run_id", "n")
    )
    statuses = _statuses_at_runs(request, runs)
    lines = []
    for run in runs:
        status = statuses[run.pk]
        if status in FINAL:
            break  # closed, withdrawn…: no later run concerns it
        if run.pk in offered_in:
            outcome = OFFERED
        elif status == Status.PENDING:
            outcome = NOT_REACHED
        else:
            outcome = NOT_IN_QUEUE
        lines.append(
            {
                "at": _utc(run.cutoff),
                "batch": run.batch.index,
                "slots": run.slots_count,
                "allocated": run.served_count,
                "allocated_procedure": per_procedure.get(run.pk, 0),
                "outcome": outcome,
                "priority": int(request.priority),
                "batch_class": "same" if run.batch.index == request.batch.index else "older",
            }
        )
    return lines


def attestation_claims(request: Request, code: str, now: datetime.datetime) -> dict[str, Any]:
    """What an attestation certifies. ``name`` identifies the applicant for the judge; no contact
    detail, no date of birth, no document number."""
    assert request.filed_at is not None
    assert request.batch is not None
    return {
        "code": code,
        "ref": request.reference,
        "name": str(request.applicant),
        "prefecture": request.prefecture.code,
        "procedure": request.procedure.kind,
        "batch": request.batch.index,
        "filed_at": _utc(request.filed_at),
        "channel": request.channel,
        "priority": int(request.priority),
        "status": request.status,
        "issued_at": _utc(now),
        "runs": runs_since_filing(request, now),
    }


def do_issue_attestation(request: Request, actor: Actor) -> Attestation:
    """Sign and record a new attestation for a filed request (audited as ``attestation.issued``)."""
    if request.filed_at is None or request.batch_id is None:
        raise ValueError(f"request {request.reference} is not filed: it has no attestation")
    now = timezone.now()
    with transaction.atomic():
        code = new_code()
        while Attestation.objects.filter(code=code).exists():
            code = new_code()
        token = sign(attestation_claims(request, code, now), ATTESTATION_TYP)
        attestation = Attestation.objects.create(
            code=code, request=request, issued_at=now, kid=unverified_header(token)["kid"], token=token
        )
        # On its own object (not the request): the applicant's history lists changes, not downloads.
        record(
            "attestation.issued",
            actor,
            object_type="attestation",
            object_id=code,
            prefecture_code=request.prefecture.code,
            data={"request": request.reference, "kid": attestation.kid},
        )
    return attestation


def token_claims(token: str) -> dict[str, Any]:
    """The payload of a token Créneau signed and stored itself (NOT a verification)."""
    payload = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return value


def newer_than(attestation: Attestation) -> Attestation | None:
    """The latest attestation issued after this one for the same request, if any."""
    return (
        Attestation.objects.filter(request_id=attestation.request_id, issued_at__gt=attestation.issued_at)
        .order_by("-issued_at")
        .first()
    )
