"""The pulse after a meeting: /feedback/<token>/ (no login, the signed link is the key)."""

from django.urls import path  # noqa: F401

app_name = "feedback"

urlpatterns: list = []
