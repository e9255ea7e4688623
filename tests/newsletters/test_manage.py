"""The Infobrief's manager pages: entries, the wizard (recipients → content → preview and test → send), progress, template.

The stepper, the framed preview's headers and the colour fields: tests/newsletters/test_wizard.py."""

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
    fake = client.post(
        u("newsletters:entry_create"),
        {"kind": "press", "title": "Presse", "image_alt": "x", "image_upload": SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", "image/jpeg")},
    )
    assert fake.status_code == 400 and "kein lesbares Bild" in fake.text
    no_alt = client.post(u("newsletters:entry_create"), {"kind": "press", "title": "Presse", "image_upload": SimpleUploadedFile("x.jpg", JPEG, "image/jpeg")})
    assert no_alt.status_code == 400 and "Bitte beschreiben Sie das Bild" in no_alt.text
    assert not Entry.objects.exists()
    ok = client.post(
        u("newsletters:entry_create"),
        {
            "kind": "press",
            "title": "Presse",
            "image_alt": "Gruppenbild",
            "image_upload": SimpleUploadedFile("../../x.jpg", JPEG, "image/jpeg"),
            "body": "**neu**",
        },
    )
    assert ok.status_code == 302
    entry = Entry.objects.get()
    assert entry.image.name.startswith("newsletters/images/") and ".." not in entry.image.name
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert client.post(u("newsletters:entry_create"), {"kind": "funding_call", "title": "Aufruf", "deadline": deadline, "funder": "Land"}).status_code == 302


def test_wizard_shows_recipients_exclusions_and_the_preview_as_a_chosen_recipient(client, world, manager_x, letter):
    from members.models import Contact

    Contact.objects.create(organisation=world.org_a, last_name="Ohne Einwilligung", email="ohne@alpha.example")
    client.force_login(manager_x)
    page = client.get(u("newsletters:audience", letter.pk))
    assert page.status_code == 200
    assert "3 Empfänger:innen" in page.text
    assert "keine Einwilligung für den Infobrief" in page.text and "ohne@alpha.example" in page.text
    page = client.get(u("newsletters:preview", letter.pk) + "?as=r00002@empfang.example")
    assert "Förderaufruf Digitalisierung" in page.text  # the plain-text version
    assert re.search(r"/unsubscribe/[^/\s]+/", page.text)
    preview = client.get(u("newsletters:preview_mail", letter.pk) + "?as=r00002@empfang.example")
    assert preview.status_code == 200 and "Förderaufruf Digitalisierung" in preview.text
    assert "script-src" not in preview["Content-Security-Policy"] and "default-src 'none'" in preview["Content-Security-Policy"]
    narrowed = client.post(u("newsletters:audience", letter.pk), {"municipalities": ["Nirgendwo"]})
    assert narrowed.status_code == 400 and "Nirgendwo" in narrowed.text  # not a choice: the page again with the error, nothing stored
    letter.refresh_from_db()
    assert letter.audience_municipalities == []


def test_dates_come_from_meetings_once(client, world, manager_x, letter):
    day = timezone.localdate() + timedelta(days=10)
    event_services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Netzwerktreffen", "starts_at": event_services.meeting_at(day, 10), "ends_at": event_services.meeting_at(day, 12)},
    )
    client.force_login(manager_x)
    client.post(u("newsletters:fill_dates", letter.pk))
    client.post(u("newsletters:fill_dates", letter.pk))
    dates = Entry.objects.filter(kind="date", meeting__isnull=False)
    assert dates.count() == 1 and letter.placements.filter(entry__in=dates).count() == 1
    assert "Netzwerktreffen" in client.get(u("newsletters:content", letter.pk)).text


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
    client.post(
        u("newsletters:entry_create"),
        {
            "kind": "member_news",
            "title": "Richtfest",
            "image_alt": "Richtkranz auf dem Neubau",
            "image_upload": SimpleUploadedFile("r.jpg", JPEG, "image/jpeg"),
        },
    )
    entry = Entry.objects.get(title="Richtfest")
    InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=5)
    html = services.render(letter, email="a@example.org")["html"]
    image_url = reverse("newsletter_public:entry_image", args=["netz-x", entry.image_key])
    assert image_url in html and 'alt="Richtkranz auf dem Neubau"' in html
    assert len(entry.image_key) >= 32 and str(entry.pk) not in image_url.rsplit("/", 2)[-2]
    # While the Infobrief is a draft the image is the managers' preview: private, a 404 for everyone else.
    draft = client.get(image_url)
    assert draft.status_code == 200 and draft["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(image_url).status_code == 404
    client.force_login(world.users["manager_y"])
    assert client.get(image_url).status_code == 404
    client.logout()
    letter.status = letter.Status.SENT
    letter.save(update_fields=["status"])
    image = client.get(image_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg" and image["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("newsletter_public:entry_image", args=["netz-y", entry.image_key])).status_code == 404
    assert client.get(f"/n/netz-x/infobrief/images/{entry.pk}/").status_code == 404  # the old counting URL
    client.force_login(manager_x)
    archive = client.get(reverse("newsletter_public:archive_issue", args=["netz-x", letter.pk]))
    assert archive.status_code == 200 and image_url in archive.text


def test_entry_image_keys_are_unique_and_not_counting(world):
    first = Entry.objects.create(network=world.network_x, title="Eins")
    second = Entry.objects.create(network=world.network_x, title="Zwei")
    assert first.image_key != second.image_key and not first.image_key.isdigit()


# --- entries: edit, delete, the decision about past deadlines -------------------------------------


def test_a_date_entry_is_edited_and_deleted(client, world, manager_x):
    client.force_login(manager_x)
    start = (timezone.localtime() + timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0)
    data = {
        "kind": "date",
        "title": "Werkstattgespräch",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Rathaus, Saal 2",
    }
    assert client.post(u("newsletters:entry_create"), data).status_code == 302
    entry = Entry.objects.get()
    assert entry.place == "Rathaus, Saal 2" and entry.created_by == manager_x
    backwards = client.post(u("newsletters:entry_edit", entry.pk), {**data, "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert backwards.status_code == 400 and "Das Ende muss nach dem Beginn liegen." in backwards.text
    assert client.post(u("newsletters:entry_edit", entry.pk), {**data, "title": "Werkstattgespräch II"}).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Werkstattgespräch II"
    listed = client.get(u("newsletters:entries") + "?kind=date")
    assert "Werkstattgespräch II" in listed.text
    assert "Werkstattgespräch II" not in client.get(u("newsletters:entries") + "?kind=press").text
    assert client.post(u("newsletters:entry_delete", entry.pk)).status_code == 302
    assert not Entry.objects.exists()


def test_news_needs_a_real_link_and_its_markdown_is_previewed_on_errors(client, world, manager_x):
    client.force_login(manager_x)
    bad = client.post(
        u("newsletters:entry_create"), {"kind": "member_news", "title": "Neu im Netzwerk", "body": "**Willkommen**", "link": "javascript:alert(1)"}
    )
    assert bad.status_code == 400 and "<strong>Willkommen</strong>" in bad.text
    assert not Entry.objects.exists()
    ok = client.post(
        u("newsletters:entry_create"), {"kind": "member_news", "title": "Neu im Netzwerk", "body": "**Willkommen**", "link": "https://example.org/neu"}
    )
    assert ok.status_code == 302 and Entry.objects.get().link == "https://example.org/neu"


def test_a_funding_call_with_a_past_deadline_is_kept_but_not_shown_as_upcoming(client, world, manager_x):
    """Decision: past deadlines are allowed (calls are recorded late and kept for the archive); they just drop out of the dates."""
    from newsletters.services import upcoming_dates

    client.force_login(manager_x)
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert client.post(u("newsletters:entry_create"), {"kind": "funding_call", "title": "Abgelaufen", "deadline": past, "funder": "Bund"}).status_code == 302
    assert Entry.objects.get().title == "Abgelaufen"
    assert upcoming_dates(world.network_x) == []


def test_an_entry_of_a_sent_infobrief_stays_for_the_archive(client, world, manager_x, letter):
    entry = letter.placements.get().entry
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENT)
    client.force_login(manager_x)
    response = client.post(u("newsletters:entry_delete", entry.pk), follow=True)
    assert "bleibt für das Archiv erhalten" in response.text
    assert Entry.objects.filter(pk=entry.pk).exists()


# --- content: placing, reordering, removing -------------------------------------------------------


def _order(letter: Infobrief) -> list[str]:
    return list(letter.placements.order_by("position", "pk").values_list("entry__title", flat=True))


def test_entries_are_placed_reordered_and_removed(client, world, manager_x, letter):
    second = Entry.objects.create(network=world.network_x, kind="press", title="Pressespiegel")
    third = Entry.objects.create(network=world.network_x, kind="text", title="Grußwort")
    client.force_login(manager_x)
    page = client.get(u("newsletters:content", letter.pk))
    assert "Pressespiegel" in page.text and "Grußwort" in page.text  # offered to add
    for entry in (second, third, second):  # placing twice keeps one placement
        assert client.post(u("newsletters:place", letter.pk), {"entry": entry.pk}).status_code == 302
    assert _order(letter) == ["Förderaufruf Digitalisierung", "Pressespiegel", "Grußwort"]
    last = letter.placements.get(entry=third)
    client.post(u("newsletters:placement_move", letter.pk, last.pk, "up"))
    assert _order(letter) == ["Förderaufruf Digitalisierung", "Grußwort", "Pressespiegel"]
    client.post(u("newsletters:placement_move", letter.pk, last.pk, "up"))
    client.post(u("newsletters:placement_move", letter.pk, last.pk, "up"))  # already first: stays first
    assert _order(letter) == ["Grußwort", "Förderaufruf Digitalisierung", "Pressespiegel"]
    assert client.post(u("newsletters:placement_move", letter.pk, last.pk, "sideways")).status_code == 404
    client.post(u("newsletters:placement_remove", letter.pk, last.pk))
    assert _order(letter) == ["Förderaufruf Digitalisierung", "Pressespiegel"]
    assert Entry.objects.filter(pk=third.pk).exists()  # removed from this Infobrief only


def test_an_entry_of_another_network_cannot_be_placed(client, world, manager_x, letter):
    foreign = Entry.objects.create(network=world.network_y, kind="press", title="Fremd")
    client.force_login(manager_x)
    client.post(u("newsletters:place", letter.pk), {"entry": foreign.pk})
    assert _order(letter) == ["Förderaufruf Digitalisierung"]


# --- recipients, preview --------------------------------------------------------------------------


def test_audience_filters_narrow_the_count_and_name_the_reasons(client, world, manager_x, letter):
    from members.models import Contact, Organisation
    from newsletters.models import Subscriber, Suppression

    Organisation.objects.filter(name="R Firma 0").update(municipality="Bottrop")
    Contact.objects.create(organisation=world.org_a, last_name="Ohne Adresse", email="")
    Subscriber.objects.create(network=world.network_x, email="offen@extern.example", requested_at=timezone.now(), consent_text="t", consent_version=1)
    Suppression.objects.create(network=world.network_x, email="r00001@empfang.example", reason=Suppression.Reason.BOUNCED)
    client.force_login(manager_x)
    page = client.get(u("newsletters:audience", letter.pk))
    assert "2 Empfänger:innen" in page.text
    for reason in ("keine E-Mail-Adresse", "Anmeldung nicht bestätigt", "Adresse unzustellbar"):
        assert reason in page.text
    assert "offen@extern.example" in page.text and "<details>" in page.text
    assert 'value="Bottrop"' in page.text and "<legend>Nur Orte:</legend>" in page.text  # offered as a filter, grouped with a legend
    client.post(u("newsletters:audience", letter.pk), {"municipalities": ["Bottrop"]})
    letter.refresh_from_db()
    assert letter.audience_municipalities == ["Bottrop"] and letter.include_subscribers is False
    assert "2 Empfänger:innen" in client.get(u("newsletters:audience", letter.pk)).text  # all three live in Bottrop; one bounced
    Organisation.objects.filter(name="R Firma 0").update(municipality="Gladbeck")
    assert "0 Empfänger:innen" in client.get(u("newsletters:audience", letter.pk)).text


def unsubscribe_addresses(network, text: str) -> set[str | None]:
    """Whose unsubscribe links a page carries (the tokens are signed with a timestamp, so they are read, not recomputed)."""
    from newsletters.services import read_unsubscribe_token

    tokens = re.findall(rf"/n/{network.slug}/infobrief/unsubscribe/([\w:-]+)/", text)
    return {read_unsubscribe_token(network, token) for token in tokens}


def test_the_preview_carries_the_chosen_recipients_own_unsubscribe_link(client, world, manager_x, letter):
    client.force_login(manager_x)
    chosen = "r00002@empfang.example"
    page = client.get(u("newsletters:preview", letter.pk) + f"?as={chosen}")
    assert unsubscribe_addresses(world.network_x, page.text) == {chosen}  # hers, and nobody else's
    assert "Guten Tag Empf r00002," in page.text  # the plain text, greeting by name
    html = client.get(u("newsletters:preview_mail", letter.pk) + f"?as={chosen}")
    assert unsubscribe_addresses(world.network_x, html.text) == {chosen}
    assert "frame-ancestors 'self'" in html["Content-Security-Policy"]
    unknown = client.get(u("newsletters:preview_mail", letter.pk) + "?as=fremd@example.org")  # not a recipient: never rendered for them
    assert "fremd@example.org" not in unsubscribe_addresses(world.network_x, unknown.text)


# --- other networks, frozen Infobriefe -------------------------------------------------------------


def test_another_networks_infobrief_and_entries_are_not_found(client, world, manager_x, manager_y, letter):
    entry = letter.placements.get().entry
    client.force_login(manager_y)
    assert client.get(u("newsletters:infobrief", letter.pk)).status_code == 404
    client.force_login(manager_x)
    theirs = factories.infobrief(world.network_y, subject="Infobrief Y")
    their_entry = theirs.placements.get().entry
    for response in (
        client.get(u("newsletters:infobrief", theirs.pk)),
        client.get(u("newsletters:audience", theirs.pk)),
        client.get(u("newsletters:content", theirs.pk)),
        client.get(u("newsletters:preview", theirs.pk)),
        client.get(u("newsletters:preview_mail", theirs.pk)),
        client.get(u("newsletters:send", theirs.pk)),
        client.get(u("newsletters:progress", theirs.pk)),
        client.get(u("newsletters:entry_edit", their_entry.pk)),
        client.post(u("newsletters:content", theirs.pk), {"subject": "Übernommen"}),
        client.post(u("newsletters:entry_delete", their_entry.pk)),
        client.post(u("newsletters:placement_remove", letter.pk, theirs.placements.get().pk)),
    ):
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.subject == "Infobrief Y" and Entry.objects.filter(pk=their_entry.pk).exists() and entry.placements.exists()


def test_a_sending_infobrief_refuses_every_edit(client, world, manager_x, letter):
    extra = Entry.objects.create(network=world.network_x, kind="press", title="Nachzügler")
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENDING)
    placement = letter.placements.get()
    client.force_login(manager_x)
    refused = client.post(u("newsletters:content", letter.pk), {"subject": "Geändert", "intro": "x"}, follow=True)
    assert "kann nicht mehr geändert werden" in refused.text
    client.post(u("newsletters:audience", letter.pk), {"include_subscribers": ""})
    client.post(u("newsletters:place", letter.pk), {"entry": extra.pk})
    client.post(u("newsletters:placement_remove", letter.pk, placement.pk))
    client.post(u("newsletters:fill_dates", letter.pk))
    client.post(u("newsletters:send", letter.pk), {"mode": "now", "confirm": "1"})
    letter.refresh_from_db()
    assert letter.subject == "Infobrief Herbst" and letter.include_subscribers is True
    assert _order(letter) == ["Förderaufruf Digitalisierung"] and not Delivery.objects.exists()
    assert client.get(u("newsletters:infobrief", letter.pk))["Location"] == u("newsletters:progress", letter.pk)


# --- progress: polling, controls, the final report -------------------------------------------------


def _sending(letter: Infobrief, statuses: list[str]) -> None:
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENDING)
    Delivery.objects.bulk_create([Delivery(infobrief=letter, email=f"d{i}@empfang.example", status=s) for i, s in enumerate(statuses)])


def test_progress_polls_while_sending_and_stops_when_done(client, world, manager_x, letter):
    _sending(letter, ["sent", "pending", "pending", "pending"])
    client.force_login(manager_x)
    page = client.get(u("newsletters:progress", letter.pk))
    assert 'hx-trigger="every 2s"' in page.text and '<progress id="progress-bar" max="100" value="25"' in page.text
    assert '<label for="progress-bar">' in page.text
    poll = client.get(u("newsletters:progress", letter.pk), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "<html" not in poll.text and 'id="status"' in poll.text
    Delivery.objects.filter(infobrief=letter).update(status="sent")
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENT)
    done = client.get(u("newsletters:progress", letter.pk), HTTP_HX_REQUEST="true")
    assert done.status_code == 286 and "hx-trigger" not in done.text
    assert "4 von 4 Empfänger:innen haben den Infobrief erhalten." in done.text


def test_pause_resume_and_cancel_a_running_send(client, world, manager_x, letter):
    _sending(letter, ["sent", "pending", "pending"])
    client.force_login(manager_x)
    assert "Anhalten" in client.get(u("newsletters:progress", letter.pk)).text
    client.post(u("newsletters:pause", letter.pk))
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.PAUSED
    assert client.get(u("newsletters:progress", letter.pk), HTTP_HX_REQUEST="true").status_code == 286  # paused: no polling
    client.post(u("newsletters:resume", letter.pk))
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENDING
    assert client.get(u("newsletters:pause", letter.pk)).status_code == 405
    client.post(u("newsletters:cancel", letter.pk))
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.CANCELLED
    assert list(letter.deliveries.values_list("status", flat=True)) == ["sent", "cancelled", "cancelled"]


def test_the_final_report_lists_failures_with_the_servers_answer_and_retries_them(client, world, manager_x, letter):
    _sending(letter, ["sent", "failed", "parked"])
    Delivery.objects.filter(status="failed").update(smtp_code=552, last_error="552 5.2.2 Mailbox full")
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENT)
    client.force_login(manager_x)
    report = client.get(u("newsletters:progress", letter.pk))
    assert "1 von 3 Empfänger:innen haben den Infobrief erhalten." in report.text
    assert "d1@empfang.example" in report.text and "552 5.2.2 Mailbox full" in report.text and "d2@empfang.example" in report.text
    assert "Fehlgeschlagene erneut senden" in report.text
    retried = client.post(u("newsletters:retry", letter.pk), follow=True)
    assert "2 Zustellungen werden erneut versucht." in retried.text
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENDING
    assert sorted(letter.deliveries.values_list("status", flat=True)) == ["pending", "pending", "sent"]


def test_a_new_infobrief_is_created_from_the_list(client, world, manager_x):
    client.force_login(manager_x)
    assert client.post(u("newsletters:create"), {"subject": "", "preheader": ""}).status_code == 302
    assert not Infobrief.objects.exists()
    response = client.post(u("newsletters:create"), {"subject": "Infobrief Winter", "preheader": "Was kommt", "intro": "Hallo"})
    letter = Infobrief.objects.get()
    assert response["Location"] == u("newsletters:audience", letter.pk) and letter.created_by == manager_x and letter.status == "draft"
    assert "Infobrief Winter" in client.get(u("newsletters:index")).text


def test_the_list_counts_delivered_and_failed_per_infobrief(client, world, manager_x):
    letter = Infobrief.objects.create(network=world.network_x, subject="Infobrief Herbst", status="sent")
    statuses = ["sent", "sent", "sent", "failed", "parked", "pending"]
    Delivery.objects.bulk_create([Delivery(infobrief=letter, email=f"z{i}@empfang.example", status=s) for i, s in enumerate(statuses)])
    client.force_login(manager_x)
    row = client.get(u("newsletters:index")).context["infobriefe"].get(pk=letter.pk)
    assert (row.sent_count, row.failed_count) == (3, 2)
    assert u("newsletters:progress", letter.pk) in client.get(u("newsletters:index")).text
