"""The month calendar and meeting series (under /manage/<network_slug>/meetings/, namespace `events`)."""

from django.urls import path

from events.views import calendar as views

urlpatterns = [
    path("calendar/", views.calendar_month, name="calendar"),
    path("calendar/<int:year>/<int:month>/", views.calendar_month, name="calendar_month"),
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_create_view, name="series_create"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("series/<int:pk>/delete/", views.series_delete_view, name="series_delete"),
    path("series/<int:pk>/next/", views.series_next, name="series_next"),
]
