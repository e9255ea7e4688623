"""The portfolio of everyone who runs or funds several networks: /portfolio/…"""

from django.urls import path

from health.views import portfolio

app_name = "portfolio"

urlpatterns = [
    path("", portfolio.index, name="index"),
    path("portfolio.csv", portfolio.portfolio_csv, name="csv"),
    path("portfolio.xlsx", portfolio.portfolio_xlsx, name="xlsx"),
]
