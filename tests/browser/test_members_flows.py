"""Issue 3 in Chromium: a manager works the directory; a member edits its profile and the manager sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from members.models import Membership
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_filters_saves_opens_edits_trashes_and_undoes(page, world):
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/organisations/")
    assert_accessible(page)
    # Live filter: choosing a place updates the results and the URL without a page load.
    page.evaluate("window.__sameDocument = true")
    page.locator("#id_municipality").select_option("Steinfurt")
    page.wait_for_url("**municipality=Steinfurt**")
    page.locator("#directory-results h2").filter(has_text="1 Organisation").wait_for()
    # Read after the swapped results are shown: a full page load would already have cleared the flag, it cannot come back.
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#directory-results").get_by_role("link", name="Beta KG")).to_be_visible()
    # Save the filter and find it again.
    page.get_by_label("Aktuellen Filter speichern als").fill("Steinfurter")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("link", name="Steinfurter")).to_be_visible()
    # Open the company and edit it.
    page.locator("#directory-results").get_by_role("link", name="Beta KG").click()
    expect(page.get_by_role("heading", name="Beta KG", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Bearbeiten", exact=True).click()
    profile = page.get_by_label("Kurzprofil")
    expect(profile).to_be_visible()  # the form, before axe looks at it
    assert_accessible(page)
    profile.fill("Spezialist für Turmsegmente")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Spezialist für Turmsegmente")).to_be_visible()
    # Trash, then undo from the toast.
    page.get_by_role("button", name="In den Papierkorb").click()
    toast = page.get_by_role("status").filter(has_text="liegt im Papierkorb")
    expect(toast).to_be_visible()
    expect(page.locator("#directory-results").get_by_role("link", name="Beta KG")).to_have_count(0)
    toast.get_by_role("button", name="Rückgängig").click()
    expect(page.get_by_role("heading", name="Beta KG", level=1)).to_be_visible()
    expect(page.get_by_text("„Beta KG“ wurde wiederhergestellt.")).to_be_visible()
    assert Membership.objects.get(organisation=world.org_b).archived_at is None
    assert page.csp_violations == []


def test_member_edits_profile_and_manager_sees_the_change_in_history(page, world):
    log_in(page, "member_a_x@example.org")
    assert_accessible(page)
    page.get_by_role("link", name="Profil bearbeiten").click()
    # The organisation's real website field is shown (the bots' trap on public forms is another field).
    expect(page.get_by_label("Website")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Kurzprofil").fill("Getriebebau seit 1950")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Getriebebau seit 1950")).to_be_visible()
    page.goto("/portal/consents/")
    assert_accessible(page)
    page.goto("/portal/networks/netz-x/members/")
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/organisations/{world.org_a.pk}/")
    page.get_by_role("link", name="Verlauf").click()
    history = page.locator("#tab-panel")
    history.get_by_text("Getriebebau seit 1950").wait_for()
    expect(history.get_by_text("member_a_x@example.org").first).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []
