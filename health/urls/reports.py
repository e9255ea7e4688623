"""Periodic member reports for managers: /manage/<network_slug>/health/reports/…"""

from django.urls import path

from health.views import reports as views

app_name = "health_reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.request_create, name="request_create"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("<int:pk>/open/", views.period_open, name="period_open"),
    path("periods/<int:period_pk>/", views.period_detail, name="period"),
    path("periods/<int:period_pk>/remind/", views.period_remind, name="period_remind"),
    path("periods/<int:period_pk>/answers.csv", views.period_csv, name="period_csv"),
]
