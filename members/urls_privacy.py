"""DSGVO self-service for member users: /portal/privacy/…"""

from django.urls import path

from members import views_privacy

app_name = "privacy"

urlpatterns = [
    path("", views_privacy.privacy_overview, name="overview"),
    path("export.json", views_privacy.export_json, name="export_json"),
    path("export/", views_privacy.export_html, name="export_html"),
    path("export.pdf", views_privacy.export_pdf, name="export_pdf"),
]
