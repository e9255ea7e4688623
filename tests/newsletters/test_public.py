"""The Infobrief's public side: double opt-in with proof, archive and its PDF, dates in the feed and portal, DSGVO."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from members.models import Contact
from members.privacy import organisation_data_export, person_erase
from newsletters import services
from newsletters.models import (
    Delivery,
    Entry,
    Infobrief,
    NewsletterSettings,
    Subscriber,
    Suppression,
)
from tests.conftest import mail_text
from tests.newsletters import factories


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def subscribe_url(slug: str = "netz-x") -> str:
    return reverse("newsletter_public:subscribe", args=[slug])


def test_double_opt_in_keeps_complete_proof_and_only_confirmed_addresses_receive(client, world, mailoutbox_files, django_capture_on_commit_callbacks):
    template = services.newsletter_settings(world.network_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(subscribe_url(), {"email": "Leserin@Example.org", "name": "Lea Leserin", "consent": "on"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200 and "Bitte prüfen Sie Ihr Postfach" in response.text
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.request_ip) == ("leserin@example.org", "pending", "203.0.113.7")
    assert subscriber.consent_text == template.consent_text and subscriber.consent_version == template.consent_version
    assert subscriber.requested_at and subscriber.confirmation_sent_at and subscriber.confirmed_at is None
    letter = factories.infobrief(world.network_x)
    assert "leserin@example.org" not in [r.email for r in services.audience(letter).recipients]  # unconfirmed: never a recipient
    mails = mailoutbox_files()
    assert len(mails) == 1
    text = mail_text(mails[0])
    assert "Förderaufruf" not in text and "Bitte bestätigen" in text  # the confirmation mail asks for confirmation, nothing else
    path = "/" + re.search(r"https?://\S+/confirm/\S+/", text).group(0).split("/", 3)[3]
    assert client.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"  # a GET (mail scanner) confirms nothing
    assert "Anmeldung bestätigt" in client.post(path, REMOTE_ADDR="198.51.100.9").text
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirm_ip == "198.51.100.9" and subscriber.confirmed_at
    assert "leserin@example.org" in [r.email for r in services.audience(letter).recipients]
    # Subscribing again reveals nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(subscribe_url(), {"email": "leserin@example.org", "consent": "on"})
    assert "Bitte prüfen Sie Ihr Postfach" in again.text and len(mailoutbox_files()) == 1


@pytest.mark.anchor("R-4")
def test_every_external_subscriber_has_a_complete_double_opt_in_and_no_infobrief_reaches_a_withdrawn_address(
    client, world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks, anchor
):
    """Readers subscribe through the public form (each from its own address), most confirm, some leave again; members'
    contacts withdraw their consent. An Infobrief then goes to the confirmed readers and consenting contacts only."""
    from newsletters import sending

    def confirmation_links() -> set[str]:
        return {"/" + re.search(r"https?://\S+/confirm/\S+/", mail_text(m)).group(0).split("/", 3)[3] for m in mailoutbox_files()}

    links: dict[str, str] = {}
    for n in range(12):
        before = confirmation_links()
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(subscribe_url(), {"email": f"leser{n}@extern.example", "consent": "on"}, REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert answer.status_code == 200
        (links[f"leser{n}@extern.example"],) = confirmation_links() - before
    for n in range(10):  # two never confirm
        assert client.post(links[f"leser{n}@extern.example"], REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 200
    for n in (0, 1):  # two leave again
        services.unsubscribe(network=world.network_x, email=f"leser{n}@extern.example", source="link")
    contacts = factories.recipients(world.network_x, 10, prefix="m")
    from members.models import Consent

    Consent.objects.filter(contact__in=contacts[:3]).update(withdrawn_at=timezone.now())
    withdrawn = {f"leser{n}@extern.example" for n in (0, 1, 10, 11)} | {c.email for c in contacts[:3]}

    proof = ("email", "requested_at", "request_ip", "confirmation_sent_at", "confirmed_at", "confirm_ip", "consent_text", "consent_version")
    confirmed = Subscriber.objects.filter(network=world.network_x, confirmed_at__isnull=False)
    complete = [s for s in confirmed if all(getattr(s, name) not in (None, "") for name in proof)]
    letter = factories.infobrief(world.network_x)
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_start(infobrief=letter, by=manager_x)
    delivered = set(Delivery.objects.filter(infobrief=letter).values_list("email", flat=True))
    to_withdrawn = len(delivered & withdrawn)
    anchor(external_subscribers=len(complete), to_withdrawn=to_withdrawn)
    assert confirmed.count() == 10 and len(complete) == 10
    assert to_withdrawn == 0
    assert {f"leser{n}@extern.example" for n in range(2, 10)} | {c.email for c in contacts[3:]} <= delivered


def test_unsubscribed_reader_can_come_back_only_through_a_new_opt_in(client, world, django_capture_on_commit_callbacks, mailoutbox_files):
    now = timezone.now()
    Subscriber.objects.create(
        network=world.network_x, email="zurueck@example.org", status="confirmed", requested_at=now, confirmed_at=now, consent_text="alt", consent_version=1
    )
    services.unsubscribe(network=world.network_x, email="zurueck@example.org", source="link")
    letter = factories.infobrief(world.network_x)
    assert "zurueck@example.org" not in [r.email for r in services.audience(letter).recipients]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(subscribe_url(), {"email": "zurueck@example.org", "consent": "on"})
    old_links = mailoutbox_files()
    path = "/" + re.search(r"https?://\S+/confirm/\S+/", mail_text(old_links[0])).group(0).split("/", 3)[3]
    client.post(path)
    assert "zurueck@example.org" in [r.email for r in services.audience(letter).recipients]
    assert not Suppression.objects.filter(email="zurueck@example.org").exists()


def test_bad_input_honeypot_rate_limit_and_closed_subscriptions(client, world, mailoutbox_files, django_capture_on_commit_callbacks):
    assert client.post(subscribe_url(), {"email": "kein-at", "consent": "on"}).status_code == 400
    assert client.post(subscribe_url(), {"email": "ok@example.org"}).status_code == 400  # consent is required
    with django_capture_on_commit_callbacks(execute=True):
        bot = client.post(subscribe_url(), {"email": "bot@example.org", "consent": "on", "hp_url": "http://spam"})
    assert bot.status_code == 200 and not Subscriber.objects.exists() and mailoutbox_files() == []
    codes = [client.post(subscribe_url(), {"email": f"p{n}@example.org", "consent": "on"}).status_code for n in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    NewsletterSettings.objects.filter(network=world.network_x).update(allow_subscriptions=False)
    assert client.get(subscribe_url()).status_code == 404
    assert client.get(subscribe_url("unbekannt")).status_code == 404


def test_archive_is_for_members_unless_public_and_its_pdf_is_rendered_once(client, world, member_a_x, settings, tmp_path):
    member_c_y = world.users["member_c_y"]
    from verbund.celery import app

    letter = factories.infobrief(world.network_x, subject="Infobrief Oktober")
    Infobrief.objects.filter(pk=letter.pk).update(status="sent", sent_at=timezone.now())
    url = reverse("newsletter_public:archive_issue", args=["netz-x", letter.pk])
    assert client.get(url).status_code == 404
    client.force_login(member_c_y)
    assert client.get(url).status_code == 404
    client.force_login(member_a_x)
    page = client.get(url)
    assert page.status_code == 200 and "Förderaufruf Digitalisierung" in page.text
    assert "Infobrief Oktober" in client.get(reverse("newsletter_public:archive", args=["netz-x"])).text
    client.logout()
    NewsletterSettings.objects.filter(network=world.network_x).update(public_archive=True)
    assert client.get(url).status_code == 200
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        pdf_url = reverse("newsletter_public:archive_pdf", args=["netz-x", letter.pk])
        first = client.get(pdf_url)
        assert first.status_code in {200, 202}
        response = client.get(pdf_url)
    finally:
        app.conf.task_always_eager = before
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert "Infobrief Oktober" in text and "Förderaufruf Digitalisierung" in text
    draft = factories.infobrief(world.network_x, subject="Entwurf")
    assert client.get(reverse("newsletter_public:archive_issue", args=["netz-x", draft.pk])).status_code == 404  # drafts never


def test_dates_and_deadlines_reach_the_feed_and_the_portal(client, world, member_a_x):
    soon = timezone.now() + timedelta(days=12)
    Entry.objects.create(network=world.network_x, kind="trade_fair", title="Husum Wind", starts_at=soon, ends_at=soon + timedelta(days=3), place="Husum")
    Entry.objects.create(network=world.network_x, kind="funding_call", title="Digitalbonus", deadline=timezone.localdate() + timedelta(days=20), funder="Land")
    Entry.objects.create(network=world.network_y, kind="funding_call", title="Nur für Y", deadline=timezone.localdate() + timedelta(days=20))
    feed = client.get(reverse("network_calendar", args=["netz-x", world.network_x.calendar_token]))
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")}
    assert "Husum Wind" in events and events["Husum Wind"]["LOCATION"] == "Husum"
    deadline = events["Frist: Digitalbonus"]
    assert deadline["DTSTART"].dt == timezone.localdate() + timedelta(days=20)  # an all-day event on the deadline
    assert "Frist: Nur für Y" not in events
    client.force_login(member_a_x)
    portal = client.get(reverse("portal_events:meeting_list"))
    assert "Husum Wind" in portal.text and "Digitalbonus" in portal.text and "Nur für Y" not in portal.text


def test_dsgvo_export_lists_deliveries_and_erasure_removes_every_trace(world, manager_x):
    contact = Contact.objects.create(organisation=world.org_b, first_name="Nina", last_name="Neu", email="nina@beta.example")
    letter = factories.infobrief(world.network_x)
    Delivery.objects.create(infobrief=letter, email="nina@beta.example", contact=contact, status="sent", sent_at=timezone.now())
    now = timezone.now()
    Subscriber.objects.create(
        network=world.network_y, email="nina@beta.example", status="confirmed", requested_at=now, confirmed_at=now, consent_text="x", consent_version=1
    )
    Suppression.objects.create(network=world.network_x, email="nina@beta.example", reason="unsubscribed")
    export = organisation_data_export(organisation=world.org_b)
    assert [d["email"] for d in export["infobrief_deliveries"]] == ["nina@beta.example"]
    person_erase(contact=contact, by=manager_x)
    assert not Delivery.objects.filter(email="nina@beta.example").exists()
    assert not Subscriber.objects.filter(email="nina@beta.example").exists() and not Subscriber.history.filter(email="nina@beta.example").exists()
    assert not Suppression.objects.filter(email="nina@beta.example").exists()
