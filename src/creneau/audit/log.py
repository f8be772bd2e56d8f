"""Writing and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from creneau.audit.models import GENESIS_HASH, AuditEvent, ChainHead


@dataclass(frozen=True)
class Actor:
    """Who did something: an applicant (by request reference), an agent or helper, or the system."""

    type: str
    label: str = ""
    user: Any = None
    ip_address: str | None = None

    @classmethod
    def system(cls, label: str = "worker") -> Actor:
        return cls(type=AuditEvent.ActorType.SYSTEM, label=label)

    @classmethod
    def applicant(cls, reference: str, ip_address: str | None = None) -> Actor:
        return cls(type=AuditEvent.ActorType.APPLICANT, label=reference, ip_address=ip_address)

    @classmethod
    def anonymous(cls, ip_address: str | None = None) -> Actor:
        return cls(type=AuditEvent.ActorType.ANONYMOUS, ip_address=ip_address)


def _canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(content)).hexdigest()


def _content(ev: AuditEvent) -> dict[str, Any]:
    return {
        "chain": ev.chain,
        "seq": ev.seq,
        "at": ev.at.isoformat(),
        "actor_type": ev.actor_type,
        "actor_user": ev.actor_user_id,
        "actor_label": ev.actor_label,
        "ip_address": ev.ip_address,
        "action": ev.action,
        "prefecture_code": ev.prefecture_code,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "data": ev.data,
    }


def record(
    action: str,
    actor: Actor,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    prefecture_code: str = "",
    data: dict[str, Any] | None = None,
    chain: str = "main",
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (the state change it records).

    Locks the chain head row until the caller's transaction ends: appends are serialised, which
    is what keeps the chain linear under concurrency.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(getattr(obj, "reference", None) or obj.pk)
    ChainHead.objects.get_or_create(chain=chain)
    head = ChainHead.objects.select_for_update().get(chain=chain)
    ev = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        at=timezone.now(),
        actor_type=actor.type,
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.label[:200],
        ip_address=actor.ip_address,
        action=action,
        prefecture_code=prefecture_code,
        object_type=object_type,
        object_id=object_id,
        data=json.loads(_canonical(data or {})),
        prev_hash=head.head_hash,
    )
    ev.hash = event_hash(ev.prev_hash, _content(ev))
    ev.save(force_insert=True)
    ChainHead.objects.filter(chain=chain).update(seq=ev.seq, head_hash=ev.hash)
    return ev


def record_many(
    action: str,
    actor: Actor,
    items: list[tuple[str, str, dict[str, Any]]],
    *,
    prefecture_code: str = "",
    chain: str = "main",
) -> int:
    """Append one event per (object_type, object_id, data) item, in order, with one head lock and one
    bulk insert: what an allocation run needs for tens of thousands of offers. Same rules as ``record``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "audit.record_many() must be called inside the transaction of the change it records"
        )
    if not items:
        return 0
    ChainHead.objects.get_or_create(chain=chain)
    head = ChainHead.objects.select_for_update().get(chain=chain)
    now = timezone.now()
    seq, prev = head.seq, head.head_hash
    events = []
    for object_type, object_id, data in items:
        seq += 1
        ev = AuditEvent(
            chain=chain,
            seq=seq,
            at=now,
            actor_type=actor.type,
            actor_user=actor.user if getattr(actor.user, "pk", None) else None,
            actor_label=actor.label[:200],
            ip_address=actor.ip_address,
            action=action,
            prefecture_code=prefecture_code,
            object_type=object_type,
            object_id=object_id,
            data=json.loads(_canonical(data)),
            prev_hash=prev,
        )
        ev.hash = event_hash(prev, _content(ev))
        prev = ev.hash
        events.append(ev)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    ChainHead.objects.filter(chain=chain).update(seq=seq, head_hash=prev)
    return len(events)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(chain: str = "main") -> ChainReport:
    """Walk the chain in order; report the first altered, missing or reordered event."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for ev in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        if ev.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"event {expected_seq} is missing")
        if ev.prev_hash != prev or event_hash(prev, _content(ev)) != ev.hash:
            return ChainReport(False, checked, ev.seq, f"event {ev.seq} was altered")
        prev = ev.hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != checked or head.head_hash != prev):
        return ChainReport(False, checked, checked + 1, f"events after {checked} are missing")
    return ChainReport(True, checked)
