"""URLs of cooperation: questions portal (issue 19)."""

from django.urls import URLPattern

app_name = "portal_questions"
urlpatterns: list[URLPattern] = []
