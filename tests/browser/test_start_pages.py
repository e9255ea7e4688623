"""A manager and a member user log in through the real form and see their own start pages; 0 axe violations."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def assert_accessible(page) -> None:
    """axe on the page as loaded. The caller has first waited (expect) for something only the new page shows, so
    the load state awaited here is the new document's, not the one a click is still leaving."""
    page.wait_for_load_state()
    results = Axe().run(page, options=WCAG_21_AA)
    violations = results.response["violations"]
    assert not violations, results.generate_report()


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse", exact=True).fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # The POST has been answered once the browser has left the login page (a failed login stays on it).
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.wait_for_load_state("networkidle")


def test_login_page_is_accessible_and_german(page, world):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)
    assert page.csp_violations == []


def test_manager_logs_in_and_sees_own_networks(page, world):
    log_in(page, "manager_x@example.org")
    expect(page).to_have_url(re.compile(r"/manage/$"))
    expect(page.get_by_role("heading", name="Meine Verbünde")).to_be_visible()
    expect(page.get_by_role("link", name="Netzwerk X")).to_be_visible()
    expect(page.get_by_text("Netzwerk Y")).to_have_count(0)  # after the waits above: the start page is the one loaded
    assert_accessible(page)
    page.get_by_role("link", name="Netzwerk X").click()
    expect(page.get_by_role("heading", name="Netzwerk X", level=1)).to_be_visible()
    expect(page.get_by_text("Alpha GmbH")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []


def test_member_logs_in_and_sees_own_company(page, world):
    log_in(page, "member_a_x@example.org")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Alpha GmbH")).to_be_visible()
    expect(page.get_by_text("Beta KG")).to_have_count(0)  # after the waits above: the portal page is the one loaded
    assert_accessible(page)
    page.get_by_role("link", name="Netzwerk X").click()
    expect(page.get_by_role("heading", name="Netzwerk X", level=1)).to_be_visible()
    expect(page.get_by_text("Ziel X-CANARY")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []


def test_language_switch_to_english_works_without_javascript(chromium_browser, live_server, world):
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    context.close()


def test_keyboard_user_reaches_the_main_content_first(page, world):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("href", "#main")


def test_status_filter_swaps_only_the_member_list_with_htmx(page, world):
    from members.models import Membership

    Membership.objects.filter(organisation=world.org_b).update(status=Membership.Status.PAUSED)
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Ruhend").click()
    page.wait_for_url("**/manage/netz-x/?status=paused")
    # The unfiltered list has this heading too: wait for its text, not for the element.
    expect(page.locator("#recent-members h2")).to_have_text("Zuletzt aufgenommen: Ruhend", use_inner_text=True)
    expect(page.locator("#recent-members").get_by_text("Beta KG")).to_be_visible()
    expect(page.locator("#recent-members").get_by_text("Alpha GmbH")).to_have_count(0)
    # Read once the swapped list is shown: a full page load would already have cleared the flag, it cannot come back.
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, no full page load
    assert page.csp_violations == []
