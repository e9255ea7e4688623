"""Member portal pages of the Qualifizierungsverbund: /portal/qualification/…"""

from django.urls import include, path

from qualification import views_portal as views

app_name = "qualification_portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("qualification.urls_portal_checks")),
]
