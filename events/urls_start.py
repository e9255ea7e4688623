from django.urls import path

from events import views_start

app_name = "manage"

urlpatterns = [
    path("", views_start.manage_index, name="index"),
    path("<slug:network_slug>/", views_start.network_home, name="network_home"),
]
