"""Issue 15 in Chromium, keyboard only: a manager logs in, creates a meeting, adds a programme item, registers a guest,
marks everyone present, writes a minute entry and switches tabs — with Tab, Shift+Tab, Enter, Space and typing, never
a mouse click (no .click(), no .fill()). Every step is reached by moving the focus the way a keyboard user does."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from events.models import Meeting, MinuteEntry, Registration
from tests.browser.test_start_pages import assert_accessible
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focus(page: Page, target: Locator, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user walks through the page."""
    target.wait_for(state="attached")
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            expect(target).to_be_focused()
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{target} not reached with {'Shift+Tab' if backwards else 'Tab'} in {limit} steps")


def type_into(page: Page, target: Locator, text: str, *, backwards: bool = False) -> None:
    focus(page, target, backwards=backwards)
    page.keyboard.type(text)


def type_time(page: Page, target: Locator, hour: int, minute: int = 0, *, backwards: bool = False) -> None:
    """A morning time in a time field, in 24-hour and in 12-hour (AM/PM) locales alike: "A" sets AM where there is a marker."""
    focus(page, target, backwards=backwards)
    page.keyboard.type(f"{hour:02d}{minute:02d}A")


def type_datetime(page: Page, target: Locator, day: date, hour: int) -> None:
    """A morning on the 6th of June in a datetime field: day and month are both 6, so the locale's order of them does not
    matter; Tab leaves the year (which takes up to six digits) for the hour."""
    assert day.day == day.month == 6
    focus(page, target)
    page.keyboard.type(f"0606{day.year}")
    page.keyboard.press("Tab")
    page.keyboard.type(f"{hour:02d}00A")


def test_a_manager_runs_a_meeting_with_the_keyboard_only(page, world):
    day = date(timezone.localdate().year + 1, 6, 6)

    # Log in.
    page.goto("/accounts/login/")
    type_into(page, page.get_by_label("E-Mail-Adresse", exact=True), "manager_x@example.org")
    type_into(page, page.get_by_label("Passwort", exact=True), PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # Create a meeting: the skip link first, then the form's fields.
    page.goto("/manage/netz-x/meetings/new/")
    focus(page, page.get_by_role("link", name="Zum Inhalt springen"))
    page.keyboard.press("Enter")
    type_into(page, page.locator("#id_title"), "Arbeitstreffen Tastatur")
    type_datetime(page, page.locator("#id_starts_at"), day, 9)
    type_datetime(page, page.locator("#id_ends_at"), day, 11)
    expect(page.locator("#id_starts_at")).to_have_value(f"{day:%Y-%m-%d}T09:00")
    expect(page.locator("#id_ends_at")).to_have_value(f"{day:%Y-%m-%d}T11:00")
    focus(page, page.get_by_role("button", name="Speichern"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Arbeitstreffen Tastatur", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Eckdaten")).to_be_visible()
    page.wait_for_load_state()
    page.evaluate("window.__sameDocument = true")
    meeting = Meeting.objects.get()

    # The Programm tab: opened with Enter, swapped in place; the focus stays on the tab.
    programme_tab = page.locator("#tab-programme")
    focus(page, programme_tab)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?tab=programme$"))
    expect(programme_tab).to_have_attribute("aria-current", "page")
    expect(programme_tab).to_be_focused()
    type_time(page, page.locator("#agenda_starts_at"), 9, 30)
    type_time(page, page.locator("#agenda_ends_at"), 10, 30)
    type_into(page, page.locator("#agenda_title"), "Begrüßung und Überblick")
    page.keyboard.press("Enter")
    expect(page.locator("#agenda tbody")).to_contain_text("Begrüßung und Überblick")
    expect(page.locator("#tab-programme .count")).to_have_text("1")
    expect(page.locator("#agenda_title")).to_be_focused()  # the form came back empty, the focus where it was

    # The Teilnehmende tab, back up with Shift+Tab; a guest registered by typing her name and pressing Enter.
    participants_tab = page.locator("#tab-participants")
    focus(page, participants_tab, backwards=True)
    page.keyboard.press("Enter")
    expect(participants_tab).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Noch keine Anmeldungen")).to_be_visible()
    type_into(page, page.locator("#guest_name"), "Gerda Gast")
    page.keyboard.press("Enter")
    expect(page.locator("#participants tbody")).to_contain_text("Gerda Gast")
    assert page.evaluate("window.__sameDocument") is True  # tabs and sections all swapped in place

    # Everyone present: back to the bulk actions, the button pressed with Space (a plain form: the page reloads).
    focus(page, page.get_by_role("button", name="Alle als anwesend markieren"), backwards=True)
    page.keyboard.press("Space")
    expect(page.get_by_text("1 Person als anwesend markiert.").first).to_be_visible()
    expect(page.locator("#participants tbody")).to_contain_text("Teilgenommen")
    assert Registration.objects.get(meeting=meeting).status == "attended"

    # The Protokoll tab, back up from the participants the reloaded page scrolled to; a decision typed into the minutes.
    minutes_tab = page.locator("#tab-minutes")
    focus(page, minutes_tab, backwards=True)
    page.keyboard.press("Enter")
    expect(minutes_tab).to_have_attribute("aria-current", "page")
    focus(page, page.locator("#minute_kind"))
    page.keyboard.type("Beschluss")  # a closed select picks the option typed
    expect(page.locator("#minute_kind")).to_have_value("decision")
    type_into(page, page.locator("#minute_text"), "Wir treffen uns wieder im Herbst.")
    focus(page, page.locator("#minutes").get_by_role("button", name="Hinzufügen"))
    page.keyboard.press("Enter")
    expect(page.locator("#minutes ol")).to_contain_text("Wir treffen uns wieder im Herbst.")
    expect(minutes_tab.locator(".count")).to_have_text("1")
    expect(page.locator("#minute-add-submit")).to_be_focused()

    # And back to the overview, which now shows the meeting's facts.
    overview_tab = page.locator("#tab-overview")
    focus(page, overview_tab, backwards=True)
    page.keyboard.press("Enter")
    expect(overview_tab).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Eckdaten")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    assert_accessible(page)

    entry = MinuteEntry.objects.get(meeting=meeting)
    assert entry.kind == "decision" and entry.text == "Wir treffen uns wieder im Herbst."
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Begrüßung und Überblick"]
    assert page.csp_violations == []
