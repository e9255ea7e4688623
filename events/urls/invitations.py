"""Inviting an audience (under /manage/<network_slug>/meetings/, namespace `events`)."""

from django.urls import path

from events.views import invitations as views

urlpatterns = [
    path("<int:pk>/invite/", views.invite, name="invite"),
]
