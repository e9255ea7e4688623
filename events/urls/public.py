"""Public pages of a network's meetings: /n/<network_slug>/meetings/… (no login)."""

from django.urls import path

from events.views import public as views

app_name = "public_events"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("<int:pk>/reply/<str:token>/", views.reply, name="reply"),
    path("<int:pk>/cancel/<str:token>/", views.cancel, name="cancel"),
    path("<int:pk>/documentation/<str:token>/", views.documentation, name="documentation"),
]
