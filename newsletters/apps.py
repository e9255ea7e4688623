from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Infobriefe")

    def ready(self) -> None:
        from newsletters import bounces, privacy, receivers  # noqa: F401 – DSGVO, calendar and mail-failure receivers
