"""Login throttling: failed attempts counted per account and per client address, in the cache.

Fixed windows (Redis in production, the database cache in the demo). Only failures count, so a
person who types their password right is never locked out by their own successful logins; an
attacker spraying one account from many addresses hits the per-account limit, one address
trying many accounts hits the per-address limit.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip_address: str | None) -> list[tuple[str, int]]:
    window = settings.CRENEAU_LOGIN_WINDOW_SECONDS
    bucket = int(time.time() // window)
    return [
        (
            f"login:user:{username.strip().lower()[:150]}:{bucket}",
            settings.CRENEAU_LOGIN_MAX_FAILURES_PER_ACCOUNT,
        ),
        (f"login:ip:{ip_address or '-'}:{bucket}", settings.CRENEAU_LOGIN_MAX_FAILURES_PER_ADDRESS),
    ]


def is_throttled(username: str, ip_address: str | None) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, ip_address))


def count_failure(username: str, ip_address: str | None) -> None:
    timeout = settings.CRENEAU_LOGIN_WINDOW_SECONDS + 5
    for key, _limit in _keys(username, ip_address):
        if not cache.add(key, 1, timeout=timeout):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, timeout=timeout)
