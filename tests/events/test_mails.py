"""Waitlist promotion mail and reminders N days before, each with the meeting as .ics."""

from __future__ import annotations

import email
from datetime import timedelta

import icalendar
from django.utils import timezone

from events import services
from events.models import Registration
from members.models import Contact
from tests.conftest import mail_text


def meeting_in(world, manager, days: int, **extra):
    day = timezone.localdate() + timedelta(days=days)
    return services.meeting_create(
        network=world.network_x,
        by=manager,
        data={"title": "Koordinierungstreffen", "starts_at": services.meeting_at(day, 10), "ends_at": services.meeting_at(day, 12), **extra},
    )


def ics_of(raw: str) -> icalendar.Calendar:
    for part in email.message_from_string(raw).walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no .ics attached")


def test_promoted_person_gets_a_mail_with_the_ics(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    meeting = meeting_in(world, manager_x, 20, capacity=1)
    first = services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a))
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_b))
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first, by=manager_x)
    mails = mailoutbox_files()
    assert len(mails) == 2  # the cancelled person gets her confirmation (iTIP CANCEL), the next one her seat
    [promoted] = [m for m in mails if "To: member_b_x@example.org" in m]
    assert "Sie standen auf der Warteliste" in mail_text(promoted)
    assert str(ics_of(promoted).walk("VEVENT")[0]["SUMMARY"]) == "Koordinierungstreffen"
    assert str(ics_of(promoted)["METHOD"]) == "REQUEST"


def test_reminders_go_out_once_within_the_window(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    soon = meeting_in(world, manager_x, 2, reminder_days=3)
    later = meeting_in(world, manager_x, 10, reminder_days=3)
    services.registration_register(meeting=soon, by=manager_x, contact=Contact.objects.get(organisation=world.org_a))
    services.registration_register(meeting=later, by=manager_x, contact=Contact.objects.get(organisation=world.org_a))
    services.registration_register(meeting=soon, by=manager_x, guest={"name": "Ohne Adresse"}, by_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 0  # never twice
    mails = mailoutbox_files()
    assert len(mails) == 1 and "Erinnerung: Koordinierungstreffen" in mails[0]
    assert Registration.objects.filter(meeting=later, reminded_at__isnull=True).count() == 1
