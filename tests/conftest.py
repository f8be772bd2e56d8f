"""Guard fixtures for the whole suite: nothing touches var/, nothing reaches the network."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Keys, e-mails and SMS of a test go to its own temporary directory."""
    settings.CRENEAU_KEY_DIR = tmp_path / "keys"
    settings.CRENEAU_SIGNING_KEY = ""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.EMAIL_FILE_PATH = tmp_path / "email"
    settings.SITE_URL = "https://creneau.example"


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Rate-limit counters live in the cache, which Redis does not roll back between tests: start empty.
    (Each xdist worker has its own Redis database, see settings.py, so this never touches another's.)"""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield


_real_connect = socket.socket.connect


def _loopback_only(self, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
    ):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
