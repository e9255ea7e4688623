from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerbundConfig(AppConfig):
    name = "verbund"
    verbose_name = _("Verbünde")
