from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualificationConfig(AppConfig):
    name = "qualification"
    verbose_name = _("Qualifizierung")

    def ready(self) -> None:
        from qualification import privacy  # noqa: F401 – connects the DSGVO export receiver
