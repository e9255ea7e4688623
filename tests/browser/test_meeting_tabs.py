"""Issue 15 in Chromium: the meeting page's tabs swap in place with htmx (same document, the address follows, the
browser's Back works) and work as plain links without JavaScript; every tab passes axe on a phone (390 px) and a
laptop (1280 px) without sideways scrolling; the participants' bulk actions; the check-in sheet on paper."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from events import attachments, services
from events.models import Meeting, Registration
from members.models import Contact
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.hostile_files import JPEG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = {"overview": "Eckdaten", "programme": "Programmpunkt hinzufügen", "participants": "Gast anmelden", "minutes": "Eintrag hinzufügen", "files": "Hochladen"}


@pytest.fixture
def meeting(world, settings, tmp_path) -> Meeting:
    """A meeting with something in every tab, long names included (they must not widen a phone's page)."""
    settings.MEDIA_ROOT = tmp_path
    manager = world.users["manager_x"]
    day = timezone.localdate() + timedelta(days=5)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Koordinierungstreffen Wärmenetze und Energiegenossenschaften im Münsterland",
            "kind": "coordination",
            "venue_name": "Kreishaus Steinfurt, Sitzungssaal",
            "starts_at": services.meeting_at(day, 9),
            "ends_at": services.meeting_at(day, 13),
            "capacity": 20,
        },
    )
    for start, end, title in [(9, 10, "Begrüßung"), (10, 11, "Förderprogramme für kommunale Wärmeplanung – Überblick")]:
        services.agenda_item_save(
            meeting=meeting,
            by=manager,
            data={"starts_at": time(start), "ends_at": time(end), "title": title},
        )
    for org in (world.org_a, world.org_b):
        services.registration_register(meeting=meeting, by=manager, by_manager=True, contact=Contact.objects.get(organisation=org))
    services.registration_register(
        meeting=meeting,
        by=manager,
        by_manager=True,
        guest={"name": "Dr. Friederike Müller-Lüdenscheidt", "email": "f.mueller@example.org", "organisation": "Stadtwerke Lengerich"},
        consent_participant_list=True,
        consent_source="email",
    )
    services.minute_add(meeting=meeting, by=manager, data={"kind": "decision", "text": "Die AG Wärme trifft sich vierteljährlich."})
    services.action_item_create(network=world.network_x, meeting=meeting, by=manager, data={"title": "Förderaufruf weiterleiten"})
    attachments.attachment_add(meeting=meeting, by=manager, kind="photo", upload=SimpleUploadedFile("saal.jpg", JPEG, "image/jpeg"), title="Saal")
    return meeting


def fits_the_width(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


def test_tabs_swap_in_place_follow_the_address_and_pass_axe_on_phone_and_laptop(page, world, meeting):
    log_in(page, "manager_x@example.org")
    page.goto(meeting.get_absolute_url())
    expect(page.get_by_role("heading", name="Eckdaten")).to_be_visible()
    page.wait_for_load_state()
    page.evaluate("window.__sameDocument = true")

    page.locator("#tab-participants").click()
    expect(page).to_have_url(re.compile(r"\?tab=participants$"))
    expect(page.locator("#tab-participants")).to_have_attribute("aria-current", "page")
    expect(page.locator("#tab-overview")).not_to_have_attribute("aria-current", "page")
    expect(page.locator("#participants tbody")).to_contain_text("Dr. Friederike Müller-Lüdenscheidt")
    expect(page).to_have_title(re.compile(r"^Teilnehmende · Koordinierungstreffen"))
    page.locator("#tab-minutes").click()
    expect(page.locator("#minutes")).to_contain_text("Die AG Wärme trifft sich vierteljährlich.")
    assert page.evaluate("window.__sameDocument") is True  # read after the swapped panel is shown: no page load happened
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?tab=participants$"))
    expect(page.locator("#participants")).to_be_visible()

    for width, height in [(390, 844), (1280, 900)]:
        page.set_viewport_size({"width": width, "height": height})
        for tab, marker in TABS.items():
            page.goto(meeting.get_absolute_url() + ("" if tab == "overview" else f"?tab={tab}"))
            expect(page.locator(f"#tab-{tab}")).to_have_attribute("aria-current", "page")
            expect(page.locator("#tab-panel").get_by_text(marker, exact=True).first).to_be_attached()
            assert_accessible(page)
            if width == 390:
                fits_the_width(page)
    assert page.csp_violations == []


def test_tabs_are_plain_links_without_javascript(chromium_browser, live_server, world, meeting):
    context = chromium_browser.new_context(base_url=live_server.url, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    log_in(page, "manager_x@example.org")
    page.goto(meeting.get_absolute_url())
    page.locator("#tab-minutes").click()
    expect(page).to_have_url(re.compile(r"\?tab=minutes$"))
    expect(page.locator("#minutes")).to_contain_text("Die AG Wärme trifft sich vierteljährlich.")
    # A write without JavaScript comes back to its tab.
    page.locator("#minute_text").fill("Nächstes Treffen im Herbst.")
    page.locator("#minutes").get_by_role("button", name="Hinzufügen").click()
    expect(page).to_have_url(re.compile(r"\?tab=minutes#minutes$"))
    expect(page.locator("#minutes ol")).to_contain_text("Nächstes Treffen im Herbst.")
    # "Alle auswählen" works as a link, the bulk action as a plain form.
    page.locator("#tab-participants").click()
    page.get_by_role("link", name="Alle auswählen").click()
    expect(page.locator('input[form="participants-bulk"]:checked')).to_have_count(3)
    page.get_by_role("button", name="Ausgewählte als anwesend markieren").click()
    expect(page.get_by_text("3 Personen als anwesend markiert.").first).to_be_visible()
    assert set(meeting.registrations.values_list("status", flat=True)) == {"attended"}
    context.close()


def test_bulk_actions_export_mail_and_mark_present(page, world, meeting):
    log_in(page, "manager_x@example.org")
    page.goto(f"{meeting.get_absolute_url()}?tab=participants")
    guest = Registration.objects.get(guest_name__startswith="Dr. Friederike")
    page.get_by_label("Dr. Friederike Müller-Lüdenscheidt auswählen").check()
    page.get_by_label("Mia member_a_x auswählen").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Ausgewählte exportieren (CSV)").click()
    data = open(download_info.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and "Dr. Friederike Müller-Lüdenscheidt;Stadtwerke Lengerich" in data.decode("utf-8-sig")
    assert "member_b_x" not in data.decode("utf-8-sig")

    page.get_by_role("button", name="E-Mail an Ausgewählte").click()
    expect(page.get_by_role("heading", name="2 Personen bekommen diese Nachricht")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_subject").fill("Unterlagen")
    page.locator("#id_body").fill("Anbei die Unterlagen.")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("button", name="Jetzt an 2 Personen senden")).to_be_visible()

    page.goto(f"{meeting.get_absolute_url()}?tab=participants")
    page.get_by_role("button", name="Alle als anwesend markieren").click()
    expect(page.get_by_text("3 Personen als anwesend markiert.").first).to_be_visible()
    toast = page.locator(".toast")
    expect(toast).to_be_visible()
    assert_accessible(page)
    toast.get_by_role("button", name="Rückgängig").click()
    expect(page.get_by_text("Anwesenheit von 3 Personen zurückgenommen.")).to_be_visible()
    guest.refresh_from_db()
    assert guest.status == "registered"
    assert page.csp_violations == []


def test_the_check_in_sheet_prints_with_a_signature_column(page, world, meeting, tmp_path):
    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/check-in/")
    expect(page.locator("#check-in-list")).to_contain_text("Dr. Friederike Müller-Lüdenscheidt")
    assert_accessible(page)
    expect(page.locator(".signature").first).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".signature")).to_have_count(3)
    expect(page.locator(".signature").first).to_be_visible()
    for hidden in (".check-in-search", ".site-header", ".sidebar", "button.big-target", ".page-actions"):
        expect(page.locator(hidden).first).to_be_hidden()
    page.screenshot(path=str(tmp_path / "check-in-print.png"), full_page=True)
    target = tmp_path / "check-in.pdf"
    page.pdf(path=str(target), format="A4")
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Dr. Friederike Müller-Lüdenscheidt" in text and text.count("Unterschrift") == 3
    assert "Eintragen und anwesend" not in text and "Suchen" not in text
