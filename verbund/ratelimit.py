"""A small fixed-window rate limit on the shared cache (Redis in production), and the client's address.

Used by public forms (meeting sign-up, Infobrief subscription): a bot that
fills in forms by the thousand gets a 429 instead of making us send mail to
addresses it typed.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind the reverse proxy its header when configured (TRUSTED_PROXY_HEADER)."""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit for (scope, key) in the current window; False once more than `limit` hits happened.

    Keys are hashed (no addresses in the cache). If the cache is unreachable the
    request is let through: a sign-up form must not fail because Redis is down.
    """
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}"
    try:
        cache.add(cache_key, 0, timeout=window)
        count = cache.incr(cache_key)
    except Exception:  # noqa: BLE001 – cache down: fail open, the form still works
        return True
    return count <= limit
