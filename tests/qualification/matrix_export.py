"""URL × persona expectations for the matrix exports (qualification/urls_export.py)."""

from __future__ import annotations

from tests.matrix import Case

EXPORT_MATRIX: dict[str, Case] = {}
