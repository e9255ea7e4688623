"""The pulse after a meeting: /feedback/<token>/ (no login, the signed link is the key)."""

from django.urls import path

from events.views import feedback as views

app_name = "feedback"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
]
