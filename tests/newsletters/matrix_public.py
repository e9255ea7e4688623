"""URL × persona expectations for the Infobrief (public pages), merged into tests/test_url_persona_matrix.py."""

from __future__ import annotations

from tests.matrix import Case

NEWSLETTER_PUBLIC_MATRIX: dict[str, Case] = {}
