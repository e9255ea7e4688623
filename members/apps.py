from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Mitglieder")

    def ready(self) -> None:
        from members import undeliverable  # noqa: F401 – marks contacts whose address a mail server refused
