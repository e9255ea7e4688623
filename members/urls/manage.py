"""The manager's side of members: directory, organisation detail and editing, trash: /manage/<network_slug>/…"""

from django.urls import path

from members.views import manage as views

app_name = "directory"

urlpatterns = [
    path("organisations/", views.directory, name="directory"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/bulk/", views.bulk_action, name="bulk_action"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/membership/", views.membership_edit, name="membership_edit"),
    path("organisations/<int:pk>/trash/", views.organisation_trash, name="organisation_trash"),
    path("organisations/<int:pk>/restore/", views.organisation_restore, name="organisation_restore"),
    path("organisations/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/trash/", views.contact_trash, name="contact_trash"),
    path("contacts/<int:pk>/restore/", views.contact_restore, name="contact_restore"),
    path("contacts/<int:pk>/invite/", views.contact_invite, name="contact_invite"),
    path("contacts/<int:pk>/mail-block/lift/", views.contact_mail_block_lift, name="contact_mail_block_lift"),
    path("filters/", views.saved_filter_create, name="saved_filter_create"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("trash/", views.trash, name="trash"),
    path("governance/", views.governance, name="governance"),
    path("governance/<int:pk>/remove/", views.governance_remove, name="governance_remove"),
]
