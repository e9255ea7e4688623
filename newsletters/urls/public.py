"""Public Infobrief pages: /n/<network_slug>/infobrief/… (subscribe, confirm, unsubscribe, archive, logo)."""

from django.urls import path

from newsletters.views import public as views

app_name = "newsletter_public"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:pk>/pdf/", views.archive_pdf, name="archive_pdf"),
    path("logo/", views.logo, name="logo"),
    path("images/<str:key>/", views.entry_image, name="entry_image"),
    path("archive/<int:pk>/", views.archive_issue, name="archive_issue"),
]
