"""URLs of cooperation: needs portal (issue 19)."""

from django.urls import URLPattern

app_name = "portal_needs"
urlpatterns: list[URLPattern] = []
