"""URL × persona expectations for events/urls_calendar.py (merged into tests/test_url_persona_matrix.py)."""

from __future__ import annotations

from tests.matrix import Case

CALENDAR_MATRIX: dict[str, Case] = {}
