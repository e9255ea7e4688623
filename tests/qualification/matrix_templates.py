"""URL × persona expectations for the check template pages (qualification/urls_templates.py)."""

from __future__ import annotations

from tests.matrix import Case

TEMPLATES_MATRIX: dict[str, Case] = {}
