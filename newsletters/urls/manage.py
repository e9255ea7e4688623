"""Manager pages of the Infobrief: /manage/<network_slug>/infobrief/…"""

from django.urls import path

from newsletters.views import manage as views

app_name = "newsletters"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("settings/", views.template_settings, name="settings"),
    path("entries/", views.entries, name="entries"),
    path("entries/new/", views.entry_edit, name="entry_create"),
    path("entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("<int:pk>/", views.infobrief, name="infobrief"),
    path("<int:pk>/audience/", views.audience, name="audience"),
    path("<int:pk>/content/", views.content, name="content"),
    path("<int:pk>/entries/", views.place, name="place"),
    path("<int:pk>/entries/<int:placement_pk>/move/<str:direction>/", views.placement_move, name="placement_move"),
    path("<int:pk>/entries/<int:placement_pk>/remove/", views.placement_remove, name="placement_remove"),
    path("<int:pk>/fill-dates/", views.fill_dates, name="fill_dates"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/test/", views.test_send, name="test_send"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
