"""Fixed-window rate limits kept in the cache (Redis in production, the database in the demo).

A counter per (scope, key, window) is all these pages need; django-ratelimit would add a
decorator layer and its own 403 handling where we want a translated page in the flow.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the caller is within ``limit`` hits for the current window."""
    bucket = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 5)
        return True
    return count <= limit
