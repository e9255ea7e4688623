"""URL × persona expectations for the import/export URLs (members.urls_io)."""

from tests.matrix import Case

IO_MATRIX: dict[str, Case] = {}
