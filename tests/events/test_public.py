"""The public meeting page: double opt-in sign-up, bot trap, rate limit; nothing stored before confirmation."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Meeting, Registration
from tests.conftest import mail_text


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=30)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Tag der offenen Tür",
            "kind": "public",
            "is_public": True,
            "capacity": 1,
            "starts_at": services.meeting_at(day, 10),
            "ends_at": services.meeting_at(day, 16),
            "description": "**Alle** sind willkommen.",
        },
    )
    services.agenda_item_save(meeting=meeting, by=manager_x, data={"starts_at": time(10), "ends_at": time(10, 30), "kind": "welcome", "title": "Begrüßung"})
    return meeting


def url(meeting, name="public_events:meeting", *extra) -> str:
    return reverse(name, args=[meeting.network.slug, meeting.pk, *extra])


FORM = {"name": "Greta Gast", "email": "greta@example.org", "organisation": "Nachbarschaft e. V.", "consent_photos": "on"}


def test_public_page_shows_the_meeting_without_participants(client, public, world):
    Registration.objects.create(meeting=public, guest_name="Geheimer Gast")
    page = client.get(url(public))
    assert page.status_code == 200
    assert "Tag der offenen Tür" in page.text and "<strong>Alle</strong>" in page.text and "Begrüßung" in page.text
    assert "Geheimer Gast" not in page.text
    assert "Tag der offenen Tür" in client.get(reverse("public_events:meeting_list", args=["netz-x"])).text


def test_members_only_meetings_are_404(client, public):
    Meeting.objects.filter(pk=public.pk).update(is_public=False)
    assert client.get(url(public)).status_code == 404
    assert "Tag der offenen Tür" not in client.get(reverse("public_events:meeting_list", args=["netz-x"])).text


def test_double_opt_in_stores_nothing_until_confirmed_and_confirms_once(client, public, mailoutbox_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(public), FORM)
    assert response.status_code == 200 and "Bitte bestätigen Sie Ihre Anmeldung" in response.text
    assert not Registration.objects.exists()
    mails = mailoutbox_files()
    assert len(mails) == 1 and "To: greta@example.org" in mails[0]
    link = re.search(r"https?://\S+/confirm/\S+/", mail_text(mails[0])).group(0)
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200 and not Registration.objects.exists()  # a GET asks only
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(path)
    assert confirmed.status_code == 200 and "Sie sind angemeldet" in confirmed.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)  # clicked twice
    registration = Registration.objects.get()
    assert (registration.guest_name, registration.guest_email, registration.guest_organisation) == ("Greta Gast", "greta@example.org", "Nachbarschaft e. V.")
    assert registration.consent_photos and not registration.consent_participant_list
    texts = [mail_text(m) for m in mailoutbox_files()]
    confirmations = [t for t in texts if "Sie sind zu „Tag der offenen Tür“" in t]
    assert len(confirmations) == 1 and "/cancel/" in confirmations[0]  # one confirmation, however often the link is clicked


def test_a_full_meeting_puts_confirmed_guests_on_the_waitlist(client, public, django_capture_on_commit_callbacks):
    from events.invitations import signup_url

    Registration.objects.create(meeting=public, guest_name="Erster")
    path = "/" + signup_url(public, {"name": "Zweite", "email": "z@example.org"}).split("/", 3)[3]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert "Warteliste" in response.text
    assert Registration.objects.get(guest_email="z@example.org").status == "waitlisted"


def test_the_bot_trap_sends_nothing(client, public, mailoutbox_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(public), {**FORM, "hp_url": "http://spam.example"})
    assert response.status_code == 200 and "Bitte bestätigen Sie Ihre Anmeldung" in response.text
    assert mailoutbox_files() == [] and not Registration.objects.exists()


def test_rate_limit_answers_429(client, public, mailoutbox_files, django_capture_on_commit_callbacks):
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(7):
            statuses.append(client.post(url(public), {**FORM, "email": f"p{n}@example.org"}).status_code)
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert len(mailoutbox_files()) == 5
    again = client.post(url(public), {**FORM, "email": "p9@example.org"})
    assert "Zu viele Anmeldungen" in again.text


def test_bad_input_and_closed_registration_are_explained(client, public):
    response = client.post(url(public), {"name": "", "email": "kein-at"})
    assert response.status_code == 400 and "errorlist" in response.text
    assert client.post(url(public), {**FORM, "email": "a@example.org\r\nBcc: x@example.org"}).status_code == 400
    Meeting.objects.filter(pk=public.pk).update(registration_deadline=timezone.now() - timedelta(hours=1))
    closed = client.post(url(public), FORM)
    assert closed.status_code == 400 and "Die Anmeldung für dieses Treffen ist geschlossen." in closed.text
    assert not Registration.objects.exists()


def test_the_english_page_registers_and_names_the_venue(client, public, settings):
    """ "Anmelden"/"Ort" for a meeting are "Register"/"Venue", not the login's "Sign in" or a "Town"."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url(public))
    assert page.status_code == 200
    assert ">Register</button>" in page.text and "<dt>Venue</dt>" in page.text
    assert "Sign in</button>" not in page.text and "<dt>Town</dt>" not in page.text
