"""URLs of cooperation: outreach (issue 19)."""

from django.urls import URLPattern

app_name = "outreach"
urlpatterns: list[URLPattern] = []
