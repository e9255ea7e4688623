"""The satisfaction survey's answer sheet: /survey/<token>/ (no login, the personal link is the key)."""

from django.urls import path

from health.views import survey_public as views

app_name = "survey_public"

urlpatterns = [
    path("danke/", views.thanks, name="thanks"),  # before the token: "danke" is never a token (43 characters)
    path("<str:token>/", views.answer, name="answer"),
]
