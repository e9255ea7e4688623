"""A network's indicators and its cluster-excellence view: /manage/<network_slug>/health/…"""

from django.urls import path

from health.views import indicators

app_name = "health"

urlpatterns = [
    path("", indicators.index, name="index"),
    path("kennzahlen.csv", indicators.indicators_csv, name="csv"),
    path("cluster/", indicators.cluster, name="cluster"),
    path("cluster.xlsx", indicators.cluster_xlsx, name="cluster_xlsx"),
    path("cluster.pdf", indicators.cluster_pdf, name="cluster_pdf"),
]
