"""URLs of cooperation: practice projects and their decision papers (issue 19), under /manage/<network_slug>/projects/."""

from django.urls import path

from cooperation.views import projects as views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="index"),
    path("start/", views.project_start, name="start"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/summary/", views.project_summary, name="summary"),
    path("<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("<int:pk>/participants/<int:participant_pk>/role/", views.participant_role, name="participant_role"),
    path("<int:pk>/participants/<int:participant_pk>/remove/", views.participant_remove, name="participant_remove"),
    path("<int:pk>/links/", views.link_add, name="link_add"),
    path("<int:pk>/links/<int:link_pk>/delete/", views.link_delete, name="link_delete"),
    path("<int:pk>/links/<int:link_pk>/file/", views.link_file, name="link_file"),
    path("<int:pk>/papers/new/", views.paper_create, name="paper_create"),
    path("<int:pk>/papers/<int:paper_pk>/", views.paper_detail, name="paper_detail"),
    path("<int:pk>/papers/<int:paper_pk>/edit/", views.paper_edit, name="paper_edit"),
    path("<int:pk>/papers/<int:paper_pk>/decide/", views.paper_decide, name="paper_decide"),
    path("<int:pk>/papers/<int:paper_pk>/print/", views.paper_print, name="paper_print"),
    path("<int:pk>/papers/<int:paper_pk>/pdf/", views.paper_pdf, name="paper_pdf"),
]
