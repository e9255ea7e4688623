"""Exports of the qualification matrix (XLSX, PDF): part of the `qualification` namespace."""

from django.urls import path

from qualification.views import exports as views

urlpatterns: list = [
    path("matrix/export.xlsx", views.matrix_xlsx, name="matrix_xlsx"),
    path("matrix/export.pdf", views.matrix_pdf, name="matrix_pdf"),
]
