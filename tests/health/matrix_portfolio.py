"""URL × persona expectations for health/urls (portfolio): every manager sees the table of their own networks."""

from __future__ import annotations

from tests.matrix import Case, Target, rev, statuses

MANAGERS_ONLY = statuses(403, anonymous=302, managers=200)

HEALTH_PORTFOLIO_MATRIX: dict[str, Case] = {
    "portfolio:index": Case([Target(rev("portfolio:index"), MANAGERS_ONLY), Target(lambda w: "/portfolio/?sort=-members&year=2025", MANAGERS_ONLY)]),
    "portfolio:csv": Case([Target(rev("portfolio:csv"), MANAGERS_ONLY, htmx=False)]),
    "portfolio:xlsx": Case([Target(rev("portfolio:xlsx"), MANAGERS_ONLY, htmx=False)]),
}
