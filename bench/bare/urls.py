from django.urls import path

from bench.bare import views

urlpatterns = [
    path("hello/", views.hello),
    path("manage/", views.manager_start),
    path("manage/<slug:network_slug>/", views.network_start),
    path("manage/<slug:network_slug>/organisations/", views.directory),
    path("manage/<slug:network_slug>/organisations/<int:pk>/", views.organisation_detail),
    path("manage/<slug:network_slug>/meetings/<int:pk>/", views.meeting_detail),
    path("manage/<slug:network_slug>/meetings/<int:pk>/check-in/", views.check_in),
    path("manage/<slug:network_slug>/qualification/matrix/", views.matrix),
    path("portal/", views.portal_start),
    path("search/", views.search),
]
