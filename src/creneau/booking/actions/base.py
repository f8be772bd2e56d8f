"""Shared pieces of the actions: errors, the guarded status transition, secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creneau.audit.log import Actor, record
from creneau.booking.models import Request
from creneau.booking.workflow import check_transition
from creneau.notify.outbox import enqueue

# Crockford's base 32 without I, L, O, U: easy to read aloud and type at a counter.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class ActionError(Exception):
    """A refusal to show the user: ``message`` is translated, nothing was changed."""

    def __init__(self, message: Any, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class DuplicateActiveRequest(ActionError):
    def __init__(self) -> None:
        super().__init__(
            _("Une demande est déjà en cours pour cette personne, cette démarche et cette préfecture."),
            code="duplicate",
        )


class ConcurrentChange(ActionError):
    def __init__(self) -> None:
        super().__init__(
            _("La demande a changé entre-temps. Rechargez la page et réessayez."), code="concurrent"
        )


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def hash_code(challenge_salt: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{challenge_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def transition(
    request: Request,
    new_status: str,
    actor: Actor,
    action: str,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> None:
    """Move ``request`` to ``new_status`` by compare-and-set on its current status, and audit it.

    Caller holds a transaction. If another process changed the status first, nothing is written
    and ``ConcurrentChange`` is raised.
    """
    old_status = request.status
    check_transition(old_status, new_status)
    now = timezone.now()
    updated = Request.objects.filter(pk=request.pk, status=old_status).update(
        status=new_status, status_changed_at=now, **fields
    )
    if updated != 1:
        raise ConcurrentChange()
    request.status = new_status
    request.status_changed_at = now
    for name, value in fields.items():
        setattr(request, name, value)
    record(
        action,
        actor,
        obj=request,
        prefecture_code=request.prefecture.code,
        data={"from": old_status, "to": new_status, **(data or {})},
    )


def notify_applicant(
    request: Request, template: str, key: str, context: dict[str, Any], *, sensitive: bool = False
) -> None:
    """Enqueue one message to each of the applicant's contacts (e-mail and/or SMS), in their language.

    Caller holds the transaction of the change the message reports. ``key`` names the event; the
    channel is appended, so each contact gets the message exactly once whatever the retries.
    """
    applicant = request.applicant
    for channel, to in (("email", applicant.email), ("sms", applicant.phone)):
        if to:
            enqueue(
                key=f"{key}:{channel}",
                channel=channel,
                to=to,
                template=template,
                context=context,
                language=applicant.language,
                sensitive=sensitive,
                prefecture_code=request.prefecture.code,
                request_reference=request.reference,
            )
