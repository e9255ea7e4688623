"""The satisfaction survey for the office: /manage/<network_slug>/health/surveys/…"""

from django.urls import path

from health.views import surveys as views

app_name = "health_surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("create/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/settings/", views.update, name="update"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/questions/add/", views.question_add, name="question_add"),
    path("<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/questions/<int:question_pk>/move/<str:direction>/", views.question_move, name="question_move"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
]
