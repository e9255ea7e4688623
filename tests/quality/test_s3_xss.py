"""S-3 (QUALITY.md): user text never executes.

Every payload of tests/quality/xss_payloads.py goes into every text field people fill (organisation, contact,
membership, meeting, programme item, minutes, action item, Infobrief, Infobrief entry, Infobrief settings, course) and
is checked in four sinks:

1. Chromium: the pages that show the text, and an htmx tab swap, with every payload at once (one object per payload,
   Markdown fields with all payloads): no dialog, `window.__xss` never set, no request to the htmx probe URL, and no
   dangerous element in the DOM the browser built.
2. Server-side HTML parse: each payload alone in every field, every page that shows it (full page and htmx
   fragment): no `on*` attribute, no htmx attribute from user text, no `javascript:`/`vbscript:`/`data:text/html` URL,
   no `<script>` with payload text, no evaluated template expression.
3. Email HTML: the Infobrief (test send through the real mail path) and a meeting invitation (the real invitation
   service and task), the same parse on the text/html part.
4. PDF: the meeting documentation through the real render path (task → WeasyPrint): no JavaScript or `javascript:`
   URI in the PDF objects (pikepdf), and the payloads appear in the text as text.
"""

from __future__ import annotations

import email
import re
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as dtime
from html.parser import HTMLParser

import pikepdf
import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import invitations
from events import services as event_services
from events.documents import document_request
from events.models import ActionItem, AgendaItem, InvitationRecipient, Meeting, MeetingDocument, MeetingInvitation, MinuteEntry
from members.models import Contact, Membership, Organisation
from newsletters import sending
from newsletters.models import Delivery, Entry, Infobrief, InfobriefEntry, NewsletterSettings
from newsletters.services import newsletter_settings
from qualification.models import Course
from tests.quality.xss_payloads import PAYLOADS, PROBE, SEPARATOR, TEMPLATE_PRODUCT, URL_PAYLOADS

pytestmark = pytest.mark.anchor("S-3")

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:text/javascript", "data:image/svg")


# --- where user text goes -------------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    model: type[models.Model]
    name: str
    kind: str = "text"  # "text", "markdown" or "url"

    @property
    def label(self) -> str:
        return f"{self.model.__name__}.{self.name}"

    def value(self, payload: str, index: int) -> str:
        if self.kind == "url":
            payload = URL_PAYLOADS[index % len(URL_PAYLOADS)]
        limit = self.model._meta.get_field(self.name).max_length
        return payload[:limit] if limit else payload


FIELDS = [
    TextField(Organisation, "name"),
    TextField(Organisation, "street"),
    TextField(Organisation, "municipality"),
    TextField(Organisation, "district"),
    TextField(Organisation, "profile"),
    TextField(Organisation, "competencies"),
    TextField(Organisation, "needs"),
    TextField(Organisation, "website", "url"),
    TextField(Contact, "title"),
    TextField(Contact, "first_name"),
    TextField(Contact, "last_name"),
    TextField(Contact, "function"),
    TextField(Membership, "notes"),
    TextField(Meeting, "title"),
    TextField(Meeting, "venue_name"),
    TextField(Meeting, "venue_address"),
    TextField(Meeting, "room"),
    TextField(Meeting, "moderation"),
    TextField(Meeting, "description", "markdown"),
    TextField(AgendaItem, "title"),
    TextField(AgendaItem, "speaker"),
    TextField(AgendaItem, "speaker_function"),
    TextField(AgendaItem, "speaker_organisation"),
    TextField(AgendaItem, "summary", "markdown"),
    TextField(MinuteEntry, "text", "markdown"),
    TextField(ActionItem, "title"),
    TextField(Infobrief, "subject"),
    TextField(Infobrief, "preheader"),
    TextField(Infobrief, "intro", "markdown"),
    TextField(Entry, "title"),
    TextField(Entry, "body", "markdown"),
    TextField(Entry, "funder"),
    TextField(Entry, "place"),
    TextField(Entry, "link", "url"),
    TextField(NewsletterSettings, "title"),
    TextField(NewsletterSettings, "sender_name"),
    TextField(NewsletterSettings, "footer"),
    TextField(Course, "title"),
    TextField(Course, "provider"),
    TextField(Course, "documentation", "markdown"),
]


@dataclass
class Seeded:
    objects: dict[type[models.Model], models.Model]
    meeting: Meeting
    draft: Infobrief
    sent: Infobrief
    course: Course
    organisation: Organisation


def seed(world, manager) -> Seeded:
    """One object of each model in network X, with harmless text; the tests write the payloads into it."""
    network = world.network_x
    start = event_services.meeting_at(timezone.localdate() + timedelta(days=14), 9, 0)
    meeting = event_services.meeting_create(
        network=network,
        by=manager,
        data={"title": "Treffen", "kind": "workshop", "starts_at": start, "ends_at": start + timedelta(hours=8), "is_public": True},
    )
    item = event_services.agenda_item_save(meeting=meeting, by=manager, data={"starts_at": dtime(10), "ends_at": dtime(11), "kind": "talk", "title": "Vortrag"})
    minute = event_services.minute_add(meeting=meeting, by=manager, data={"kind": "information", "text": "Text"})
    action = ActionItem.objects.create(network=network, meeting=meeting, title="Aufgabe")
    contact = Contact.objects.filter(organisation=world.org_a).get()
    event_services.registration_register(meeting=meeting, by=manager, contact=contact, by_manager=True, consent_participant_list=True)
    draft = Infobrief.objects.create(network=network, subject="Entwurf", intro="Hallo")
    sent = Infobrief.objects.create(network=network, subject="Versendet", intro="Hallo", status=Infobrief.Status.SENT, sent_at=timezone.now())
    entry = Entry.objects.create(network=network, title="Beitrag", body="Text", link="https://example.org/")
    for letter in (draft, sent):
        InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=1)
    course = Course.objects.create(network=network, title="Kurs", year=date.today().year, status=Course.Status.HELD)
    return Seeded(
        objects={
            Organisation: world.org_a,
            Contact: contact,
            Membership: Membership.objects.get(organisation=world.org_a, network=network),
            Meeting: meeting,
            AgendaItem: item,
            MinuteEntry: minute,
            ActionItem: action,
            Infobrief: draft,
            Entry: entry,
            NewsletterSettings: newsletter_settings(network),
            Course: course,
        },
        meeting=meeting,
        draft=draft,
        sent=sent,
        course=course,
        organisation=world.org_a,
    )


def fill(seeded: Seeded, payload: str, index: int) -> None:
    """Write the payload into every field (an UPDATE per model: no form would store some of them, the pages must cope)."""
    values: dict[type[models.Model], dict[str, str]] = {}
    for field in FIELDS:
        values.setdefault(field.model, {})[field.name] = field.value(payload, index)
    for model, changes in values.items():
        model._default_manager.filter(pk=seeded.objects[model].pk).update(**changes)
    Infobrief.objects.filter(pk=seeded.sent.pk).update(**values[Infobrief])


# --- the parse: what counts as dangerous ------------------------------------------------------


def _bad_url(value: str) -> bool:
    """A URL a browser would run: a script scheme, after the browser drops controls and whitespace (`java\tscript:`)."""
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    if squeezed.startswith(BAD_SCHEMES):
        return True
    return "javascript:" in squeezed and squeezed.startswith(("url(", "0;url=", "@import")) or "url(javascript:" in squeezed


def from_user(value: str) -> bool:
    """Whether an attribute value came from a payload (random tokens such as the CSRF token may contain "xss")."""
    return "__xss" in value or PROBE in value


class DangerFinder(HTMLParser):
    """Collects what a browser would run: handlers, htmx attributes from user text, script URLs, payload scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, raw in attrs:
            value = raw or ""
            lowered = value.lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name.startswith(("hx-", "data-hx-")) or name == "_":
                if from_user(value):
                    self.found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name in URL_ATTRIBUTES and _bad_url(value):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "srcdoc" and (from_user(value) or "<" in value):
                self.found.append(f"<{tag} srcdoc={value[:60]!r}>")
            elif name == "content" and tag == "meta" and "refresh" in (dict(attrs).get("http-equiv") or "").lower() and _bad_url(lowered.split("url=", 1)[-1]):
                self.found.append(f"<meta refresh {value[:60]!r}>")
            elif name == "style" and "javascript:" in lowered:
                self.found.append(f"<{tag} style={value[:60]!r}>")
        if tag == "script":
            self._in_script = True
            src = dict(attrs).get("src") or ""
            if from_user(src):
                self.found.append(f"<script src={src[:60]!r}>")
        if tag in ("iframe", "object", "embed", "base", "frame", "frameset") and any(
            from_user(v or "") for n, v in attrs if n in ("src", "srcdoc", "data", "href")
        ):
            self.found.append(f"<{tag}> from user text")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and ("__xss" in data or "alert(1)" in data):
            self.found.append(f"<script>{data[:60]!r}")
        if TEMPLATE_PRODUCT in data:
            self.found.append(f"template evaluated: {data[:60]!r}")


def dangers(html: str) -> list[str]:
    finder = DangerFinder()
    finder.feed(html)
    finder.close()
    return finder.found


# --- sink 2: pages -----------------------------------------------------------------------------


def manager_pages(seeded: Seeded, profile: str) -> list[tuple[str, bool]]:
    """(url, htmx) of the manager pages that show the fields: in ci one full page or fragment per field set, in full all of them."""
    slug = seeded.meeting.network.slug
    meeting = reverse("events:meeting", kwargs={"network_slug": slug, "pk": seeded.meeting.pk})
    core = [
        (reverse("directory:organisation", kwargs={"network_slug": slug, "pk": seeded.organisation.pk}), False),
        (meeting + "?tab=programme", False),
        (meeting + "?tab=minutes", True),
        (reverse("newsletters:preview_mail", kwargs={"network_slug": slug, "pk": seeded.draft.pk}), False),
        (reverse("newsletter_public:archive_issue", kwargs={"network_slug": slug, "pk": seeded.sent.pk}), False),
        (reverse("qualification:course", kwargs={"network_slug": slug, "pk": seeded.course.pk}), False),
    ]
    more = [
        (reverse("directory:directory", kwargs={"network_slug": slug}), False),
        (reverse("events:meeting_list", kwargs={"network_slug": slug}), False),
        (meeting + "?tab=programme", True),
        (meeting + "?tab=participants", True),
        (meeting + "?tab=minutes", False),
        (reverse("newsletters:entries", kwargs={"network_slug": slug}), False),
        (reverse("newsletters:preview", kwargs={"network_slug": slug, "pk": seeded.draft.pk}), False),
        (reverse("qualification:courses", kwargs={"network_slug": slug}), False),
        (reverse("search") + "?q=xss", False),
    ]
    return core + more if profile == "full" else core


def member_pages(seeded: Seeded) -> list[tuple[str, bool]]:
    slug = seeded.meeting.network.slug
    return [
        (reverse("portal_events:meeting", kwargs={"pk": seeded.meeting.pk}), False),
        (reverse("public_events:meeting", kwargs={"network_slug": slug, "pk": seeded.meeting.pk}), False),
    ]


def page_dangers(client: Client, url: str, htmx: bool) -> list[str]:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return [f"{url}{' (htmx)' if htmx else ''}: {d}" for d in dangers(response.text)]


# --- sink 3: mail ------------------------------------------------------------------------------


def html_parts(raw: str) -> list[str]:
    message = email.message_from_string(raw)
    return [part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8") for part in message.walk() if part.get_content_type() == "text/html"]


@pytest.fixture
def seeded(world, manager_x) -> Seeded:
    return seed(world, manager_x)


def test_each_payload_alone_in_every_field_leaves_nothing_dangerous_in_pages_and_mails(
    seeded, world, manager_x, member_a_x, mailoutbox_files, django_capture_on_commit_callbacks, quality_profile, anchor
):
    manager, member = Client(), Client()
    manager.force_login(manager_x)
    member.force_login(member_a_x)
    pages = [(manager, url, htmx) for url, htmx in manager_pages(seeded, quality_profile)] + [(member, url, htmx) for url, htmx in member_pages(seeded)]
    # One invitation through the real service and task; then each payload goes through the same message builders.
    invitee = Contact.objects.create(organisation=world.org_b, first_name="Gast", last_name="Gast", email="gast@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invitation_create(meeting=seeded.meeting, by=manager_x, audience="selected", contact_ids=[invitee.pk])
    assert len(mailoutbox_files()) == 1
    recipient = invitation.recipients.get()
    found: list[str] = []
    checks = 0
    for index, payload in enumerate(PAYLOADS):
        fill(seeded, payload, index)
        for client, url, htmx in pages:
            found += page_dangers(client, url, htmx)
            checks += 1
        # The Infobrief as one recipient (the payload as name) gets it; the invitation to a contact with the payload as name.
        Contact.objects.filter(pk=invitee.pk).update(first_name=payload[:100], last_name=payload[:100])
        MeetingInvitation.objects.filter(pk=invitation.pk).update(message=payload)
        draft = Infobrief.objects.select_related("network").get(pk=seeded.draft.pk)
        delivery = Delivery(infobrief=draft, email="empfang@example.org", name=payload[:200], pk=900_000 + index)  # not saved: build_message only reads it
        recipient = InvitationRecipient.objects.select_related("contact", "invitation__meeting__network").get(pk=recipient.pk)
        for message in (sending.build_message(draft, delivery), invitations._invitation_message(recipient, recipient.invitation)):
            parts = html_parts(message.message().as_string())
            assert parts, "a mail without an HTML part"
            for part in parts:
                found += [f"mail {index}: {d}" for d in dangers(part)]
                checks += 1
    anchor(sinks=2, payloads=len(PAYLOADS), fields=len(FIELDS) + 3, checks=checks, dangerous=len(found))  # +3: invitee names, invitation message
    assert found == [], "\n".join(found[:40])


# --- sinks 1 and 4: Chromium and PDF with every payload at once -------------------------------


def seed_all_at_once(seeded: Seeded, world, manager) -> None:
    """One object per payload where a page lists objects, all payloads in the Markdown and long text fields."""
    meeting, network = seeded.meeting, seeded.meeting.network
    every = SEPARATOR.join(PAYLOADS)
    fill(seeded, PAYLOADS[0], 0)
    Organisation.objects.filter(pk=seeded.organisation.pk).update(profile=every, competencies=every, needs=every)
    Meeting.objects.filter(pk=meeting.pk).update(description=every)
    Infobrief.objects.filter(pk__in=[seeded.draft.pk, seeded.sent.pk]).update(intro=every)
    Course.objects.filter(pk=seeded.course.pk).update(documentation=every)
    Membership.objects.filter(organisation=seeded.organisation, network=network).update(notes=every)
    base = timezone.now()
    for index, payload in enumerate(PAYLOADS):
        clip = payload[:100]
        Contact.objects.create(organisation=seeded.organisation, first_name=clip, last_name=clip, function=clip)
        AgendaItem.objects.create(meeting=meeting, position=index + 2, starts_at=dtime(12), kind="talk", title=payload, speaker=payload[:200], summary=payload)
        MinuteEntry.objects.create(meeting=meeting, position=index + 2, kind="information", text=payload)
        ActionItem.objects.create(network=network, meeting=meeting, title=payload)
        entry = Entry.objects.create(network=network, title=payload, body=payload, link=URL_PAYLOADS[index % len(URL_PAYLOADS)], created_at=base)
        InfobriefEntry.objects.create(infobrief=seeded.sent, entry=entry, position=index + 2)


EXECUTED = "() => window.__xss"
DOM_DANGERS = """(marker) => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase(), v = (a.value || '').toLowerCase();
      const squeezed = v.replace(/[\\x00-\\x20]/g, '');
      if (n.startsWith('on')) found.push(`<${el.tagName} ${n}>`);
      else if ((n.startsWith('hx-') || n.startsWith('data-hx-') || n === '_') && (a.value.includes(marker) || a.value.includes('__xss')))
        found.push(`<${el.tagName} ${n}=${v.slice(0, 40)}>`);
      else if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(n)
               && /^(javascript:|vbscript:|data:text\\/html)/.test(squeezed)) found.push(`<${el.tagName} ${n}=${v.slice(0, 40)}>`);
    }
    if (el.tagName === 'SCRIPT' && (el.textContent.includes('__xss') || (el.src || '').includes('__xss')))
      found.push('<script> from user text');
  }
  return found;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_payload_at_once_runs_nothing_in_chromium(chromium_browser, live_server, world, manager_x, anchor):
    seeded = seed(world, manager_x)
    seed_all_at_once(seeded, world, manager_x)
    client = Client()
    client.force_login(manager_x)
    context = chromium_browser.new_context(base_url=live_server.url, locale="de-DE")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    dialogs: list[str] = []
    probes: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: probes.append(request.url) if "xss-probe" in request.url else None)
    slug = world.network_x.slug
    meeting = reverse("events:meeting", kwargs={"network_slug": slug, "pk": seeded.meeting.pk})
    urls = [
        reverse("directory:organisation", kwargs={"network_slug": slug, "pk": seeded.organisation.pk}),
        meeting + "?tab=programme",
        reverse("newsletter_public:archive_issue", kwargs={"network_slug": slug, "pk": seeded.sent.pk}),
        reverse("newsletters:preview_mail", kwargs={"network_slug": slug, "pk": seeded.draft.pk}),
        reverse("qualification:course", kwargs={"network_slug": slug, "pk": seeded.course.pk}),
    ]
    found: list[str] = []
    executions = 0
    checks = 0
    from playwright.sync_api import expect

    try:
        for url in urls:
            page.goto(url, wait_until="load")
            expect(page.locator("body")).to_contain_text("__xss")  # the payloads are on the page, as text
            found += [f"{url}: {d}" for d in page.evaluate(DOM_DANGERS, PROBE)]
            executions += 1 if page.evaluate(EXECUTED) is not None else 0
            checks += 3
        # The htmx swap: the minutes tab comes in by htmx and is processed by htmx like any swapped fragment.
        page.goto(meeting + "?tab=programme", wait_until="load")
        page.locator("#tab-minutes").click()
        expect(page.locator("#tab-minutes")).to_have_attribute("aria-current", "page")
        expect(page.locator("#tab-panel")).to_contain_text("__xss")
        page.wait_for_load_state("load")
        found += [f"minutes swap: {d}" for d in page.evaluate(DOM_DANGERS, PROBE)]
        executions += 1 if page.evaluate(EXECUTED) is not None else 0
        checks += 3
    finally:
        context.close()
    executions += len(dialogs) + len(probes)
    anchor(sinks=1, executions=executions, dangerous=len(found), checks=checks)
    assert (dialogs, probes, executions) == ([], [], 0)
    assert found == [], "\n".join(found[:40])


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def pdf_active_content(data: bytes) -> list[str]:
    """JavaScript actions, javascript: URIs, launch actions and embedded files anywhere in the PDF's objects."""
    found = []
    with pikepdf.open(__import__("io").BytesIO(data)) as pdf:
        root = pdf.Root
        for key in ("/OpenAction", "/AA"):
            if key in root:
                found.append(f"catalog {key}")
        if "/Names" in root and ("/JavaScript" in root.Names or "/EmbeddedFiles" in root.Names):
            found.append("catalog /Names with JavaScript or files")
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            for key in ("/JS", "/JavaScript", "/Launch"):
                if key in obj:
                    found.append(f"object with {key}")
            if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                found.append(f"action {obj.get('/S')}")
            uri = obj.get("/URI")
            if uri is not None and re.sub(r"[\x00-\x20]", "", str(uri)).lower().startswith(BAD_SCHEMES):
                found.append(f"URI {str(uri)[:60]!r}")
    return found


def test_the_documentation_pdf_carries_the_payloads_as_text_and_nothing_active(seeded, world, manager_x, django_capture_on_commit_callbacks, settings, anchor):
    from verbund.celery import app

    seed_all_at_once(seeded, world, manager_x)
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            document_request(meeting=seeded.meeting, kind=MeetingDocument.Kind.DOCUMENTATION)
    finally:
        app.conf.task_always_eager = before
    document = MeetingDocument.objects.get(meeting=seeded.meeting, kind=MeetingDocument.Kind.DOCUMENTATION)
    assert document.status == MeetingDocument.Status.DONE, document.error
    with document.file.open("rb") as handle:
        data = handle.read()
    active = pdf_active_content(data)
    text = re.sub(r"\s+", "", pdf_text(data))
    # The programme titles are plain text: each tag payload must come out as the characters typed (an escaped "<img …>"
    # shows as text; a tag that was parsed as markup would vanish from the text).
    tags = [p for p in PAYLOADS if p.startswith(("<img", "<svg", "<script", "<iframe"))]
    missing = [p for p in tags if re.sub(r"\s+", "", p) not in text]
    anchor(sinks=1, checks=len(tags) + 1, dangerous=len(active) + len(missing))
    assert active == [], active
    assert missing == [], f"{len(missing)} of {len(tags)} payloads are not in the PDF as text: {missing[:5]}"


@pytest.mark.parametrize(
    "html",
    [
        "<img src=x onerror=window.__xss=1>",
        '<div hx-get="/xss-probe/" hx-trigger="load"></div>',
        '<div data-hx-on:click="window.__xss=1"></div>',
        '<a href=" java\tscript:window.__xss=1">x</a>',
        "<script>window.__xss=1</script>",
        "<p>54439</p>",
    ],
)
def test_the_parse_finds_each_kind_of_danger(html):
    """The checker itself: each kind of surviving payload is found (the anchor's 0 is not a blind spot)."""
    assert dangers(html)


def test_the_parse_leaves_escaped_text_and_the_pages_own_htmx_alone():
    assert dangers('<iframe src="/mail/" title="HTML-Fassung von „&lt;img src=x onerror=window.__xss=1&gt;“"></iframe>') == []
    assert dangers('<p>&lt;img src=x onerror=window.__xss=1&gt;</p><a hx-get="/manage/netz-x/meetings/1/?tab=minutes" href="/x">Protokoll</a>') == []
