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
