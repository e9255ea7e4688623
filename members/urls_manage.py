"""The manager's side of members: directory, organisation detail and editing, trash: /manage/<network_slug>/…"""

from django.urls import path  # noqa: F401

app_name = "directory"

urlpatterns: list = []
