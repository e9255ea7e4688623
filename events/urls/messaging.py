"""The office's mails to a meeting's people (under /manage/<network_slug>/meetings/, namespace `events`)."""

from django.urls import path

from events.views import messaging as views

urlpatterns = [
    path("<int:pk>/messages/", views.message_log, name="messages"),
    path("<int:pk>/messages/<str:kind>/", views.message_send, name="message_send"),
]
