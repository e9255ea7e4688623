"""A meeting's attachments and talk summaries (under /manage/<network_slug>/meetings/, namespace `events`)."""

from django.urls import path

from events.views import attachments as views

urlpatterns = [
    path("<int:pk>/attachments/", views.attachments, name="attachments"),
    path("<int:pk>/attachments/<int:attachment_pk>/edit/", views.attachment_edit, name="attachment_edit"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/attachments/<int:attachment_pk>/download/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/attachments/<int:attachment_pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
    path("<int:pk>/agenda/<int:item_pk>/summary/", views.agenda_summary, name="agenda_summary"),
    path("<int:pk>/documentation/", views.documentation_settings, name="documentation_settings"),
    path("<int:pk>/documentation/logos/", views.meeting_logo_upload, name="meeting_logo_add"),
    path("<int:pk>/documentation/logos/<int:logo_pk>/delete/", views.meeting_logo_remove, name="meeting_logo_remove"),
]
