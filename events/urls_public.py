"""Public pages of a network's meetings: /n/<network_slug>/meetings/… (no login)."""

from django.urls import path  # noqa: F401

app_name = "public_events"

urlpatterns: list = []
