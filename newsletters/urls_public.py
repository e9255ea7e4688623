"""Public Infobrief pages: /n/<network_slug>/infobrief/… (subscribe, confirm, unsubscribe, archive, logo)."""

from django.urls import path

from newsletters import views_links

app_name = "newsletter_public"

urlpatterns = [
    path("", views_links.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views_links.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views_links.unsubscribe, name="unsubscribe"),
    path("archive/", views_links.archive, name="archive"),
    path("archive/<int:pk>/pdf/", views_links.archive_pdf, name="archive_pdf"),
    path("logo/", views_links.logo, name="logo"),
    path("images/<int:entry_pk>/", views_links.entry_image, name="entry_image"),
    path("archive/<int:pk>/", views_links.archive_issue, name="archive_issue"),
]
