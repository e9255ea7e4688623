"""URLs of cooperation: projects (issue 19)."""

from django.urls import URLPattern

app_name = "projects"
urlpatterns: list[URLPattern] = []
