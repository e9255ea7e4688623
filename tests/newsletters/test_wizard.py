"""The Infobrief wizard as a stepper (each step a page of its own), the framed HTML preview with its own headers, and the
template's colour fields."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletters.models import Entry, Infobrief, InfobriefEntry, NewsletterSettings
from newsletters.services import read_unsubscribe_token
from tests.conftest import make_user
from tests.newsletters import factories


def u(name: str, *args, slug: str = "netz-x") -> str:
    return reverse(name, args=[slug, *args])


STEP = re.compile(r'<li class="(done|current|todo)"( aria-current="step")?>\s*(?:<a href="([^"]*)">|<span>)([^<]+)<')


def stepper(html: str) -> list[tuple[str, str, str]]:
    """(label, state, link) of each step, read from the page's stepper; aria-current must go with the current one."""
    block = re.search(r'<ol class="stepper".*?</ol>', html, re.S)
    assert block, "no stepper on the page"
    steps = []
    for state, current, link, label in STEP.findall(block.group(0)):
        assert bool(current) == (state == "current")
        steps.append((label.strip(), state, link))
    return steps


def directives(header: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip())


def states(html: str) -> list[str]:
    return [state for _, state, _ in stepper(html)]


@pytest.fixture
def fresh(world):
    """An Infobrief as just created: three people would get it, nothing is in it yet."""
    factories.recipients(world.network_x, 3)
    return Infobrief.objects.create(network=world.network_x, subject="Infobrief Frühjahr")


def test_each_step_is_a_page_with_the_stepper_showing_where_it_stands(client, world, manager_x, fresh):
    client.force_login(manager_x)
    audience = client.get(u("newsletters:audience", fresh.pk)).text
    assert [label for label, _, _ in stepper(audience)] == ["Empfänger", "Inhalt", "Vorschau und Test", "Versand"]
    # Recipients are there (the default audience), nothing placed, no test, not sent.
    assert states(audience) == ["current", "todo", "todo", "todo"]
    links = {label: link for label, _, link in stepper(audience)}
    assert links["Empfänger"] == "" and links["Inhalt"] == u("newsletters:content", fresh.pk)  # the current step is no link
    assert links["Versand"] == u("newsletters:send", fresh.pk)
    assert "Schritt 1 von 4: Empfänger" in audience
    assert states(client.get(u("newsletters:content", fresh.pk)).text) == ["done", "current", "todo", "todo"]

    entry = Entry.objects.create(network=world.network_x, kind="press", title="Pressespiegel")
    client.post(u("newsletters:place", fresh.pk), {"entry": entry.pk})
    assert states(client.get(u("newsletters:preview", fresh.pk)).text) == ["done", "done", "current", "todo"]
    assert client.get(u("newsletters:infobrief", fresh.pk))["Location"] == u("newsletters:preview", fresh.pk)  # the next open step

    client.post(u("newsletters:test_send", fresh.pk))
    fresh.refresh_from_db()
    assert fresh.test_sent_at is not None
    assert states(client.get(u("newsletters:send", fresh.pk)).text) == ["done", "done", "done", "current"]
    assert states(client.get(u("newsletters:content", fresh.pk)).text) == ["done", "current", "done", "todo"]

    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(u("newsletters:send", fresh.pk), {"mode": "schedule", "when": when, "confirm": "1"})
    assert states(client.get(u("newsletters:audience", fresh.pk)).text) == ["current", "done", "done", "done"]

    # Sending begun: every step is done, only the last one (the progress) is a link; the step pages lead there.
    Infobrief.objects.filter(pk=fresh.pk).update(status=Infobrief.Status.SENDING)
    progress = client.get(u("newsletters:progress", fresh.pk)).text
    assert states(progress) == ["done", "done", "done", "current"]
    assert [link for _, _, link in stepper(progress)] == ["", "", "", ""]
    for name in ("audience", "content", "preview", "send"):
        assert client.get(u(f"newsletters:{name}", fresh.pk))["Location"] == u("newsletters:progress", fresh.pk)


def test_no_recipients_leaves_the_first_step_open(client, world, manager_x):
    letter = Infobrief.objects.create(network=world.network_x, subject="Leer", intro="Hallo")
    client.force_login(manager_x)
    assert client.get(u("newsletters:infobrief", letter.pk))["Location"] == u("newsletters:audience", letter.pk)
    page = client.get(u("newsletters:content", letter.pk)).text
    assert states(page) == ["todo", "current", "todo", "todo"]  # an introduction alone is content enough to send
    send = client.get(u("newsletters:send", letter.pk)).text
    assert "Es gibt keine Empfänger:innen für diesen Infobrief." in send


def test_each_step_names_the_way_on_and_back(client, world, manager_x, fresh):
    client.force_login(manager_x)
    audience = client.get(u("newsletters:audience", fresh.pk)).text
    assert re.search(r'<button type="submit" form="audience-form" name="next" value="1">Weiter: Inhalt</button>', audience)
    assert "Zurück" not in audience
    content = client.get(u("newsletters:content", fresh.pk)).text
    assert re.search(r'<button type="submit" form="content-form" name="next" value="1">Weiter: Vorschau und Test</button>', content)
    assert f'href="{u("newsletters:audience", fresh.pk)}">Zurück<span class="visually-hidden">: Empfänger</span>' in content
    preview = client.get(u("newsletters:preview", fresh.pk)).text
    assert f'<a class="button" href="{u("newsletters:send", fresh.pk)}">Weiter: Versand</a>' in preview
    assert f'href="{u("newsletters:content", fresh.pk)}">Zurück' in preview
    # "Weiter" saves the step and goes on; the step's own button saves and stays.
    on = client.post(u("newsletters:audience", fresh.pk), {"include_subscribers": "on", "next": "1"})
    assert on["Location"] == u("newsletters:content", fresh.pk)
    stay = client.post(u("newsletters:audience", fresh.pk), {"include_subscribers": "on"})
    assert stay["Location"] == u("newsletters:audience", fresh.pk)
    on = client.post(u("newsletters:content", fresh.pk), {"subject": "Infobrief Frühjahr", "intro": "Hallo", "next": "1"})
    assert on["Location"] == u("newsletters:preview", fresh.pk)


def test_an_empty_content_step_offers_to_write_the_first_entry(client, world, manager_x, fresh):
    client.force_login(manager_x)
    page = client.get(u("newsletters:content", fresh.pk)).text
    assert "Noch keine Beiträge" in page
    assert f'<a class="button" href="{u("newsletters:entry_create")}?infobrief={fresh.pk}">Beitrag anlegen</a>' in page
    # Written from here, the entry is placed and the way leads back to the step.
    created = client.post(u("newsletters:entry_create"), {"kind": "text", "title": "Grußwort", "infobrief": str(fresh.pk)})
    assert created["Location"] == u("newsletters:content", fresh.pk)
    assert list(fresh.placements.values_list("entry__title", flat=True)) == ["Grußwort"]


def test_a_bad_subject_shows_the_step_again_with_the_input_kept(client, world, manager_x, fresh):
    client.force_login(manager_x)
    bad = client.post(u("newsletters:content", fresh.pk), {"subject": "", "preheader": "Kommt mit", "intro": "Mein langer Text"})
    assert bad.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in bad.text
    assert "Kommt mit" in bad.text and "Mein langer Text" in bad.text
    assert "<h1>Infobrief Frühjahr</h1>" in bad.text  # the header keeps the stored subject
    fresh.refresh_from_db()
    assert fresh.subject == "Infobrief Frühjahr"


def test_a_reader_walks_the_steps_but_changes_nothing(client, world, manager_x, fresh):
    from verbund.models import ManagerRole

    reader = make_user("leserin@example.org")
    ManagerRole.objects.create(user=reader, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    client.force_login(reader)
    for name in ("audience", "content", "preview", "send"):
        page = client.get(u(f"newsletters:{name}", fresh.pk))
        assert page.status_code == 200 and f'<form method="post" action="/manage/netz-x/infobrief/{fresh.pk}/' not in page.text
    assert f'<a class="button" href="{u("newsletters:content", fresh.pk)}">Weiter: Inhalt</a>' in client.get(u("newsletters:audience", fresh.pk)).text
    assert client.post(u("newsletters:audience", fresh.pk), {"include_subscribers": ""}).status_code == 403
    assert client.post(u("newsletters:content", fresh.pk), {"subject": "Anders"}).status_code == 403
    assert client.post(u("newsletters:send", fresh.pk), {"mode": "now", "confirm": "1"}).status_code == 403
    fresh.refresh_from_db()
    assert fresh.subject == "Infobrief Frühjahr" and fresh.include_subscribers is True and fresh.status == "draft"
    client.force_login(manager_x)  # the same pages have their forms for a manager
    for name in ("audience", "content", "preview", "send"):
        assert f'<form method="post" action="/manage/netz-x/infobrief/{fresh.pk}/' in client.get(u(f"newsletters:{name}", fresh.pk)).text


def test_a_bad_send_time_shows_the_step_again_with_a_german_message(client, world, manager_x, fresh):
    client.force_login(manager_x)
    bad = client.post(u("newsletters:send", fresh.pk), {"mode": "schedule", "when": "morgen früh"})
    assert bad.status_code == 400
    assert "Bitte ein gültiges Datum und Uhrzeit eingeben." in bad.text and 'value="morgen früh"' in bad.text
    assert states(bad.text)[-1] == "current"
    fresh.refresh_from_db()
    assert fresh.status == "draft"


def test_a_send_time_in_year_9999_is_refused_not_scheduled(client, world, manager_x, fresh):
    """A guard: the schedule form checks the year like every other form (CleanTextMixin), and send_start refuses it too."""
    client.force_login(manager_x)
    for when in ("9999-12-31T23:59", "0001-01-01T00:00"):
        answer = client.post(u("newsletters:send", fresh.pk), {"mode": "schedule", "when": when, "confirm": "1"})
        assert answer.status_code in (302, 400)  # the step again, with the message
        fresh.refresh_from_db()
        assert fresh.status == "draft" and fresh.scheduled_for is None


# --- the preview: framed HTML with its own headers, the text version reachable by keyboard ------------------


def test_the_preview_frames_the_mail_and_shows_the_text_as_a_focusable_region(client, world, manager_x, fresh):
    client.force_login(manager_x)
    page = client.get(u("newsletters:preview", fresh.pk) + "?as=r00001@empfang.example")
    frame = re.search(r'<iframe class="mail-preview" src="([^"]+)" title="([^"]+)"', page.text)
    assert frame and frame.group(2) == "HTML-Fassung von „Infobrief Frühjahr“"
    assert frame.group(1) == u("newsletters:preview_mail", fresh.pk) + "?as=r00001%40empfang.example"
    assert re.search(r'<pre class="mail-text" tabindex="0" role="region" aria-labelledby="text-heading">', page.text)
    assert '<h3 id="text-heading">Textfassung</h3>' in page.text
    # The wizard's page keeps the strict policy: no inline styles, framed by nobody.
    policy = page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy and "default-src 'self'" in policy
    assert page["X-Frame-Options"] == "DENY"

    mail = client.get(frame.group(1).replace("&amp;", "&"))
    assert mail.status_code == 200 and "Infobrief Frühjahr" in mail.text
    tokens = re.findall(r"/n/netz-x/infobrief/unsubscribe/([\w:-]+)/", mail.text)
    assert {read_unsubscribe_token(world.network_x, token) for token in tokens} == {"r00001@empfang.example"}  # as she gets it
    assert '<base target="_blank">' in mail.text  # a link in the frame opens outside it
    policy = directives(mail["Content-Security-Policy"])
    assert policy["frame-ancestors"] == "'self'" and policy["style-src"] == "'unsafe-inline'" and policy["default-src"] == "'none'"
    assert "script-src" not in policy and policy["img-src"] == "'self' data:"  # no scripts; images of this site only
    assert mail["X-Frame-Options"] == "SAMEORIGIN"


def test_the_framed_mail_is_scoped_to_the_network(client, world, manager_x, manager_y, fresh):
    theirs = factories.infobrief(world.network_y, subject="Infobrief Y")
    client.force_login(manager_x)
    assert client.get(u("newsletters:preview_mail", theirs.pk)).status_code == 404  # Y's Infobrief under X's address
    assert client.get(u("newsletters:preview_mail", theirs.pk, slug="netz-y")).status_code == 404  # not a manager of Y
    assert client.get(u("newsletters:preview", theirs.pk)).status_code == 404
    assert client.get(u("newsletters:preview_mail", 999999)).status_code == 404
    client.force_login(manager_y)
    assert client.get(u("newsletters:preview_mail", fresh.pk)).status_code == 404
    assert client.get(u("newsletters:preview_mail", theirs.pk, slug="netz-y")).status_code == 200
    client.logout()
    assert client.get(u("newsletters:preview_mail", fresh.pk)).status_code == 302  # to the login


# --- the template's colours ------------------------------------------------------------------------------------


def test_colour_inputs_carry_no_maxlength_or_required(client, world, manager_x):
    client.force_login(manager_x)
    page = client.get(u("newsletters:settings")).text
    inputs = re.findall(r'<input type="color"[^>]*>', page)
    assert len(inputs) == 2
    for tag in inputs:
        assert "maxlength" not in tag and "required" not in tag
    assert 'name="primary_colour" value="#1d4f7a"' in page


def test_a_bad_colour_is_refused_in_german_and_the_rest_of_the_input_is_kept(client, world, manager_x):
    client.force_login(manager_x)
    data = {
        "title": "Rundbrief Netz X",
        "sender_name": "Geschäftsstelle",
        "primary_colour": "red;}",
        "accent_colour": "#E8F0F7",
        "footer": "Musterstraße 1, 12345 Musterstadt",
        "consent_text": "Ich möchte den Infobrief.",
        "allow_subscriptions": "on",
    }
    bad = client.post(u("newsletters:settings"), data)
    assert bad.status_code == 400
    assert "„red;}“ ist keine Farbe. Bitte als #RRGGBB angeben, z. B. #1d4f7a." in bad.text
    assert 'value="Rundbrief Netz X"' in bad.text and 'value="Geschäftsstelle"' in bad.text and "Musterstraße 1, 12345 Musterstadt" in bad.text
    assert 'name="primary_colour" value="#1d4f7a"' in bad.text  # the picker keeps a colour it can show; the error names the bad one
    assert 'name="accent_colour" value="#E8F0F7"' in bad.text
    assert not NewsletterSettings.objects.filter(network=world.network_x, title="Rundbrief Netz X").exists()
    too_long = client.post(u("newsletters:settings"), {**data, "primary_colour": "#1d4f7a00"})
    assert too_long.status_code == 400 and "keine Farbe" in too_long.text
    missing = client.post(u("newsletters:settings"), {**data, "primary_colour": ""})
    assert missing.status_code == 400 and "Bitte eine Farbe wählen." in missing.text
    ok = client.post(u("newsletters:settings"), {**data, "primary_colour": "#AA3300"})
    assert ok.status_code == 302
    saved = NewsletterSettings.objects.get(network=world.network_x)
    assert (saved.primary_colour, saved.accent_colour) == ("#aa3300", "#e8f0f7")


# --- the lists: statuses as badges, empty states that name the next step ---------------------------------------


def test_the_list_shows_statuses_as_badges_and_an_empty_list_offers_the_first_infobrief(client, world, manager_x):
    client.force_login(manager_x)
    empty = client.get(u("newsletters:index")).text
    assert "Noch kein Infobrief" in empty and '<a class="button" href="#new">Ersten Infobrief anlegen</a>' in empty
    assert 'id="new"' in empty
    entries = client.get(u("newsletters:entries")).text
    assert f'<a class="button" href="{u("newsletters:entry_create")}">Beitrag anlegen</a>' in entries
    letter = Infobrief.objects.create(network=world.network_x, subject="Infobrief Herbst", status=Infobrief.Status.SENT, sent_at=timezone.now())
    InfobriefEntry.objects.create(infobrief=letter, entry=Entry.objects.create(network=world.network_x, kind="text", title="Neues"))
    listed = client.get(u("newsletters:index")).text
    assert '<span class="badge badge-success">Versendet</span>' in listed
    assert 'data-label="Status"' in listed and '<table class="stack">' in listed
