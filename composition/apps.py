from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompositionConfig(AppConfig):
    """What composes several apps: the manager's start pages and the demo data of every app.

    The one place allowed to import all apps (tests/test_layering.py); no app imports it.
    """

    name = "composition"
    verbose_name = _("Übersicht")
