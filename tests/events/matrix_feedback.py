"""URL × persona expectations for events/urls_feedback.py (merged into tests/test_url_persona_matrix.py)."""

from __future__ import annotations

from tests.matrix import Case

FEEDBACK_MATRIX: dict[str, Case] = {}
