"""Periodic member reports in the member portal: /portal/reports/…"""

from django.urls import path

from health.views import reports_portal as views

app_name = "reports_portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:period_pk>/", views.report, name="report"),
]
