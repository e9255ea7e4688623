"""Manager pages of the Infobrief: /manage/<network_slug>/infobrief/…"""

from django.urls import path  # noqa: F401

app_name = "newsletters"

urlpatterns: list = []
