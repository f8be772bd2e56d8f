"""Absolute links put in messages and documents (by URL name: no import of the web layer)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from creneau.booking.models import Prefecture, Request


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def private_token(reference: str, nonce: str) -> str:
    """The private link's secret for a request; empty nonce = no link issued yet."""
    if not nonce:
        return ""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"link:{reference}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def check_private_token(reference: str, nonce: str, token: str) -> bool:
    expected = private_token(reference, nonce)
    return bool(expected) and hmac.compare_digest(expected.encode(), token.encode())


def new_link_nonce() -> str:
    return secrets.token_hex(16)


def request_status_url(request: Request) -> str:
    """The current private link of ``request``, in its applicant's language."""
    return status_url(
        request.reference, private_token(request.reference, request.link_nonce), request.applicant.language
    )


def status_url(reference: str, token: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("public:status_entry", kwargs={"reference": reference, "token": token}))


def local_datetime(value: datetime.datetime, prefecture: Prefecture, language: str) -> str:
    """'12 décembre 2026 18:00 (heure de La Réunion)' style text, in the prefecture's zone."""
    local = value.astimezone(prefecture.tz)
    with translation.override(language):
        text = formats.date_format(local, "DATETIME_FORMAT")
    return f"{text} ({prefecture.time_zone})"
