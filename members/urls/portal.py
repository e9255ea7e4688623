from django.urls import path

from members.views import portal as views

app_name = "members"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("profile/", views.portal_profile_edit, name="portal_profile_edit"),
    path("contacts/new/", views.portal_contact_create, name="portal_contact_create"),
    path("contacts/<int:pk>/edit/", views.portal_contact_edit, name="portal_contact_edit"),
    path("contacts/<int:pk>/remove/", views.portal_contact_remove, name="portal_contact_remove"),
    path("consents/", views.portal_consents, name="portal_consents"),
    path("networks/<slug:network_slug>/", views.portal_network, name="portal_network"),
    path("networks/<slug:network_slug>/members/", views.portal_member_directory, name="portal_member_directory"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
