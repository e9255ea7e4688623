from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    """Cooperation in the network (issue 19): needs and offers with matching and round tables, practice projects with
    decision papers, questions to the office and topic suggestions, the office's contact log and acquisition."""

    name = "cooperation"
    verbose_name = _("Zusammenarbeit")

    def ready(self) -> None:
        from cooperation import (
            needs_signals,  # noqa: F401 – the need a round table came from, on the meeting page
            outreach_signals,  # noqa: F401 – the contact log on organisation pages, in export and erasure
            privacy,  # noqa: F401 – connects the DSGVO export and erasure receivers of needs and offers
            projects_privacy,  # noqa: F401 – connects the DSGVO export and erasure receivers of projects
            questions_privacy,  # noqa: F401 – connects the DSGVO export and erasure receivers of questions and suggestions
        )
