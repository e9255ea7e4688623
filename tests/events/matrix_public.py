"""URL × persona expectations for events/urls_public.py (merged into tests/test_url_persona_matrix.py)."""

from __future__ import annotations

from tests.matrix import Case

PUBLIC_MATRIX: dict[str, Case] = {}
