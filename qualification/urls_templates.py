"""Manager pages of the check templates (copy, revise, edit): part of the `qualification` namespace."""

urlpatterns: list = []
