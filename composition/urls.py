from django.urls import path

from composition import views

app_name = "manage"

urlpatterns = [
    path("", views.manage_index, name="index"),
    path("<slug:network_slug>/", views.network_home, name="network_home"),
]
