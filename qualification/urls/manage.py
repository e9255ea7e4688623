"""Manager pages of the Qualifizierungsverbund: /manage/<network_slug>/qualification/…"""

from django.urls import include, path

from qualification.views import manage as views
from qualification.views import matrix as matrix_views

app_name = "qualification"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/", views.topics, name="topics"),
    path("topics/<int:pk>/", views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/archive/", views.topic_archive, name="topic_archive"),
    path("matrix/", matrix_views.matrix_view, name="matrix"),
    path("matrix/<int:organisation_pk>/<int:topic_pk>/", matrix_views.cell, name="cell"),
    path("alignment/", views.alignment, name="alignment"),
    path("alignment/proposal/", views.proposal, name="proposal"),
    path("courses/", views.course_list, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:pk>/status/", views.course_status, name="course_status"),
    path("courses/<int:pk>/sessions/", views.session_add, name="session_add"),
    path("courses/<int:pk>/sessions/<int:session_pk>/delete/", views.session_delete, name="session_delete"),
    path("courses/<int:pk>/sessions/<int:session_pk>/attendance/", views.attendance, name="attendance"),
    path("courses/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("courses/<int:pk>/enrolments/<int:enrolment_pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("courses/<int:pk>/documentation/", views.documentation, name="documentation"),
    path("courses/<int:pk>/files/", views.file_add, name="file_add"),
    path("courses/<int:pk>/files/<int:file_pk>/", views.file_download, name="file_download"),
    path("courses/<int:pk>/files/<int:file_pk>/delete/", views.file_delete, name="file_delete"),
    path("indicators/", views.indicator_view, name="indicators"),
    path("", include("qualification.urls.templates")),
    path("", include("qualification.urls.exports")),
]
