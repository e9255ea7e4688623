"""Manager pages of the company check (templates: copy, revise, edit; rounds; the check during a visit): part of the `qualification` namespace."""

from django.urls import path

from qualification.views import checks as views

urlpatterns = [
    path("checks/", views.manage_checks, name="checks"),
    path("checks/templates/<int:pk>/", views.manage_template, name="check_template"),
    path("checks/templates/<int:pk>/copy/", views.manage_template_copy, name="check_template_copy"),
    path("checks/templates/<int:pk>/revise/", views.manage_template_revise, name="check_template_revise"),
    path("checks/templates/<int:pk>/edit/", views.manage_template_edit, name="check_template_edit"),
    path("checks/templates/<int:template_pk>/areas/new/", views.manage_area_edit, name="check_area_create"),
    path("checks/areas/<int:pk>/edit/", views.manage_area_edit, name="check_area_edit"),
    path("checks/areas/<int:pk>/delete/", views.manage_area_delete, name="check_area_delete"),
    path("checks/areas/<int:area_pk>/questions/new/", views.manage_question_edit, name="check_question_create"),
    path("checks/questions/<int:pk>/edit/", views.manage_question_edit, name="check_question_edit"),
    path("checks/questions/<int:pk>/delete/", views.manage_question_delete, name="check_question_delete"),
    path("checks/rounds/start/", views.manage_round_start, name="check_round_start"),
    path("checks/rounds/<int:pk>/", views.manage_round, name="check_round"),
    path("checks/rounds/<int:pk>/answer/", views.manage_round_answer, name="check_round_answer"),
]
