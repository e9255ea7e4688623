"""URLs of cooperation: needs and offers in the manager's area (issue 19), under /manage/<network_slug>/cooperation/."""

from django.urls import path

from cooperation.views import needs_manage as views

app_name = "needs"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_create, name="create"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/status/", views.entry_status, name="status"),
    path("<int:pk>/match/", views.match_decide, name="match"),
    path("<int:pk>/round-table/", views.round_table, name="round_table"),
]
