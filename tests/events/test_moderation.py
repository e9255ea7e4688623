"""The newcomer's proof of the field declaration: "Moderation" on a meeting, edited in the form, in the PDF and the .ics.

Adding it touched the model (and its migration), the one declaration (MEETING_FIELDS, beside the model), the
documentation template, the calendar description template and this test.
"""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from events import services
from events.documents import document_request
from events.models import Meeting, MeetingDocument
from events.services_series import series_create
from tests.events.test_documents import pdf_text

MODERATION = "Dr. Käthe Müller, WESt mbH"


def _edit_form(meeting: Meeting, **changes: str) -> dict[str, str]:
    local = timezone.localtime
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "series": "",
        "starts_at": f"{local(meeting.starts_at):%Y-%m-%dT%H:%M}",
        "ends_at": f"{local(meeting.ends_at):%Y-%m-%dT%H:%M}",
        "venue_name": meeting.venue_name,
        "venue_address": "",
        "room": "",
        "phone_on_day": "",
        "moderation": meeting.moderation,
        "capacity": "",
        "registration_deadline": "",
        "status": meeting.status,
        "reminder_days": "3",
        "ask_for_feedback": "on",
        "description": meeting.description,
    }
    return data | changes


def test_moderation_is_edited_in_the_form_and_printed_in_the_documentation_and_the_calendar(
    client,
    world,
    manager_x,
    eager,
    django_capture_on_commit_callbacks,
):
    day = timezone.localdate() + timedelta(days=14)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Koordinierungstreffen",
            "venue_name": "Kreishaus Steinfurt",
            "description": "Programm folgt.",
            "starts_at": services.meeting_at(day, 10),
            "ends_at": services.meeting_at(day, 13),
        },
    )
    client.force_login(manager_x)
    response = client.post(reverse("events:meeting_edit", args=["netz-x", meeting.pk]), _edit_form(meeting, moderation=MODERATION))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.moderation == MODERATION

    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=meeting, kind=MeetingDocument.Kind.DOCUMENTATION)
    assert f"Moderation: {MODERATION}" in pdf_text(MeetingDocument.objects.get(meeting=meeting))

    raw = client.get(reverse("events:meeting_ics", args=["netz-x", meeting.pk])).content
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]) == f"Programm folgt.\n\nModeration: {MODERATION}"
    assert b"Moderation: Dr. K\xc3\xa4the M\xc3\xbcller\\, WESt mbH" in raw.replace(b"\r\n ", b"")  # escaped on the wire


def test_a_series_next_meeting_keeps_the_moderation(client, world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="Koordinierungstreffen")
    day = timezone.localdate() + timedelta(days=7)
    services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "KT 1",
            "series": series,
            "moderation": MODERATION,
            "starts_at": services.meeting_at(day, 10),
            "ends_at": services.meeting_at(day, 12),
        },
    )
    client.force_login(manager_x)
    response = client.get(reverse("events:series_next", args=["netz-x", series.pk]))
    assert response.context["form"].initial["moderation"] == MODERATION
