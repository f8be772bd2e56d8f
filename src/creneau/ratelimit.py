"""Fixed-window counters kept in the cache (Redis in production, the database cache in the demo).

One counter per (scope, key, window) serves both the public pages' rate limits (``hit``) and the
back-office login throttling, which counts failures only (``count``, then ``current``).
django-ratelimit would add a decorator layer and its own 403 handling where we want a translated
page in the flow. Not part of the web layer: domain apps (accounts) use it too.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def _cache_key(scope: str, key: str, window_seconds: int) -> str:
    return f"rl:{scope}:{key}:{int(time.time() // window_seconds)}"


def count(scope: str, key: str, window_seconds: int) -> int:
    """Add one to the current window's counter and return the new count."""
    cache_key = _cache_key(scope, key, window_seconds)
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 5)
        return 1


def current(scope: str, key: str, window_seconds: int) -> int:
    """The current window's count, without adding to it."""
    return int(cache.get(_cache_key(scope, key, window_seconds)) or 0)


def hit(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the caller is within ``limit`` hits for the current window."""
    return count(scope, key, window_seconds) <= limit
