from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Treffen und Veranstaltungen")

    def ready(self) -> None:
        from events import privacy  # noqa: F401 – connects the DSGVO export and erasure receivers
