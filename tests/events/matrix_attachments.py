"""URL × persona expectations for events/urls/attachments.py (merged into tests/test_url_persona_matrix.py)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.attachments import attachment_add
from events.models import MeetingAttachment, MeetingLogo
from tests.events.matrix_events import NOBODY, X_ONLY, X_WRITE, agenda_item, meeting
from tests.hostile_files import JPEG
from tests.matrix import Case, Target


def photo(w) -> MeetingAttachment:
    m = meeting(w)
    return m.attachments.first() or attachment_add(
        meeting=m, by=w.users["manager_x"], kind="photo", upload=SimpleUploadedFile("m.jpg", JPEG, "image/jpeg"), title="Matrix"
    )


def a(name: str, *extra) -> callable:
    return lambda w: reverse(name, args=["netz-x", meeting(w).pk, photo(w).pk, *extra])


def meeting_logo(network_attr: str):
    def make(w) -> int:
        m = meeting(w, network_attr)
        logo, _ = MeetingLogo.objects.get_or_create(meeting=m, name="Matrix", defaults={"role": "partner", "logo": "logos/matrix.png"})
        return logo.pk

    return make


def documentation(name: str, *extra) -> callable:
    return lambda w: reverse(name, args=["netz-x", meeting(w).pk, *[e(w) for e in extra]])


ATTACHMENTS_MATRIX: dict[str, Case] = {
    "events:attachments": Case(
        [
            Target(lambda w: reverse("events:attachments", args=["netz-x", meeting(w).pk]), X_ONLY),
            Target(lambda w: reverse("events:attachments", args=["netz-x", meeting(w, "network_y").pk]), NOBODY),
            Target(  # an upload without a file: the form again with a message
                lambda w: reverse("events:attachments", args=["netz-x", meeting(w).pk]),
                {**X_WRITE, "manager_x": 400, "manager_xy": 400},
                method="post",
                data=lambda w: {"kind": "photo"},
                htmx=False,
            ),
        ]
    ),
    "events:attachment_edit": Case(
        [Target(a("events:attachment_edit"), X_WRITE, method="post", data=lambda w: {"title": "Neu", "people_shown": "none"}, htmx=False)]
    ),
    "events:attachment_delete": Case([Target(a("events:attachment_delete"), X_WRITE, method="post", htmx=False)]),
    "events:attachment_download": Case([Target(a("events:attachment_download"), X_ONLY, htmx=False)]),
    "events:attachment_thumbnail": Case([Target(a("events:attachment_thumbnail"), X_ONLY, htmx=False)]),
    "events:agenda_summary": Case([Target(lambda w: reverse("events:agenda_summary", args=["netz-x", meeting(w).pk, agenda_item(w).pk]), X_ONLY)]),
    "events:documentation_settings": Case(
        [
            Target(documentation("events:documentation_settings"), X_ONLY),
            Target(lambda w: reverse("events:documentation_settings", args=["netz-x", meeting(w, "network_y").pk]), NOBODY),
            Target(
                documentation("events:documentation_settings"),
                X_WRITE,
                method="post",
                data=lambda w: {"slides_placement": "with_item", "network_logos": "on"},
                htmx=False,
            ),
        ]
    ),
    "events:meeting_logo_add": Case(  # without a file: the page again with the message
        [
            Target(
                documentation("events:meeting_logo_add"),
                {**X_WRITE, "manager_x": 400, "manager_xy": 400},
                method="post",
                data=lambda w: {"role": "partner", "name": "Kreis"},
                htmx=False,
            )
        ]
    ),
    "events:meeting_logo_remove": Case(
        [
            Target(documentation("events:meeting_logo_remove", meeting_logo("network_x")), X_WRITE, method="post", htmx=False),
            Target(  # Y's meeting logo under X's meeting
                lambda w: reverse("events:meeting_logo_remove", args=["netz-x", meeting(w).pk, meeting_logo("network_y")(w)]), NOBODY, method="post", htmx=False
            ),
        ]
    ),
}
