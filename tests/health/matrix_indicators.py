"""URL × persona expectations for health/urls (indicators)."""

from __future__ import annotations

from tests.matrix import Case

HEALTH_INDICATORS_MATRIX: dict[str, Case] = {}
