"""Public Infobrief pages: /n/<network_slug>/infobrief/… (subscribe, confirm, unsubscribe, archive, logo)."""

from django.urls import path

from newsletters import views_links

app_name = "newsletter_public"

urlpatterns = [
    path("unsubscribe/<str:token>/", views_links.unsubscribe, name="unsubscribe"),
    path("logo/", views_links.logo, name="logo"),
    path("archive/<int:pk>/", views_links.archive_issue, name="archive_issue"),
]
