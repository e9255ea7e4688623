"""DSGVO self-service for member users: /portal/privacy/…"""

from django.urls import path

from members.views import privacy as views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_overview, name="overview"),
    path("export.json", views.export_json, name="export_json"),
    path("export/", views.export_html, name="export_html"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
]
