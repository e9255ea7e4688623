"""URLs of cooperation: needs manage (issue 19)."""

from django.urls import URLPattern

app_name = "needs"
urlpatterns: list[URLPattern] = []
