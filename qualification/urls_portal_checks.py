"""Member portal pages of the company check: part of the `qualification_portal` namespace."""

urlpatterns: list = []
