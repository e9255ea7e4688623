"""URLs of cooperation: questions manage (issue 19)."""

from django.urls import URLPattern

app_name = "questions"
urlpatterns: list[URLPattern] = []
