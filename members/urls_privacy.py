"""DSGVO self-service for member users: /portal/privacy/…"""

from django.urls import path  # noqa: F401

app_name = "privacy"

urlpatterns: list = []
