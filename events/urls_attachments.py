"""URL patterns of events/views_attachments.py (under /manage/<network_slug>/meetings/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
