from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("networks/<slug:network_slug>/", views.portal_network, name="portal_network"),
]
