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
]
