"""Manager pages of the Qualifizierungsverbund: /manage/<network_slug>/qualification/…"""

from django.urls import include, path

from qualification import views_manage as views

app_name = "qualification"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("qualification.urls_templates")),
    path("", include("qualification.urls_export")),
]
