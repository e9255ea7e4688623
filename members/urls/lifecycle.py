"""Erasure, ending a relation to a person, and what is kept how long: /manage/<network_slug>/…"""

from django.urls import path

from members.views import lifecycle as views

app_name = "lifecycle"

urlpatterns = [
    path("contacts/<int:pk>/erase/", views.contact_erase, name="contact_erase"),
    path("contacts/<int:pk>/exit/", views.contact_exit, name="contact_exit"),
    path("contacts/<int:pk>/exit/undo/", views.contact_exit_undo, name="contact_exit_undo"),
    path("retention/", views.retention, name="retention"),
]
