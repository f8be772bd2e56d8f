"""Pluggable SMS backends, chosen by ``settings.SMS_BACKEND``.

- ``file`` (demo default): one JSON file per message under ``SMS_FILE_PATH``, named after the
  dedup key, so a redelivery rewrites the same file;
- ``console``: prints the message;
- ``http``: a generic JSON provider (``SMS_HTTP_URL``, ``SMS_HTTP_TOKEN``);
- or a dotted path to any class with the same ``send`` method.

``send`` returns nothing on success and raises ``DeliveryError`` (retryable) or
``PermanentDeliveryError`` otherwise. Numbers are E.164 (``+33612345678``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Protocol, TextIO

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from creneau.notify.errors import DeliveryError, PermanentDeliveryError


class SMSBackend(Protocol):
    def send(self, *, to: str, text: str, key: str) -> None: ...


class FileSMSBackend:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, text: str, key: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        payload = {
            "to": to,
            "from": settings.SMS_SENDER,
            "text": text,
            "idempotency_key": key,
            "at": timezone.now().isoformat(),
        }
        target = self.path / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
        fd, tmp = tempfile.mkstemp(dir=self.path, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, ensure_ascii=False, indent=2)
        os.replace(tmp, target)  # atomic: a reader never sees half a message


class ConsoleSMSBackend:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, *, to: str, text: str, key: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {to} from {settings.SMS_SENDER} [{key}]\n{text}\n{'-' * 40}\n")
        stream.flush()


class HttpSMSBackend:
    """Adapter for a JSON HTTP SMS provider.

    ``POST SMS_HTTP_URL`` with ``{"to", "from", "text", "idempotency_key"}``, a bearer token and an
    ``Idempotency-Key`` header carrying the dedup key, so that the provider collapses a redelivery.
    2xx is success; 429, 5xx, other non-2xx and network errors are retried; any other 4xx is
    permanent (the request itself is wrong and will stay wrong).
    """

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout or float(getattr(settings, "SMS_HTTP_TIMEOUT", 10))
        if not self.url:
            raise PermanentDeliveryError("SMS_BACKEND is 'http' but SMS_HTTP_URL is not set")

    def send(self, *, to: str, text: str, key: str) -> None:
        headers = {"Idempotency-Key": key, "User-Agent": "creneau-outbox"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"to": to, "from": settings.SMS_SENDER, "text": text, "idempotency_key": key}
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS provider unreachable: {type(exc).__name__}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return
        detail = f"SMS provider answered {response.status_code}: {response.text[:200]}"
        if 400 <= response.status_code < 500 and response.status_code != 429:
            raise PermanentDeliveryError(detail)
        raise DeliveryError(detail)


BACKENDS = {"file": FileSMSBackend, "console": ConsoleSMSBackend, "http": HttpSMSBackend}


def get_sms_backend() -> SMSBackend:
    name = settings.SMS_BACKEND
    cls = BACKENDS.get(name) or import_string(name)
    backend: SMSBackend = cls()
    return backend
