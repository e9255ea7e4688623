"""URL patterns of events/views_invitations.py (filled in by its issue step)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
