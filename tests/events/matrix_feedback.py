"""URL × persona expectations for events/urls/feedback.py: the signed link is the key, whoever is logged in."""

from __future__ import annotations

from django.urls import reverse

from events.feedback import PURPOSE
from events.tokens import make_token
from tests.events.matrix_events import registration
from tests.matrix import Case, Target, statuses

FEEDBACK_MATRIX: dict[str, Case] = {
    "feedback:answer": Case(
        [
            Target(lambda w: reverse("feedback:answer", args=[make_token(PURPOSE, registration(w).pk)]), statuses(200), htmx=False),
            Target(lambda w: reverse("feedback:answer", args=["gefälscht"]), statuses(404), htmx=False),
            Target(lambda w: reverse("feedback:answer", args=[make_token("registration-cancel", registration(w).pk)]), statuses(404), htmx=False),
        ]
    ),
}
