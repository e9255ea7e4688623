"""URL × persona expectations for health/urls (reports)."""

from __future__ import annotations

from tests.matrix import Case

HEALTH_REPORTS_MATRIX: dict[str, Case] = {}
