"""Issue 4 in Chromium: a manager plans a meeting with a programme, a member registers, the manager checks people in and keeps minutes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from events.models import Meeting, MinuteEntry, Registration
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.hostile_files import JPEG, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_tasks():
    """Documents render in the request's on_commit, as in the embedded default, whatever broker CI configures."""
    from verbund.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def test_meeting_from_planning_to_minutes(page, world, eager_tasks):
    day = timezone.localdate() + timedelta(days=7)
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/meetings/new/")
    assert_accessible(page)
    page.locator("#id_title").fill("Koordinierungstreffen Herbst")
    page.locator("#id_starts_at").fill(f"{day:%Y-%m-%d}T10:00")
    page.locator("#id_ends_at").fill(f"{day:%Y-%m-%d}T13:00")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("heading", name="Koordinierungstreffen Herbst").wait_for()
    meeting = Meeting.objects.get()

    # Programme: its tab opens in place, items are added with htmx, an overlap is explained in place. The heading
    # shows before the document has loaded; htmx takes over the links and forms only then.
    page.wait_for_load_state()
    page.evaluate("window.__sameDocument = true")
    page.locator("#tab-programme").click()
    expect(page).to_have_url(re.compile(r"\?tab=programme$"))
    expect(page.locator("#tab-programme")).to_have_attribute("aria-current", "page")
    agenda = page.locator("#agenda")
    agenda.locator("#agenda_starts_at").fill("10:00")
    agenda.locator("#agenda_ends_at").fill("10:30")
    agenda.locator("#agenda_title").fill("Begrüßung")
    agenda.get_by_role("button", name="Hinzufügen").click()
    page.locator("#agenda tbody").get_by_role("cell", name="Begrüßung (Vortrag)").wait_for()
    agenda = page.locator("#agenda")
    agenda.locator("#agenda_starts_at").fill("10:15")
    agenda.locator("#agenda_ends_at").fill("11:00")
    agenda.locator("#agenda_title").fill("Cluster Management")
    agenda.get_by_role("button", name="Hinzufügen").click()
    page.locator("#agenda").get_by_text("Überschneidet sich mit „Begrüßung“").wait_for()
    # Read after the swapped answer is shown: a full page load would already have cleared the flag, it cannot come back.
    assert page.evaluate("window.__sameDocument") is True
    assert_accessible(page)

    # A member registers in the portal.
    page.context.clear_cookies()
    log_in(page, "member_a_x@example.org")
    page.goto(f"/portal/meetings/{meeting.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet:").wait_for()
    assert Registration.objects.get().status == "registered"

    # The manager checks her in and records a question and its answer.
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/check-in/")
    assert_accessible(page)
    page.get_by_role("button", name="Ist da").click()
    page.get_by_text("1 von 1 anwesend").wait_for()
    assert Registration.objects.get().status == "attended"
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/?tab=minutes")
    minutes = page.locator("#minutes")
    minutes.locator("#minute_kind").select_option("question")
    minutes.locator("#minute_text").fill("Wie werden Cluster finanziert?")
    minutes.get_by_role("button", name="Hinzufügen").click()
    # The first entry is shown (and the form swapped for an empty one) before the second is typed.
    page.locator("#minutes").get_by_text("Wie werden Cluster finanziert?").wait_for()
    minutes = page.locator("#minutes")
    minutes.locator("#minute_kind").select_option("answer")
    minutes.locator("#minute_text").fill("Anschubfinanzierung, dann Eigenmittel.")
    minutes.get_by_role("button", name="Hinzufügen").click()
    page.locator("#minutes").get_by_text("Anschubfinanzierung, dann Eigenmittel.").wait_for()
    assert list(MinuteEntry.objects.values_list("kind", flat=True)) == ["question", "answer"]

    # The talk's summary in Markdown, slides and a photo, then the documentation as a PDF download.
    talk = meeting.agenda_items.get()
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/agenda/{talk.pk}/summary/")
    assert_accessible(page)
    page.get_by_label("Zusammenfassung").fill("**Netzwerke** brauchen Management.\n\n- Vertrauen\n- Spielregeln")
    page.get_by_role("button", name="Vorschau").click()
    page.locator(".prose strong", has_text="Netzwerke").wait_for()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Zusammenfassung gespeichert.").wait_for()
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/attachments/")
    assert_accessible(page)
    documents = page.locator("section[aria-labelledby=documents-heading] tbody tr")
    photos = page.locator(".gallery img")
    # Each upload answers with the same page and the same kind of message: wait for the row or photo it adds,
    # not for a message the page before may still show.
    for kind, name, data, mime, shown in [
        ("slides", "folien.pdf", pdf(2), "application/pdf", documents),
        ("photo", "saal.jpg", JPEG, "image/jpeg", photos),
    ]:
        page.get_by_label("Art").select_option(kind)
        page.get_by_label("Datei").set_input_files({"name": name, "mimeType": mime, "buffer": data})
        page.get_by_label("Personen auf dem Foto").select_option("none")
        page.get_by_role("button", name="Hochladen").click()
        expect(shown).to_have_count(1)
        page.get_by_text("hochgeladen.").wait_for()
    expect(documents).to_have_count(1)
    # The thumbnail loads after the page: wait until the browser has decoded it.
    expect(photos).to_have_js_property("complete", True)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photos.element_handle())
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/documents/documentation/")
    page.get_by_role("button", name="Aktuelle Fassung erstellen").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF herunterladen").click()
    reader = PdfReader(download_info.value.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Netzwerke brauchen Management." in text and "Wie werden Cluster finanziert?" in text
    assert "Anhang 1: Folien (PDF)" in text or "Anhang 1: Begrüßung" in text
    assert page.csp_violations == []


def test_meeting_pages_added_later_are_accessible(page, world, eager_tasks):
    """Calendar, series, attachments, invitation, public sign-up and the pulse: 0 axe violations, 0 CSP violations."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events import attachments, services
    from events.feedback import PURPOSE
    from events.models import MeetingSeries
    from events.tokens import make_token
    from members.models import Contact

    manager = world.users["manager_x"]
    series = MeetingSeries.objects.create(network=world.network_x, name="Koordinierungskreis")
    day = timezone.localdate() + timedelta(days=3)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Tag der offenen Tür",
            "kind": "public",
            "is_public": True,
            "series": series,
            "starts_at": services.meeting_at(day, 10),
            "ends_at": services.meeting_at(day, 16),
        },
    )
    attachments.attachment_add(meeting=meeting, by=manager, kind="photo", upload=SimpleUploadedFile("a.jpg", JPEG, "image/jpeg"), title="Saal")
    past = services.meeting_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Rückblick",
            "starts_at": services.meeting_at(day - timedelta(days=30), 10),
            "ends_at": services.meeting_at(day - timedelta(days=30), 12),
        },
    )
    registration = Registration.objects.create(meeting=past, contact=Contact.objects.get(organisation=world.org_a), status="attended")

    page.goto(f"/n/netz-x/meetings/{meeting.pk}/")
    assert_accessible(page)
    page.goto(f"/feedback/{make_token(PURPOSE, registration.pk)}/?score=4")
    assert_accessible(page)
    log_in(page, "manager_x@example.org")
    for path in [
        "/manage/netz-x/meetings/calendar/",
        "/manage/netz-x/meetings/series/",
        f"/manage/netz-x/meetings/series/{series.pk}/",
        f"/manage/netz-x/meetings/{meeting.pk}/attachments/",
        f"/manage/netz-x/meetings/{meeting.pk}/documentation/",
        "/manage/netz-x/profile/documentation/",
        f"/manage/netz-x/meetings/{meeting.pk}/invite/",  # last: the recipients button below is on this page
    ]:
        page.goto(path)
        assert_accessible(page)
    page.get_by_role("button", name="Empfänger anzeigen").click()
    page.get_by_role("heading", name=re.compile("eingeladen")).wait_for()
    assert_accessible(page)
    assert page.csp_violations == []
