"""Manager pages of meetings: /manage/<network_slug>/meetings/…"""

from django.urls import path

from events.urls import attachments, calendar, invitations, messaging
from events.views import editing, participants
from events.views import meetings as views

app_name = "events"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/ics/", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/agenda/<int:item_pk>/move/<str:direction>/", views.agenda_move, name="agenda_move"),
    path("<int:pk>/agenda/<int:item_pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("<int:pk>/agenda/<int:item_pk>/edit/", editing.agenda_edit, name="agenda_edit"),
    path("<int:pk>/agenda/<int:item_pk>/restore/", editing.agenda_restore, name="agenda_restore"),
    path("<int:pk>/registrations/", views.registration_add, name="registration_add"),
    path("<int:pk>/registrations/<int:registration_pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("<int:pk>/registrations/<int:registration_pk>/attendance/", views.registration_attendance, name="registration_attendance"),
    path("<int:pk>/registrations/<int:registration_pk>/consent/", views.registration_consent, name="registration_consent"),
    path("<int:pk>/registrations/bulk/", participants.registrations_bulk, name="registrations_bulk"),
    path("<int:pk>/registrations/attendance/undo/", participants.registrations_attendance_undo, name="registrations_attendance_undo"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/check-in/walk-in/", views.walk_in, name="walk_in"),
    path("<int:pk>/minutes/", views.minute_add, name="minute_add"),
    path("<int:pk>/minutes/<int:entry_pk>/edit/", editing.minute_edit, name="minute_edit"),
    path("<int:pk>/minutes/<int:entry_pk>/move/<str:direction>/", editing.minute_move, name="minute_move"),
    path("<int:pk>/minutes/<int:entry_pk>/delete/", editing.minute_delete, name="minute_delete"),
    path("<int:pk>/minutes/<int:entry_pk>/restore/", editing.minute_restore, name="minute_restore"),
    path("<int:pk>/action-items/", views.action_item_add, name="action_item_add"),
    path("<int:pk>/action-items/<int:item_pk>/edit/", editing.action_item_edit, name="action_item_edit"),
    path("<int:pk>/action-items/<int:item_pk>/delete/", editing.action_item_delete, name="action_item_delete"),
    path("<int:pk>/action-items/<int:item_pk>/restore/", editing.action_item_restore, name="action_item_restore"),
    path("action-items/<int:item_pk>/done/", views.action_item_done, name="action_item_done"),
    path("<int:pk>/documents/<str:kind>/", views.document_status, name="document"),
    path("<int:pk>/documents/<str:kind>/render/", views.document_request, name="document_request"),
    path("<int:pk>/documents/<str:kind>/download/", views.document_download, name="document_download"),
]

# Calendar and series, invitations and attachments live in their own modules.
urlpatterns += calendar.urlpatterns + invitations.urlpatterns + attachments.urlpatterns + messaging.urlpatterns
