"""URL × persona expectations for health/urls (surveys)."""

from __future__ import annotations

from tests.matrix import Case

HEALTH_SURVEYS_MATRIX: dict[str, Case] = {}
