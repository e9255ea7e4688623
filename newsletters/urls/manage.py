"""Manager pages of the Infobrief: /manage/<network_slug>/infobrief/…"""

from django.urls import path

from newsletters.views import manage as views
from newsletters.views import wizard

app_name = "newsletters"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("settings/", views.template_settings, name="settings"),
    path("entries/", views.entries, name="entries"),
    path("entries/new/", views.entry_edit, name="entry_create"),
    path("entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    # The wizard: the Infobrief's address leads to its next open step.
    path("<int:pk>/", wizard.infobrief, name="infobrief"),
    path("<int:pk>/audience/", wizard.audience, name="audience"),
    path("<int:pk>/content/", wizard.content, name="content"),
    path("<int:pk>/entries/", wizard.place, name="place"),
    path("<int:pk>/entries/<int:placement_pk>/move/<str:direction>/", wizard.placement_move, name="placement_move"),
    path("<int:pk>/entries/<int:placement_pk>/remove/", wizard.placement_remove, name="placement_remove"),
    path("<int:pk>/fill-dates/", wizard.fill_dates, name="fill_dates"),
    path("<int:pk>/preview/", wizard.preview, name="preview"),
    path("<int:pk>/preview/mail/", wizard.preview_mail, name="preview_mail"),
    path("<int:pk>/test/", wizard.test_send, name="test_send"),
    path("<int:pk>/send/", wizard.send, name="send"),
    path("<int:pk>/progress/", wizard.progress, name="progress"),
    path("<int:pk>/pause/", wizard.pause, name="pause"),
    path("<int:pk>/resume/", wizard.resume, name="resume"),
    path("<int:pk>/cancel/", wizard.cancel, name="cancel"),
    path("<int:pk>/retry/", wizard.retry, name="retry"),
]
