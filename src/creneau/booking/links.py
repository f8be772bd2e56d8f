"""Absolute links put in messages and documents (by URL name: no import of the web layer)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from creneau.booking.models import Prefecture


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def status_url(reference: str, token: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("public:status_entry", kwargs={"reference": reference, "token": token}))


def local_datetime(value: datetime.datetime, prefecture: Prefecture, language: str) -> str:
    """'12 décembre 2026 18:00 (heure de La Réunion)' style text, in the prefecture's zone."""
    local = value.astimezone(prefecture.tz)
    with translation.override(language):
        text = formats.date_format(local, "DATETIME_FORMAT")
    return f"{text} ({prefecture.time_zone})"
