"""URL × persona expectations for health/urls (annual)."""

from __future__ import annotations

from tests.matrix import Case

HEALTH_ANNUAL_MATRIX: dict[str, Case] = {}
