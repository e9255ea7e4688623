"""URL × persona expectations for events/urls/calendar.py (merged into tests/test_url_persona_matrix.py).

A series in network X and one in Y are created on demand; writes touch X's series only
(the delete runs last, and the factories create a new series when it is gone).
"""

from __future__ import annotations

from django.urls import reverse

from events.models import MeetingSeries
from tests.events.matrix_events import NOBODY, X_ONLY, X_WRITE
from tests.matrix import Case, Target, statuses


def series(w, network_attr: str = "network_x") -> MeetingSeries:
    network = getattr(w, network_attr)
    return MeetingSeries.objects.filter(network=network).first() or MeetingSeries.objects.create(network=network, name=f"Reihe {network.slug}")


def s(name: str, network_attr: str = "network_x") -> callable:
    return lambda w: reverse(name, args=["netz-x", series(w, network_attr).pk])


def c(name: str, *args) -> callable:
    return lambda w: reverse(name, args=["netz-x", *args])


NEXT_MEETING = {"title": "Koordinierungstreffen", "kind": "coordination", "status": "planned", "starts_at": "2031-03-04T10:00", "ends_at": "2031-03-04T16:00"}

CALENDAR_MATRIX: dict[str, Case] = {
    "events:calendar": Case([Target(c("events:calendar"), X_ONLY)]),
    "events:calendar_month": Case(
        [
            Target(c("events:calendar_month", 2030, 12), X_ONLY),
            Target(c("events:calendar_month", 2030, 13), NOBODY),
            Target(c("events:calendar_month", 1999, 12), NOBODY),
            Target(c("events:calendar_month", 2101, 1), NOBODY),
        ]
    ),
    "events:series_list": Case([Target(c("events:series_list"), X_ONLY)]),
    "events:series_create": Case(
        [
            Target(c("events:series_create"), X_ONLY),
            Target(c("events:series_create"), X_WRITE, method="post", data=lambda w: {"name": "Runder Tisch Matrix"}, htmx=False),
        ]
    ),
    "events:series": Case(
        [
            Target(s("events:series"), X_ONLY),
            Target(s("events:series", "network_y"), NOBODY),  # Y's series through X's URL
        ]
    ),
    "events:series_edit": Case(
        [
            Target(s("events:series_edit"), X_ONLY),
            Target(s("events:series_edit", "network_y"), NOBODY),
            Target(s("events:series_edit"), X_WRITE, method="post", data=lambda w: {"name": "Reihe umbenannt"}, htmx=False),
        ]
    ),
    "events:series_next": Case(
        [
            Target(s("events:series_next"), X_ONLY),
            Target(s("events:series_next", "network_y"), NOBODY),
            Target(s("events:series_next"), X_WRITE, method="post", data=lambda w: NEXT_MEETING, htmx=False),
        ]
    ),
    "events:series_delete": Case(
        [
            Target(s("events:series_delete"), statuses(405), htmx=False),  # POST only, for everyone
            Target(s("events:series_delete", "network_y"), NOBODY, method="post", htmx=False),
            Target(s("events:series_delete"), X_WRITE, method="post", htmx=False),
        ]
    ),
}
