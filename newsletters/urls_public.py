"""Public Infobrief pages: /n/<network_slug>/infobrief/… (subscribe, confirm, unsubscribe, archive, logo)."""

from django.urls import path  # noqa: F401

app_name = "newsletter_public"

urlpatterns: list = []
