"""Enqueueing messages (in the caller's transaction) and putting dead ones back in the queue."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from creneau.audit.log import Actor, record
from creneau.notify.messages import MESSAGES
from creneau.notify.models import OutboxMessage, message_id_for
from creneau.notify.rendering import render

logger = logging.getLogger(__name__)

# Keys travel in an HTTP header (Idempotency-Key): printable, no spaces, no secrets.
KEY_RE = re.compile(r"^[A-Za-z0-9._:/@+=-]{1,200}$")
E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _check(key: str, channel: str, to: str, template: str, context: dict[str, Any], language: str) -> None:
    if not KEY_RE.match(key):
        raise ValueError(f"invalid outbox key {key!r}: 1-200 characters among A-Z a-z 0-9 . _ : / @ + = -")
    if channel not in OutboxMessage.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if template not in MESSAGES:
        raise ValueError(f"unknown message template {template!r}")
    missing = MESSAGES[template] - context.keys()
    if missing:
        raise ValueError(f"message {template!r} needs {sorted(missing)} in its context")
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    if channel == OutboxMessage.Channel.SMS and not E164_RE.match(to):
        raise ValueError(f"SMS recipient must be an E.164 number (+33612345678), got {to!r}")
    if channel == OutboxMessage.Channel.EMAIL:
        try:
            validate_email(to)
        except ValidationError as exc:
            raise ValueError(f"invalid e-mail recipient {to!r}") from exc


def enqueue(
    *,
    key: str,
    channel: str,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    sensitive: bool = False,
    prefecture_code: str = "",
    request_reference: str = "",
) -> OutboxMessage:
    """Write one message to the outbox, rendered now in ``language``; idempotent on ``key``.

    Must run inside the caller's transaction (the state change the message reports), so that the
    message exists if and only if the change is committed. A second call with the same key returns
    the first row unchanged: choose keys that name the event, e.g. ``request:R7K2:filed:email``.
    ``sensitive`` messages (codes, private links) have their bodies erased once sent.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue() must be called inside the transaction of the change it reports")
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    _check(key, channel, to, template, context, language)
    rendered = render(template, channel, context, language)
    try:
        with transaction.atomic():
            msg = OutboxMessage.objects.create(
                key=key,
                channel=channel,
                recipient=to,
                language=language,
                template=template,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                sensitive=sensitive,
                message_id=message_id_for(key),
                prefecture_code=prefecture_code,
                request_reference=request_reference,
            )
    except IntegrityError:
        # Another transaction enqueued the same key and committed first.
        return OutboxMessage.objects.get(key=key)
    logger.info("outbox: enqueued %s %s (%s)", channel, template, key)
    return msg


def enqueue_many(messages: list[dict[str, Any]]) -> int:
    """Write many messages at once (same arguments as ``enqueue``, one dict each), for an
    allocation run's thousands of offers: checked now, inserted in bulk, and rendered by the worker
    just before sending (``deliver``), so the run's transaction stays short. Idempotent on keys:
    rows whose key exists are left as they are. Returns the number of rows written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "outbox.enqueue_many() must be called inside the transaction of the change it reports"
        )
    rows = []
    for m in messages:
        _check(m["key"], m["channel"], m["to"], m["template"], m["context"], m["language"])
        rows.append(
            OutboxMessage(
                key=m["key"],
                channel=m["channel"],
                recipient=m["to"],
                language=m["language"],
                template=m["template"],
                context=m["context"],
                rendered=False,
                sensitive=m.get("sensitive", False),
                message_id=message_id_for(m["key"]),
                prefecture_code=m.get("prefecture_code", ""),
                request_reference=m.get("request_reference", ""),
            )
        )
    existing = set(OutboxMessage.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True))
    fresh = [r for r in rows if r.key not in existing]
    OutboxMessage.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    logger.info("outbox: enqueued %d messages in bulk", len(fresh))
    return len(fresh)


def retry(key: str, actor: Actor) -> bool:
    """Put a dead message back in the queue with a fresh set of attempts; audited.

    Compare-and-set on ``status=dead``: returns False if the message is not dead (never resends a
    sent message).
    """
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(key=key, status=OutboxMessage.Status.DEAD).update(
            status=OutboxMessage.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_until=None,
        )
        if updated:
            msg = OutboxMessage.objects.get(key=key)
            record(
                "outbox.retry",
                actor,
                object_type="outboxmessage",
                object_id=str(msg.pk),
                prefecture_code=msg.prefecture_code,
                data={"key": key, "last_error": msg.last_error[:500]},
            )
    return bool(updated)
