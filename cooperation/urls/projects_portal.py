"""URLs of cooperation: the practice projects a member company takes part in (issue 19), under /portal/projects/."""

from django.urls import path

from cooperation.views import projects_portal as views

app_name = "portal_projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/links/<int:link_pk>/file/", views.link_file, name="link_file"),
]
