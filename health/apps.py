from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Verbundgesundheit")

    def ready(self) -> None:
        from health import (
            reports_privacy,  # noqa: F401 – connects the DSGVO export and erasure receivers of member reports
            survey_privacy,  # noqa: F401 – connects the DSGVO export and erasure receivers of the survey
        )
