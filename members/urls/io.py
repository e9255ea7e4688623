"""Import and export of organisations, contacts and memberships: /manage/<network_slug>/io/…"""

from django.urls import path

from members.views import io as views

app_name = "io"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
