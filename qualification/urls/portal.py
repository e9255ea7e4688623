"""Member portal pages of the Qualifizierungsverbund: /portal/qualification/…"""

from django.urls import include, path

from qualification.views import portal as views

app_name = "qualification_portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("qualification.urls.portal_checks")),
    path("<slug:network_slug>/needs/", views.needs, name="needs"),
    path("<slug:network_slug>/needs/<int:topic_pk>/", views.need_edit, name="need_edit"),
    path("<slug:network_slug>/courses/", views.course_list, name="courses"),
    path("<slug:network_slug>/courses/<int:pk>/", views.course, name="course"),
    path("<slug:network_slug>/courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("<slug:network_slug>/courses/<int:pk>/enrolments/<int:enrolment_pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("<slug:network_slug>/courses/<int:pk>/files/<int:file_pk>/", views.file_download, name="file_download"),
]
