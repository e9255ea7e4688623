"""URLs of cooperation: outreach, the office's contact log and acquisition (issue 19), under /manage/<network_slug>/outreach/."""

from django.urls import path

from cooperation.views import outreach as views

app_name = "outreach"
urlpatterns = [
    path("", views.log_list, name="log"),
    path("organisation/<int:org_pk>/new/", views.log_create, name="log_create"),
    path("<int:pk>/done/", views.step_done, name="step_done"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline/start/<int:membership_pk>/", views.prospect_start, name="prospect_start"),
    path("pipeline/<int:pk>/move/", views.prospect_move, name="prospect_move"),
]
