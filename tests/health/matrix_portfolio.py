"""URL × persona expectations for health/urls (portfolio)."""

from __future__ import annotations

from tests.matrix import Case

HEALTH_PORTFOLIO_MATRIX: dict[str, Case] = {}
