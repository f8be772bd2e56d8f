"""Login throttling: failed attempts counted per account and per client address, in the cache.

Fixed windows (Redis in production, the database cache in the demo). Only failures count, so a
person who types their password right is never locked out by their own successful logins; an
attacker spraying one account from many addresses hits the per-account limit, one address
trying many accounts hits the per-address limit.
"""

from __future__ import annotations

from django.conf import settings

from creneau import ratelimit


def _counters(username: str, ip_address: str | None) -> list[tuple[str, str, int]]:
    return [
        ("login_user", username.strip().lower()[:150], settings.CRENEAU_LOGIN_MAX_FAILURES_PER_ACCOUNT),
        ("login_ip", ip_address or "-", settings.CRENEAU_LOGIN_MAX_FAILURES_PER_ADDRESS),
    ]


def is_throttled(username: str, ip_address: str | None) -> bool:
    window = settings.CRENEAU_LOGIN_WINDOW_SECONDS
    return any(
        ratelimit.current(scope, key, window) >= limit
        for scope, key, limit in _counters(username, ip_address)
    )


def count_failure(username: str, ip_address: str | None) -> None:
    window = settings.CRENEAU_LOGIN_WINDOW_SECONDS
    for scope, key, _limit in _counters(username, ip_address):
        ratelimit.count(scope, key, window)
