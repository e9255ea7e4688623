from django.urls import path  # noqa: F401

app_name = "health_surveys"

urlpatterns: list = []
