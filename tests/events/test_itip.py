"""Meetings in people's calendars (iTIP, RFC 5546), checked on the raw bytes a real SMTP server received.

An invitation is METHOD:REQUEST with the network office as ORGANIZER and the person as
ATTENDEE; moving the meeting sends REQUEST again with the same UID and SEQUENCE 1, 2, …;
cancelling it sends METHOD:CANCEL. Times carry TZID=Europe/Berlin and a VTIMEZONE.
"""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events import invitations, services
from events.models import Meeting, MeetingMessage, Registration
from members.models import Contact
from tests.conftest import start_smtp_sink
from verbund.celery import app

OFFICE = "geschaeftsstelle@netz-x.example"


@pytest.fixture
def smtp(tmp_path, settings):
    """Both mailers talk SMTP to a real aiosmtpd; tasks run in the test. Yields a reader of the raw messages received."""
    import json

    out = tmp_path / "smtp.jsonl"
    proc, port = start_smtp_sink(out)
    smtp_mailer = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}}
    settings.MAILERS = {"default": smtp_mailer, "newsletter": smtp_mailer}
    before, app.conf.task_always_eager = app.conf.task_always_eager, True

    def received() -> list[dict]:
        return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []

    yield received
    app.conf.task_always_eager = before
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    world.network_x.office_email = OFFICE
    world.network_x.save(update_fields=["office_email"])
    day = timezone.localdate() + timedelta(days=30)
    return services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Koordinierungstreffen Münsterland",
            "starts_at": services.meeting_at(day, 10),
            "ends_at": services.meeting_at(day, 15, 30),
            "venue_name": "Kreishaus Steinfurt",
            "venue_address": "Tecklenburger Str. 10, 48565 Steinfurt",
        },
    )


def calendar_part(raw: str) -> tuple[email.message.EmailMessage, str]:
    """The text/calendar part of a raw message and its text exactly as received (only the transfer encoding undone)."""
    message = email.message_from_string(raw, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part, part.get_content()
    raise AssertionError("no text/calendar part")


def subject(mail: dict) -> str:
    return str(email.message_from_string(mail["raw"], policy=email.policy.default)["Subject"])


def event_of(text: str) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    return cal, cal.walk("VEVENT")[0]


def test_an_invitation_is_an_itip_request_from_the_office_to_the_person(world, manager_x, meeting, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="all")
    raws = {m["rcpt_tos"][0]: m["raw"] for m in smtp()}
    assert set(raws) == {"member_a_x@example.org", "member_b_x@example.org"}
    raw = raws["member_a_x@example.org"]
    assert f"Reply-To: {OFFICE}" in raw.replace("\r\n", "\n").split("\n\n", 1)[0]  # in the headers, verbatim
    part, text = calendar_part(raw)
    assert part.get_param("method") == "REQUEST"
    assert "\r\nMETHOD:REQUEST\r\n" in text
    assert "DTSTART;TZID=Europe/Berlin:" in text and "\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" in text
    cal, event = event_of(text)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]) == f"mailto:{OFFICE}" and event["ORGANIZER"].params["CN"] == "Netzwerk X"
    assert str(event["ATTENDEE"]) == "mailto:member_a_x@example.org"
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["SEQUENCE"] == 0
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"


def test_moving_the_meeting_sends_updates_with_the_same_uid_and_sequence_1_then_2(world, manager_x, meeting, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="primary")
    a = Contact.objects.get(organisation=world.org_a)
    services.registration_register(meeting=meeting, by=manager_x, contact=a, by_manager=True)
    uid = str(event_of(calendar_part(smtp()[0]["raw"])[1])[1]["UID"])
    before = len(smtp())

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"starts_at": meeting.starts_at + timedelta(hours=1)})
    first_update = smtp()[before:]
    assert sorted(m["rcpt_tos"][0] for m in first_update) == ["member_a_x@example.org", "member_b_x@example.org"]  # registered and invited
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"venue_name": "Rathaus Rheine"})
    second_update = smtp()[before + 2 :]
    assert len(second_update) == 2

    for mails, sequence in ((first_update, 1), (second_update, 2)):
        for mail in mails:
            part, text = calendar_part(mail["raw"])
            cal, event = event_of(text)
            assert part.get_param("method") == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
            assert str(event["UID"]) == uid
            assert event["SEQUENCE"] == sequence
            assert subject(mail).startswith("Geändert: Koordinierungstreffen")
    registered = next(m for m in second_update if m["rcpt_tos"] == ["member_a_x@example.org"])
    assert event_of(calendar_part(registered["raw"])[1])[1]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(event_of(calendar_part(second_update[0]["raw"])[1])[1]["LOCATION"]).startswith("Rathaus Rheine")
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 2
    assert MeetingMessage.objects.filter(meeting=meeting, kind="update").count() == 2


def test_a_change_of_the_title_alone_sends_nothing_and_keeps_the_sequence(world, manager_x, meeting, smtp, django_capture_on_commit_callbacks):
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"title": "Koordinierungstreffen (2. Halbjahr)"})
    meeting.refresh_from_db()
    assert smtp() == [] and meeting.ics_sequence == 0


def test_cancelling_the_meeting_sends_itip_cancel_to_everyone_registered_or_invited(world, manager_x, meeting, smtp, django_capture_on_commit_callbacks):
    b = Contact.objects.get(organisation=world.org_b)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="selected", contact_ids=[b.pk])
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    services.registration_register(meeting=meeting, by=manager_x, guest={"name": "Gast ohne Adresse"}, by_manager=True)
    before = len(smtp())
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"status": Meeting.Status.CANCELLED})
    cancels = smtp()[before:]
    assert sorted(m["rcpt_tos"][0] for m in cancels) == ["member_a_x@example.org", "member_b_x@example.org"]
    for mail in cancels:
        part, text = calendar_part(mail["raw"])
        cal, event = event_of(text)
        assert part.get_param("method") == "CANCEL" and str(cal["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
        assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
        assert subject(mail).startswith("Abgesagt: ")


def test_the_network_feed_carries_the_same_uid_sequence_and_local_times(client, world, manager_x, meeting, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"starts_at": meeting.starts_at + timedelta(minutes=30)})
    text = client.get(reverse("network_calendar", args=["netz-x", world.network_x.calendar_token])).content.decode()
    cal, event = event_of(text)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@") and event["SEQUENCE"] == 1
    assert "DTSTART;TZID=Europe/Berlin:" in text and "BEGIN:VTIMEZONE" in text
    assert timezone.localtime(event.decoded("DTSTART")).hour == 10 and timezone.localtime(event.decoded("DTSTART")).minute == 30


def test_registering_in_the_portal_sends_a_confirmation_and_cancelling_sends_itip_cancel(client, world, meeting, smtp, django_capture_on_commit_callbacks):
    member = world.users["member_a_x"]
    client.force_login(member)
    contact = Contact.objects.get(user=member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal_events:register", args=[meeting.pk]), {"people": [contact.pk], "consent_participant_list": "on"})
    assert response.status_code == 302
    [confirmation] = smtp()
    assert confirmation["rcpt_tos"] == ["member_a_x@example.org"] and "angemeldet" in confirmation["raw"]
    part, text = calendar_part(confirmation["raw"])
    assert part.get_param("method") == "REQUEST"
    assert event_of(text)[1]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert f"Reply-To: {OFFICE}" in confirmation["raw"]

    with django_capture_on_commit_callbacks(execute=True):  # registering again is no news: no second mail
        client.post(reverse("portal_events:register", args=[meeting.pk]), {"people": [contact.pk]})
    assert len(smtp()) == 1

    registration = Registration.objects.get(meeting=meeting, contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal_events:cancel", args=[meeting.pk, registration.pk]))
    withdrawn = smtp()[1]
    assert subject(withdrawn).startswith("Abgemeldet: ")
    part, text = calendar_part(withdrawn["raw"])
    assert part.get_param("method") == "CANCEL" and str(event_of(text)[0]["METHOD"]) == "CANCEL"


def test_without_an_office_address_the_organizer_is_the_portal_sender_and_there_is_no_reply_to(world, manager_x, smtp, django_capture_on_commit_callbacks):
    day = timezone.localdate() + timedelta(days=9)
    meeting = services.meeting_create(
        network=world.network_x, by=manager_x, data={"title": "Ohne Büro", "starts_at": services.meeting_at(day, 9), "ends_at": services.meeting_at(day, 11)}
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="primary")
    raw = smtp()[0]["raw"]
    assert "Reply-To:" not in raw
    assert str(event_of(calendar_part(raw)[1])[1]["ORGANIZER"]) == "mailto:noreply@verbund.localhost"


def test_the_edit_form_says_how_many_people_a_change_of_time_or_place_will_reach(client, world, manager_x, meeting):
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    client.force_login(manager_x)
    page = client.get(reverse("events:meeting_edit", args=["netz-x", meeting.pk]))
    assert "bekommt 1 angemeldete oder eingeladene Person eine E-Mail" in page.text


def test_taking_back_a_cancellation_puts_the_meeting_back_into_calendars(world, manager_x, meeting, smtp, django_capture_on_commit_callbacks):
    """Found in review: reinstating a cancelled meeting sent nothing, so calendars kept it cancelled."""
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"status": Meeting.Status.CANCELLED})
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=manager_x, data={"status": Meeting.Status.INVITED})
    cancel, back = smtp()
    assert str(event_of(calendar_part(cancel["raw"])[1])[0]["METHOD"]) == "CANCEL"
    cal, event = event_of(calendar_part(back["raw"])[1])
    assert str(cal["METHOD"]) == "REQUEST" and str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] == 2
