"""URL × persona expectations for the DSGVO URLs (members.urls_privacy)."""

from tests.matrix import Case

PRIVACY_MATRIX: dict[str, Case] = {}
