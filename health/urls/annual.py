from django.urls import path

from health.views import annual

app_name = "health_annual"

urlpatterns = [
    path("", annual.index, name="index"),
    path("<int:year>/", annual.report, name="report"),
    path("<int:year>/render/", annual.render_pdf, name="render"),
    path("<int:year>/pdf/", annual.download, name="download"),
]
