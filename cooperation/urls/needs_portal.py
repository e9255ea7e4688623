"""URLs of cooperation: needs and offers in the member portal (issue 19), under /portal/cooperation/."""

from django.urls import path

from cooperation.views import needs_portal as views

app_name = "portal_needs"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_create, name="create"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/withdraw/", views.entry_withdraw, name="withdraw"),
]
