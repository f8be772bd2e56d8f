"""Delivering the outbox: claim by compare-and-set, send, then mark sent or schedule a retry.

Any number of workers may run this concurrently, on SQLite or PostgreSQL. A worker owns a row
only after its own conditional UPDATE changed it (``pending`` and due, or ``sending`` with an
expired lease — the previous worker crashed), and it records the outcome only while it still
holds that claim. Each claim gets a fresh token in ``claimed_by`` (``<worker id>#<random>``), so
even a worker that loses its lease and gets the row back cannot confuse the two claims.

The one unavoidable duplicate: a worker that sends and then dies (or loses the database) before
marking the row sent. The lease expires, another worker sends again with the same Message-ID /
Idempotency-Key, and the receiver collapses the pair (see docs/messages.md).
"""

from __future__ import annotations

import datetime
import logging
import random
import secrets
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from creneau.notify.backends.sms import get_sms_backend
from creneau.notify.errors import DeliveryError, PermanentDeliveryError
from creneau.notify.models import OutboxMessage
from creneau.notify.rendering import render

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
_jitter = random.SystemRandom()


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 8))


def lease_seconds() -> int:
    """How long a claim lasts; must exceed the longest send (NOTIFY_SEND_TIMEOUT) by a margin."""
    return int(getattr(settings, "NOTIFY_LEASE_SECONDS", 300))


def send_timeout() -> float:
    return float(getattr(settings, "NOTIFY_SEND_TIMEOUT", 30))


def backoff(attempts: int) -> datetime.timedelta:
    """Delay after the ``attempts``-th failure: exponential, capped, with jitter in [½, 1]."""
    base = float(getattr(settings, "NOTIFY_RETRY_BASE_SECONDS", 30))
    cap = float(getattr(settings, "NOTIFY_RETRY_MAX_SECONDS", 3600))
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return datetime.timedelta(seconds=delay * _jitter.uniform(0.5, 1.0))


def _due() -> Q:
    now = timezone.now()
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_until__lte=now
    )


def claim(pk: int, worker_id: str) -> OutboxMessage | None:
    """Take one due row for this worker, or None if someone else has it (compare-and-set)."""
    token = f"{worker_id[:80]}#{secrets.token_hex(4)}"
    claimed = (
        OutboxMessage.objects.filter(pk=pk)
        .filter(_due())
        .update(
            status=Status.SENDING,
            claimed_by=token,
            claimed_until=timezone.now() + datetime.timedelta(seconds=lease_seconds()),
            attempts=F("attempts") + 1,
        )
    )
    if claimed != 1:
        return None
    return OutboxMessage.objects.get(pk=pk)


def _send_email(msg: OutboxMessage) -> None:
    connection = get_connection()
    if hasattr(connection, "timeout") and connection.timeout is None:
        connection.timeout = send_timeout()
    email = EmailMultiAlternatives(
        subject=msg.subject,
        body=msg.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[msg.recipient],
        headers={
            "Message-ID": msg.message_id,
            "Auto-Submitted": "auto-generated",
            "Content-Language": msg.language,
        },
        connection=connection,
    )
    if msg.body_html:
        email.attach_alternative(msg.body_html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentDeliveryError(f"recipient refused: {exc.recipients}") from exc
        raise DeliveryError(f"recipient refused for now: {exc.recipients}") from exc
    except smtplib.SMTPDataError as exc:
        error = PermanentDeliveryError if exc.smtp_code >= 500 else DeliveryError
        raise error(f"message refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def send(msg: OutboxMessage) -> None:
    """Hand one message to its channel; raises DeliveryError or PermanentDeliveryError."""
    if msg.channel == OutboxMessage.Channel.EMAIL:
        _send_email(msg)
    else:
        get_sms_backend().send(to=msg.recipient, text=msg.body_text, key=msg.key)


def _finish(msg: OutboxMessage, **fields: object) -> bool:
    """Record an outcome only if our claim still stands (compare-and-set on the claim token)."""
    done = OutboxMessage.objects.filter(pk=msg.pk, status=Status.SENDING, claimed_by=msg.claimed_by).update(
        claimed_until=None, **fields
    )
    if not done:
        logger.warning(
            "outbox: lost the claim on message %s (%s) before recording its outcome", msg.pk, msg.key
        )
    return bool(done)


def _fail(msg: OutboxMessage, error: str, permanent: bool) -> None:
    if permanent or msg.attempts >= max_attempts():
        logger.error(
            "outbox: message %s (%s) is dead after %d attempt(s): %s", msg.pk, msg.key, msg.attempts, error
        )
        _finish(msg, status=Status.DEAD, last_error=error)
    else:
        delay = backoff(msg.attempts)
        logger.warning(
            "outbox: message %s (%s) attempt %d failed, retry in %s: %s",
            msg.pk,
            msg.key,
            msg.attempts,
            delay,
            error,
        )
        _finish(msg, status=Status.PENDING, last_error=error, next_attempt_at=timezone.now() + delay)


def _render_now(msg: OutboxMessage) -> None:
    """Render a bulk-enqueued message in its language, and keep the rendering (what was sent)."""
    try:
        rendered = render(msg.template, msg.channel, msg.context, msg.language)
    except Exception as exc:  # a template that cannot render will not render on retry either
        raise PermanentDeliveryError(f"cannot render {msg.template}: {type(exc).__name__}: {exc}") from exc
    msg.subject, msg.body_text, msg.body_html, msg.rendered = (
        rendered.subject,
        rendered.text,
        rendered.html,
        True,
    )
    OutboxMessage.objects.filter(pk=msg.pk, claimed_by=msg.claimed_by).update(
        subject=msg.subject, body_text=msg.body_text, body_html=msg.body_html, rendered=True
    )


def deliver(msg: OutboxMessage) -> bool:
    """Send a message this worker has claimed and record the outcome; True if it was sent."""
    if msg.attempts > max_attempts():
        # Only a reclaimed lease gets here: workers kept dying while sending this one.
        _fail(msg, f"gave up: no outcome recorded after {msg.attempts - 1} attempt(s) (worker lost)", True)
        return False
    try:
        if not msg.rendered:
            _render_now(msg)
        send(msg)
    except DeliveryError as exc:
        _fail(msg, str(exc)[:2000], exc.permanent)
        return False
    except Exception as exc:  # a bug or an unexpected backend error: retry, end dead, never crash the worker
        logger.exception("outbox: unexpected error sending message %s (%s)", msg.pk, msg.key)
        _fail(msg, f"{type(exc).__name__}: {exc}"[:2000], False)
        return False
    fields: dict[str, object] = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if msg.sensitive:
        fields.update(body_text="", body_html="", context={})
    _finish(msg, **fields)
    logger.info("outbox: sent %s %s (%s) on attempt %d", msg.channel, msg.template, msg.key, msg.attempts)
    return True


def deliver_due(worker_id: str, limit: int = 50) -> int:
    """Claim and deliver up to ``limit`` due messages, oldest due first; return how many were sent.

    Safe to run from many workers at once. Call it outside any transaction: each claim and each
    outcome is its own committed statement.
    """
    candidates = list(
        OutboxMessage.objects.filter(_due())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in candidates:
        msg = claim(pk, worker_id)
        if msg is not None and deliver(msg):
            sent += 1
    return sent
