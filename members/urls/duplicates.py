"""Duplicates and merges of a network's organisations and people: /manage/<network_slug>/duplicates/…"""

from django.urls import path

from members.views import duplicates as views

app_name = "duplicates"

urlpatterns = [
    path("", views.index, name="index"),
    path("organisations/<int:pk>/", views.organisation_candidates, name="organisation_candidates"),
    path("organisations/<int:pk>/merge/<int:other>/", views.organisation_merge, name="organisation_merge"),
    path("organisations/<int:pk>/not-duplicate/<int:other>/", views.organisation_dismiss, name="organisation_dismiss"),
    path("contacts/<int:pk>/merge/<int:other>/", views.contact_merge, name="contact_merge"),
    path("contacts/<int:pk>/not-duplicate/<int:other>/", views.contact_dismiss, name="contact_dismiss"),
    path("merges/<int:pk>/", views.merge_record, name="merge_record"),
]
