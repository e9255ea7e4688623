"""Issue 13 in Chromium: paging through the directory ("Weiter", last page, jump to a page) shows other rows, the
filter stays; search everywhere opens with "/" and Ctrl+K, its hits are reached with the keyboard; 0 axe violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from members.services import organisation_create
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sixty(world):
    """62 organisations in X: three pages of 25 (Alpha GmbH, Beta KG, Firma 000 … Firma 059, A–Z)."""
    for i in range(60):
        organisation_create(network=world.network_x, by=world.users["manager_x"], data={"name": f"Firma {i:03d}", "municipality": "Emsdetten"})
    return world


def test_weiter_last_and_jump_show_other_rows(page, sixty):
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/organisations/")
    results = page.locator("#directory-results")
    expect(results.get_by_role("link", name="Alpha GmbH")).to_be_visible()
    expect(page.get_by_text("Seite 1 von 3")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Weiter →").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.get_by_text("Seite 2 von 3")).to_be_visible()
    expect(results.get_by_role("link", name="Firma 023")).to_be_visible()
    expect(results.get_by_role("link", name="Alpha GmbH")).to_have_count(0)

    page.get_by_role("link", name="Letzte »").click()
    expect(page.get_by_text("Seite 3 von 3")).to_be_visible()
    expect(results.get_by_role("link", name="Firma 059")).to_be_visible()
    expect(results.get_by_role("link", name="Weiter →")).to_have_count(0)

    page.get_by_label("Zu Seite").fill("1")
    page.get_by_role("button", name="Springen").click()
    expect(page.get_by_text("Seite 1 von 3")).to_be_visible()
    expect(results.get_by_role("link", name="Beta KG")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []


def test_paging_keeps_the_search(page, sixty):
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/organisations/?q=firma")
    expect(page.get_by_role("heading", name="60 Organisationen")).to_be_visible()
    page.get_by_role("link", name="Weiter →").click()
    expect(page).to_have_url(re.compile(r"\?q=firma&page=2$"))
    expect(page.get_by_text("Seite 2 von 3")).to_be_visible()
    expect(page.get_by_role("heading", name="60 Organisationen")).to_be_visible()
    expect(page.locator("#directory-results").get_by_role("link", name="Firma 025")).to_be_visible()
    # Without JavaScript's htmx the links are plain links to the same place: a reload shows the same page.
    page.reload()
    expect(page.get_by_text("Seite 2 von 3")).to_be_visible()
    expect(page.locator("#id_q")).to_have_value("firma")


def test_search_everywhere_by_keyboard(page, world):
    log_in(page, "manager_x@example.org")
    field = page.get_by_role("searchbox", name="Suche in meinen Verbünden")
    expect(field).to_be_visible()
    page.keyboard.press("/")
    expect(field).to_be_focused()
    field.fill("Alpha")
    field.press("Enter")
    expect(page.get_by_role("heading", name="Suche in meinen Verbünden", level=1)).to_be_visible()
    hit = page.locator("[data-search-results]").get_by_role("link", name="Alpha GmbH")
    expect(hit).to_be_visible()
    expect(page.get_by_text("Beta KG")).to_have_count(0)
    assert_accessible(page)
    # Ctrl+K from anywhere on the page, then the arrow key to the first hit; its focus ring is visible.
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    expect(field).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(hit).to_be_focused()
    expect(hit).not_to_have_css("outline-style", "none")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Alpha GmbH", level=1)).to_be_visible()
    assert page.csp_violations == []


def test_a_manager_of_y_never_finds_x(page, world):
    log_in(page, "manager_y@example.org")
    page.goto("/search/?q=Alpha")
    expect(page.get_by_text("Nichts gefunden.")).to_be_visible()
    expect(page.get_by_role("link", name="Alpha GmbH")).to_have_count(0)
