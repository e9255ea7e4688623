"""The design system in a real browser: the network sidebar on wide screens and the menu on phones (keyboard and
no JavaScript), the account menu, dark mode, the print stylesheet and the staff's style page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sidebar_link(page, name: str):
    return page.get_by_role("navigation", name="Verbund").get_by_role("link", name=name, exact=True)


def test_the_sidebar_stands_beside_the_content_on_wide_screens(page, world):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/meetings/")
    expect(sidebar_link(page, "Treffen")).to_have_attribute("aria-current", "page")
    expect(sidebar_link(page, "Papierkorb")).to_be_visible()  # no click needed: the menu is open from 60rem
    sidebar = page.locator("aside.sidebar").bounding_box()
    main = page.locator("main").bounding_box()
    assert sidebar and main and sidebar["x"] + sidebar["width"] <= main["x"] + 1  # beside, not above
    assert_accessible(page)


def test_on_a_phone_the_sidebar_is_a_menu_opened_by_keyboard(page, world):
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/meetings/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(sidebar_link(page, "Mitglieder")).to_be_hidden()
    summary = page.locator(".sidebar-menu > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(sidebar_link(page, "Mitglieder")).to_be_visible()
    page.keyboard.press("Tab")
    expect(sidebar_link(page, "Übersicht")).to_be_focused()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_menus_open_without_javascript(chromium_browser, live_server, world):
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/")
    page.locator(".sidebar-menu > summary").click()
    expect(sidebar_link(page, "Infobrief")).to_be_visible()
    page.locator(".menu > summary").click()  # "Konto"
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(page.get_by_label("Sprache")).to_be_visible()
    context.close()


def test_dark_mode_follows_the_system_and_keeps_contrast(chromium_browser, live_server, world):
    context = chromium_browser.new_context(base_url=live_server.url, color_scheme="dark", locale="de-DE")
    page = context.new_page()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/")
    expect(page.get_by_role("heading", name="Netzwerk X", level=1)).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 21, 25)", background  # --c-bg of the dark scheme
    assert_accessible(page)  # colour contrast included
    context.close()


def test_print_leaves_out_navigation_and_buttons(page, world):
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/organisations/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("aside.sidebar")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("Alpha GmbH").first).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator("aside.sidebar")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_style_page_is_accessible_and_fits(page, world, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "staff@example.org")
    page.goto("/styleguide/")
    expect(page.get_by_role("heading", name="Gestaltung", level=1)).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.csp_violations == []
