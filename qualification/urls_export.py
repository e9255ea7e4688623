"""Exports of the qualification matrix (XLSX, PDF): part of the `qualification` namespace."""

urlpatterns: list = []
