"""URL × persona expectations for events/urls/invitations.py (merged into tests/test_url_persona_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.events.matrix_events import NOBODY, X_ONLY, meeting
from tests.matrix import Case, Target

INVITATIONS_MATRIX: dict[str, Case] = {
    "events:invite": Case(
        [
            Target(lambda w: reverse("events:invite", args=["netz-x", meeting(w).pk]), X_ONLY),
            Target(lambda w: reverse("events:invite", args=["netz-x", meeting(w, "network_y").pk]), NOBODY),
            Target(  # a preview changes nothing and shows who would get the mail
                lambda w: reverse("events:invite", args=["netz-x", meeting(w).pk]),
                {**NOBODY, "manager_x": 200, "manager_xy": 200},
                method="post",
                data=lambda w: {"audience": "all", "preview": "1"},
                htmx=False,
            ),
        ]
    ),
}
