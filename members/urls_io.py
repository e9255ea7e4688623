"""Import and export of organisations, contacts and memberships: /manage/<network_slug>/io/…"""

from django.urls import path  # noqa: F401

app_name = "io"

urlpatterns: list = []
