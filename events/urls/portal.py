from django.urls import path

from events.views import portal as views

app_name = "portal_events"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/ics/", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/registrations/<int:registration_pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/documentation/", views.documentation, name="documentation"),
]
