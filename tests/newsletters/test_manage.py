"""The Infobrief's manager pages: entries, the wizard (recipients → content → preview → test → send), progress, template."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from newsletters.models import Delivery, Entry, Infobrief, NewsletterSettings
from tests.conftest import mail_text
from tests.hostile_files import JPEG
from tests.newsletters import factories


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


@pytest.fixture
def letter(world):
    factories.recipients(world.network_x, 3)
    return factories.infobrief(world.network_x)


@pytest.fixture
def eager():
    from verbund.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def test_entries_per_kind_are_validated_and_images_cleaned(client, world, manager_x):
    client.force_login(manager_x)
    missing = client.post(u("newsletters:entry_create"), {"kind": "funding_call", "title": "Aufruf"})
    assert missing.status_code == 400 and "Ein Förderaufruf braucht eine Frist." in missing.text
    no_start = client.post(u("newsletters:entry_create"), {"kind": "trade_fair", "title": "Messe"})
    assert no_start.status_code == 400 and "Ein Termin braucht einen Beginn." in no_start.text
    fake = client.post(u("newsletters:entry_create"), {"kind": "press", "title": "Presse", "image_alt": "x",
                                                        "image_upload": SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", "image/jpeg")})
    assert fake.status_code == 400 and "kein lesbares Bild" in fake.text
    no_alt = client.post(u("newsletters:entry_create"), {"kind": "press", "title": "Presse", "image_upload": SimpleUploadedFile("x.jpg", JPEG, "image/jpeg")})
    assert no_alt.status_code == 400 and "Bitte beschreiben Sie das Bild" in no_alt.text
    assert not Entry.objects.exists()
    ok = client.post(u("newsletters:entry_create"), {"kind": "press", "title": "Presse", "image_alt": "Gruppenbild",
                                                     "image_upload": SimpleUploadedFile("../../x.jpg", JPEG, "image/jpeg"), "body": "**neu**"})
    assert ok.status_code == 302
    entry = Entry.objects.get()
    assert entry.image.name.startswith("newsletters/images/") and ".." not in entry.image.name
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert client.post(u("newsletters:entry_create"), {"kind": "funding_call", "title": "Aufruf", "deadline": deadline, "funder": "Land"}).status_code == 302


def test_wizard_shows_recipients_exclusions_and_the_preview_as_a_chosen_recipient(client, world, manager_x, letter):
    from members.models import Contact

    Contact.objects.create(organisation=world.org_a, last_name="Ohne Einwilligung", email="ohne@alpha.example")
    client.force_login(manager_x)
    page = client.get(u("newsletters:infobrief", letter.pk) + "?as=r00002@empfang.example")
    assert page.status_code == 200
    assert "3 Empfänger:innen" in page.text
    assert "keine Einwilligung für den Infobrief" in page.text and "ohne@alpha.example" in page.text
    assert "Förderaufruf Digitalisierung" in page.text  # the plain-text version
    assert re.search(r"/unsubscribe/[^/\s]+/", page.text)
    preview = client.get(u("newsletters:preview", letter.pk) + "?as=r00002@empfang.example")
    assert preview.status_code == 200 and "Förderaufruf Digitalisierung" in preview.text
    assert "script-src" not in preview["Content-Security-Policy"] and "default-src 'none'" in preview["Content-Security-Policy"]
    narrowed = client.post(u("newsletters:audience", letter.pk), {"municipalities": ["Nirgendwo"]})
    assert narrowed.status_code == 302  # an unknown place is not a choice: refused with a message, nothing stored
    letter.refresh_from_db()
    assert letter.audience_municipalities == []


def test_dates_come_from_meetings_once(client, world, manager_x, letter):
    day = timezone.localdate() + timedelta(days=10)
    event_services.meeting_create(network=world.network_x, by=manager_x, data={"title": "Netzwerktreffen", "starts_at": event_services.meeting_at(day, 10), "ends_at": event_services.meeting_at(day, 12)})
    client.force_login(manager_x)
    client.post(u("newsletters:fill_dates", letter.pk))
    client.post(u("newsletters:fill_dates", letter.pk))
    dates = Entry.objects.filter(kind="date", meeting__isnull=False)
    assert dates.count() == 1 and letter.placements.filter(entry__in=dates).count() == 1
    assert "Netzwerktreffen" in client.get(u("newsletters:infobrief", letter.pk)).text


def test_test_send_goes_to_the_manager_only(client, world, manager_x, letter, mailoutbox_files, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(u("newsletters:test_send", letter.pk), follow=True)
    assert "[TEST]" in response.text
    mails = mailoutbox_files()
    assert len(mails) == 1 and f"To: {manager_x.email}" in mails[0] and "[TEST]" in mails[0]
    assert not Delivery.objects.exists()


def test_send_asks_with_the_number_then_sends_and_shows_progress(client, world, manager_x, letter, eager, mailoutbox_files, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    ask = client.post(u("newsletters:send", letter.pk), {"mode": "now"})
    assert ask.status_code == 200 and "An 3 Empfänger:innen senden?" in ask.text
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(u("newsletters:send", letter.pk), {"mode": "now", "confirm": "1"})
    assert started.status_code == 302 and started["Location"] == u("newsletters:progress", letter.pk)
    report = client.get(started["Location"])
    assert "3 von 3 Empfänger:innen haben den Infobrief erhalten." in report.text
    assert 'value="100"' in report.text
    mails = mailoutbox_files()
    assert len(mails) == 3 and all("/unsubscribe/" in mail_text(m) for m in mails)
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENT
    # Sent: frozen. Editing is refused with a message; nothing changes.
    client.post(u("newsletters:content", letter.pk), {"subject": "Geändert", "intro": "x"})
    letter.refresh_from_db()
    assert letter.subject == "Infobrief Herbst"
    assert client.get(u("newsletters:infobrief", letter.pk)).status_code == 302  # goes to the progress page


def test_scheduling_and_cancelling_a_scheduled_send(client, world, manager_x, letter):
    client.force_login(manager_x)
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    ask = client.post(u("newsletters:send", letter.pk), {"mode": "schedule", "when": when})
    assert "Für 3 Empfänger:innen planen?" in ask.text
    client.post(u("newsletters:send", letter.pk), {"mode": "schedule", "when": when, "confirm": "1"})
    letter.refresh_from_db()
    assert letter.status == "scheduled" and not Delivery.objects.exists()
    client.post(u("newsletters:cancel", letter.pk))
    letter.refresh_from_db()
    assert letter.status == "draft" and letter.scheduled_for is None


def test_changing_the_consent_text_makes_a_new_version(client, world, manager_x):
    client.force_login(manager_x)
    url = u("newsletters:settings")
    assert client.get(url).status_code == 200
    base = {"title": "Infobrief X", "primary_colour": "#1d4f7a", "accent_colour": "#e8f0f7", "consent_text": "Fassung eins", "allow_subscriptions": "on"}
    client.post(url, base)
    client.post(url, base)
    version = NewsletterSettings.objects.get(network=world.network_x).consent_version
    client.post(url, {**base, "consent_text": "Fassung zwei"})
    assert NewsletterSettings.objects.get(network=world.network_x).consent_version == version + 1
    bad = client.post(url, {**base, "primary_colour": "red;}"})
    assert bad.status_code == 400 and "#RRGGBB" in bad.text


def test_an_entry_image_goes_into_the_mail_and_the_archive(client, world, manager_x, letter):
    from newsletters import services
    from newsletters.models import InfobriefEntry

    client.force_login(manager_x)
    client.post(u("newsletters:entry_create"), {"kind": "member_news", "title": "Richtfest", "image_alt": "Richtkranz auf dem Neubau",
                                                "image_upload": SimpleUploadedFile("r.jpg", JPEG, "image/jpeg")})
    entry = Entry.objects.get(title="Richtfest")
    InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=5)
    html = services.render(letter, email="a@example.org")["html"]
    image_url = reverse("newsletter_public:entry_image", args=["netz-x", entry.pk])
    assert image_url in html and 'alt="Richtkranz auf dem Neubau"' in html
    client.logout()
    image = client.get(image_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg" and image["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("newsletter_public:entry_image", args=["netz-y", entry.pk])).status_code == 404
