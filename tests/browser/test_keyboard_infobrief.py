"""Issue 15 in Chromium, keyboard only: a manager logs in, creates an Infobrief, chooses the audience, writes and places
entries, reads the text preview, sends a test and sends it – with Tab, Shift+Tab, Enter, Space, the arrow keys and typing
into fields reached by Tab. No click, no fill. Every wizard step has 0 axe violations at 390 and 1280 px and no
sideways scrolling on the phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from newsletters.models import Delivery, Entry, Infobrief
from tests.browser.test_start_pages import assert_accessible
from tests.conftest import PASSWORD
from tests.newsletters import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 390, 1280


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user moves through the page."""
    expect(target).to_be_visible()
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with {key} in {limit} presses")


def check_step(page: Page) -> None:
    """axe at phone and desktop width; on the phone nothing scrolls sideways. Ends at desktop width."""
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        if width == PHONE:
            page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page)


def current_step(page: Page) -> Locator:
    return page.locator('.stepper li[aria-current="step"]')


def test_a_manager_composes_and_sends_an_infobrief_with_the_keyboard_alone(page, world, mailoutbox_files):
    factories.recipients(world.network_x, 3)
    call = Entry.objects.create(
        network=world.network_x, kind="funding_call", title="Förderaufruf Wasserstoff", funder="Land", deadline=timezone.localdate() + timedelta(days=40)
    )
    page.set_viewport_size({"width": DESKTOP, "height": 900})

    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label("E-Mail-Adresse", exact=True))
    page.keyboard.type("manager_x@example.org")
    tab_to(page, page.get_by_label("Passwort", exact=True))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # The empty list names the next step; its link leads to the form below.
    page.goto("/manage/netz-x/infobrief/")
    expect(page.get_by_text("Noch kein Infobrief")).to_be_visible()
    check_step(page)
    tab_to(page, page.get_by_role("link", name="Ersten Infobrief anlegen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#new$"))
    tab_to(page, page.get_by_label("Betreff"))
    page.keyboard.type("Infobrief Mai")
    tab_to(page, page.get_by_role("button", name="Anlegen"))
    page.keyboard.press("Enter")

    # Step 1: recipients.
    expect(page).to_have_url(re.compile(r"/infobrief/\d+/audience/$"))
    expect(current_step(page)).to_contain_text("Empfänger")
    expect(page.get_by_text("3 Empfänger:innen")).to_be_visible()
    letter = Infobrief.objects.get(subject="Infobrief Mai")
    check_step(page)
    subscribers = page.get_by_label("Externe Abonnent:innen einbeziehen")
    expect(subscribers).to_be_checked()
    tab_to(page, subscribers)
    page.keyboard.press("Space")
    expect(subscribers).not_to_be_checked()
    tab_to(page, page.get_by_role("button", name="Weiter: Inhalt"))
    page.keyboard.press("Enter")

    # Step 2: content. Nothing in it yet: the empty state offers to write the first entry.
    expect(page).to_have_url(re.compile(r"/content/$"))
    expect(current_step(page)).to_contain_text("Inhalt")
    letter.refresh_from_db()
    assert letter.include_subscribers is False  # "Weiter" saved the choice
    check_step(page)
    tab_to(page, page.get_by_role("link", name="Beitrag anlegen"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Neuer Beitrag")).to_be_visible()
    check_step(page)
    tab_to(page, page.get_by_label("Überschrift"))
    page.keyboard.type("Richtfest in Gladbeck")
    tab_to(page, page.get_by_label("Text", exact=True))
    page.keyboard.type("Die Halle steht. **Danke** an alle!")
    tab_to(page, page.get_by_role("button", name="Speichern und aufnehmen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/content/$"))
    placed = page.locator(".placements")
    expect(placed).to_contain_text("Richtfest in Gladbeck")
    # An entry written earlier: chosen in the list with the arrow key, then placed.
    choice = page.get_by_label("Vorhandenen Beitrag aufnehmen")
    tab_to(page, choice)
    page.keyboard.press("ArrowDown")
    expect(choice).to_have_value(str(call.pk))
    tab_to(page, page.get_by_role("button", name="Aufnehmen"))
    page.keyboard.press("Enter")
    expect(placed).to_contain_text("Förderaufruf Wasserstoff")
    check_step(page)
    tab_to(page, page.get_by_role("button", name="Weiter: Vorschau und Test"))
    page.keyboard.press("Enter")

    # Step 3: preview and test. The HTML version is framed inline, the text version is a region reached by Tab.
    expect(page).to_have_url(re.compile(r"/preview/$"))
    expect(current_step(page)).to_contain_text("Vorschau und Test")
    frame = page.frame_locator("iframe.mail-preview")
    expect(frame.locator("body")).to_contain_text("Richtfest in Gladbeck")
    check_step(page)
    text = page.get_by_role("region", name="Textfassung")
    tab_to(page, text)
    expect(text).to_be_focused()
    expect(text).to_contain_text("Förderaufruf Wasserstoff")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="HTML-Fassung in neuem Tab öffnen")).to_be_focused()
    page.keyboard.press("Tab")
    expect(text).to_be_focused()
    tab_to(page, page.get_by_role("button", name=re.compile("Testversand an mich")))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Test an manager_x@example.org gesendet")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Weiter: Versand"))
    page.keyboard.press("Enter")

    # Step 4: sending – asked with the number, then sent.
    expect(page).to_have_url(re.compile(r"/send/$"))
    expect(current_step(page)).to_contain_text("Versand")
    expect(page.locator(".stepper li.done")).to_have_count(3)  # recipients, content, test: all done by now
    check_step(page)
    tab_to(page, page.get_by_role("button", name="Jetzt senden …"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="An 3 Empfänger:innen senden?")).to_be_visible()
    check_step(page)
    tab_to(page, page.get_by_role("button", name="Ja, jetzt senden"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/progress/$"))
    expect(page.get_by_text("3 von 3 Empfänger:innen haben den Infobrief erhalten.")).to_be_visible()
    check_step(page)

    assert Delivery.objects.filter(infobrief=letter, status="sent").count() == 3
    mails = mailoutbox_files()
    assert len([m for m in mails if "[TEST]" in m]) == 1 and len([m for m in mails if "[TEST]" not in m]) == 3
    assert page.csp_violations == []
