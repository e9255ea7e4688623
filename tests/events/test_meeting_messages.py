"""From the meeting page: a reminder now, the documentation, a message to everyone registered.

Each asks first and names the number; each leaves a per-person record of what was sent when.
"""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import documents, messaging, services
from events.models import Meeting, MeetingDocument, MeetingMessage, MeetingMessageRecipient, Registration
from members.models import Contact
from tests.conftest import mail_text, start_smtp_sink
from verbund.celery import app


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=14)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "AG Windenergie", "starts_at": services.meeting_at(day, 14), "ends_at": services.meeting_at(day, 17), "reminder_days": 3},
    )
    for org in (world.org_a, world.org_b):
        services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=org), by_manager=True)
    services.registration_register(meeting=meeting, by=manager_x, guest={"name": "Gast ohne Adresse"}, by_manager=True)
    return meeting


def url(meeting: Meeting, kind: str) -> str:
    return reverse("events:message_send", args=[meeting.network.slug, meeting.pk, kind])


def test_a_reminder_now_asks_with_the_number_then_sends_and_the_automatic_one_stays_away(
    client, world, manager_x, meeting, mailoutbox_files, django_capture_on_commit_callbacks
):
    client.force_login(manager_x)
    page = client.get(url(meeting, "reminder"))
    assert page.status_code == 200 and "2 Personen bekommen diese Nachricht" in page.text and "1 Person ohne E-Mail-Adresse" in page.text
    asked = client.post(url(meeting, "reminder"), {})
    assert "Wirklich an 2 Personen senden?" in asked.text and mailoutbox_files() == []  # asking sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url(meeting, "reminder"), {"confirm": "1"}, follow=True)
    assert "Die Nachricht an 2 Personen wird versendet." in done.text
    mails = mailoutbox_files()
    assert len(mails) == 2 and all("Erinnerung: AG Windenergie" in m for m in mails)
    assert all("METHOD:REQUEST" in m for m in mails)
    rows = MeetingMessageRecipient.objects.filter(message__meeting=meeting, message__kind="reminder")
    assert sorted(rows.values_list("email", flat=True)) == ["member_a_x@example.org", "member_b_x@example.org"]
    assert all(row.sent_at is not None for row in rows)
    # Within the automatic window later on: nobody is reminded twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=meeting.starts_at - timedelta(days=2)) == 0
    log = client.get(reverse("events:messages", args=["netz-x", meeting.pk]))
    assert "2 von 2 gesendet" in log.text and "member_b_x@example.org" in log.text


def test_a_message_to_all_needs_subject_and_text_and_reaches_the_waitlist_too(client, world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    day = timezone.localdate() + timedelta(days=5)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Runder Tisch", "starts_at": services.meeting_at(day, 9), "ends_at": services.meeting_at(day, 11), "capacity": 1},
    )
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    waiting = services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_b), by_manager=True)
    assert waiting.status == Registration.Status.WAITLISTED
    client.force_login(manager_x)
    empty = client.post(url(meeting, "message"), {"subject": "", "body": ""})
    assert empty.status_code == 400 and "Dieses Feld ist zwingend erforderlich." in empty.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(meeting, "message"), {"subject": "Raum geändert: 2. OG", "body": "Bitte den Aufzug nehmen.\nDanke!", "confirm": "1"})
    mails = mailoutbox_files()
    assert len(mails) == 2
    assert all("Bitte den Aufzug nehmen." in mail_text(m) for m in mails)
    assert str(email.message_from_string(mails[0], policy=email.policy.default)["Subject"]) == "Raum geändert: 2. OG"


def test_a_reminder_for_a_meeting_that_has_begun_is_not_offered(client, world, manager_x):
    now = timezone.localtime()
    meeting = services.meeting_create(
        network=world.network_x, by=manager_x, data={"title": "Läuft schon", "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(hours=2)}
    )
    services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    client.force_login(manager_x)
    page = client.get(url(meeting, "reminder"))
    assert "Das Treffen hat schon begonnen" in page.text and 'name="confirm"' not in page.text and "Weiter" not in page.text
    client.post(url(meeting, "reminder"), {"confirm": "1"})
    assert not MeetingMessage.objects.filter(meeting=meeting).exists()


@pytest.fixture
def held(world, manager_x, eager) -> Meeting:
    """A meeting that took place, a member with a login and a guest attended; its documentation is rendered."""
    day = timezone.localdate() - timedelta(days=3)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Transferworkshop", "starts_at": services.meeting_at(day, 10), "ends_at": services.meeting_at(day, 15)},
    )
    member = services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.get(organisation=world.org_a), by_manager=True)
    guest = services.registration_register(
        meeting=meeting, by=manager_x, guest={"name": "Veit Hartmann", "email": "veit@tat.example", "organisation": "TAT"}, by_manager=True
    )
    for registration in (member, guest):
        services.registration_check_in(registration=registration, by=manager_x)
    return meeting


def test_the_documentation_is_refused_until_it_is_rendered_then_goes_as_link_and_attachment(
    client, world, manager_x, held, mailoutbox_files, django_capture_on_commit_callbacks
):
    client.force_login(manager_x)
    page = client.get(url(held, "documentation"))
    assert "noch nicht erstellt" in page.text and 'name="confirm"' not in page.text

    with django_capture_on_commit_callbacks(execute=True):
        documents.document_request(meeting=held, kind=MeetingDocument.Kind.DOCUMENTATION)
    assert messaging.current_documentation(held) is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(held, "documentation"), {"confirm": "1"})
    mails = {email.message_from_string(m, policy=email.policy.default)["To"]: m for m in mailoutbox_files()}
    assert set(mails) == {"member_a_x@example.org", "veit@tat.example"}
    member = email.message_from_string(mails["member_a_x@example.org"], policy=email.policy.default)
    guest = email.message_from_string(mails["veit@tat.example"], policy=email.policy.default)
    for message in (member, guest):
        [pdf] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert pdf.get_content().startswith(b"%PDF")
    assert "/portal/meetings/" in mail_text(mails["member_a_x@example.org"])  # she has a login: the portal
    link = next(line for line in mail_text(mails["veit@tat.example"]).splitlines() if "/documentation/" in line)
    client.logout()
    download = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_documentation_too_big_for_mail_goes_as_link_only(client, settings, manager_x, held, mailoutbox_files, django_capture_on_commit_callbacks):
    settings.MEETING_DOCUMENTATION_ATTACH_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=True):
        documents.document_request(meeting=held, kind=MeetingDocument.Kind.DOCUMENTATION)
    with django_capture_on_commit_callbacks(execute=True):
        messaging.meeting_message_send(meeting=held, by=manager_x, kind="documentation")
    mails = mailoutbox_files()
    assert len(mails) == 2
    assert all("application/pdf" not in m for m in mails)
    assert any("/documentation/" in mail_text(m) for m in mails)


def test_a_member_downloads_the_documentation_in_the_portal_and_a_stale_one_is_not_offered(client, world, manager_x, held, django_capture_on_commit_callbacks):
    client.force_login(world.users["member_a_x"])
    assert client.get(reverse("portal_events:documentation", args=[held.pk])).status_code == 404  # not rendered yet
    with django_capture_on_commit_callbacks(execute=True):
        documents.document_request(meeting=held, kind=MeetingDocument.Kind.DOCUMENTATION)
    page = client.get(reverse("portal_events:meeting", args=[held.pk]))
    assert reverse("portal_events:documentation", args=[held.pk]) in page.text
    assert client.get(reverse("portal_events:documentation", args=[held.pk])).status_code == 200
    services.meeting_update(meeting=held, by=manager_x, data={"title": "Transferworkshop (korrigiert)"})
    assert client.get(reverse("portal_events:documentation", args=[held.pk])).status_code == 404  # stale: not what it shows now


def test_one_refused_address_does_not_stop_the_others_and_is_recorded(tmp_path, settings, world, manager_x, meeting, django_capture_on_commit_callbacks):
    proc, port = start_smtp_sink(tmp_path / "smtp.jsonl", "--reject", "member_a_x@example.org")
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}},
    }
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sending = messaging.meeting_message_send(meeting=meeting, by=manager_x, kind="message", subject="Hinweis", body="Text")
    finally:
        app.conf.task_always_eager = before
        proc.terminate()
        proc.wait(timeout=10)
    rows = {row.email: row for row in sending.recipients.all()}
    assert rows["member_b_x@example.org"].sent_at is not None
    refused = rows["member_a_x@example.org"]
    assert refused.sent_at is None and refused.error.startswith("550") and refused.attempts == 1  # a refusal is not retried
    assert messaging.message_counts(sending) == {"total": 2, "sent": 1, "failed": 1}
    marked = Contact.objects.get(organisation=world.org_a)
    assert marked.email_undeliverable_at is not None and "550" in marked.email_undeliverable_reason  # the person is marked
    # The next sending leaves the marked address out and says so.
    audience = messaging.message_audience(meeting=meeting, kind="message")
    assert [p.email for p in audience.people] == ["member_b_x@example.org"] and audience.undeliverable == ["member_a_x@example.org"]


def test_a_mail_that_cannot_be_built_is_recorded_and_the_others_still_go(
    world, manager_x, meeting, mailoutbox_files, monkeypatch, django_capture_on_commit_callbacks
):
    real = messaging._build

    def broken_for_a(message, recipient, attachment):
        if recipient.email == "member_a_x@example.org":
            raise ValueError("kaputte Vorlage")
        return real(message, recipient, attachment)

    monkeypatch.setattr(messaging, "_build", broken_for_a)
    with django_capture_on_commit_callbacks(execute=True):
        sending = messaging.meeting_message_send(meeting=meeting, by=manager_x, kind="message", subject="Hinweis", body="Text")
    rows = {row.email: row for row in sending.recipients.all()}
    assert rows["member_b_x@example.org"].sent_at is not None and len(mailoutbox_files()) == 1
    assert rows["member_a_x@example.org"].sent_at is None and "kaputte Vorlage" in rows["member_a_x@example.org"].error


def test_sending_the_same_message_twice_in_a_row_is_refused(client, manager_x, meeting, mailoutbox_files, django_capture_on_commit_callbacks):
    """Found in review: a double click or "back and send again" mailed everyone twice."""
    client.force_login(manager_x)
    data = {"subject": "Parken", "body": "Bitte auf P2 parken.", "confirm": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(meeting, "message"), data)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url(meeting, "message"), data)
    assert again.status_code == 400 and "eben schon gesendet" in again.text
    assert len(mailoutbox_files()) == 2 and MeetingMessage.objects.filter(meeting=meeting).count() == 1
