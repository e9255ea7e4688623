"""A manager and a member user log in through the real form and see their own start pages; 0 axe violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def assert_accessible(page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    violations = results.response["violations"]
    assert not violations, results.generate_report()


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse", exact=True).fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state("networkidle")


def test_login_page_is_accessible_and_german(page, world):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page)
    assert page.csp_violations == []


def test_manager_logs_in_and_sees_own_networks(page, world):
    log_in(page, "manager_x@example.org")
    assert page.url.endswith("/manage/")
    assert page.get_by_role("heading", name="Meine Verbünde").is_visible()
    assert page.get_by_role("link", name="Netzwerk X").is_visible()
    assert page.get_by_text("Netzwerk Y").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Netzwerk X").click()
    assert page.get_by_role("heading", name="Netzwerk X", level=1).is_visible()
    assert page.get_by_text("Alpha GmbH").is_visible()
    assert_accessible(page)
    assert page.csp_violations == []


def test_member_logs_in_and_sees_own_company(page, world):
    log_in(page, "member_a_x@example.org")
    assert page.url.endswith("/portal/")
    assert page.get_by_role("heading", name="Alpha GmbH").is_visible()
    assert page.get_by_text("Beta KG").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Netzwerk X").click()
    assert page.get_by_text("Ziel X-CANARY").is_visible()
    assert_accessible(page)
    assert page.csp_violations == []


def test_language_switch_to_english_works_without_javascript(chromium_browser, live_server, world):
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Sign in", exact=True).is_visible()
    context.close()


def test_keyboard_user_reaches_the_main_content_first(page, world):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_status_filter_swaps_only_the_member_list_with_htmx(page, world):
    from members.models import Membership

    Membership.objects.filter(organisation=world.org_b).update(status=Membership.Status.PAUSED)
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Ruhend").click()
    page.wait_for_url("**/manage/netz-x/?status=paused")
    heading = page.locator("#recent-members h2")
    heading.wait_for()
    assert heading.inner_text() == "Zuletzt aufgenommen: Ruhend"
    assert page.locator("#recent-members").get_by_text("Beta KG").is_visible()
    assert page.locator("#recent-members").get_by_text("Alpha GmbH").count() == 0
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, no full page load
    assert page.csp_violations == []
