"""Member portal pages of the company check: part of the `qualification_portal` namespace."""

from django.urls import path

from qualification.views import checks as views

urlpatterns = [
    path("checks/", views.portal_checks, name="checks"),
    path("checks/<slug:network_slug>/templates/<int:template_pk>/start/", views.portal_start, name="check_start"),
    path("checks/rounds/<int:pk>/", views.portal_round, name="check_round"),
    path("checks/rounds/<int:pk>/answer/", views.portal_answer, name="check_answer"),
    path("checks/rounds/<int:pk>/share/", views.portal_share, name="check_share"),
    path("checks/rounds/<int:pk>/repeat/", views.portal_repeat, name="check_repeat"),
    path("checks/shares/<int:pk>/withdraw/", views.portal_withdraw, name="check_share_withdraw"),
]
