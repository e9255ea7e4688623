"""Issue 13 in Chromium: the second Müller is caught by the form, then the two are merged from the "Dubletten" page."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from members.models import MergeRecord, Organisation
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_organisation(page, name: str, street: str) -> None:
    page.goto("/manage/netz-x/organisations/new/")
    page.locator("#id_name").fill(name)
    page.locator("#id_street").fill(street)
    page.locator("#id_postcode").fill("48431")
    page.locator("#id_municipality").fill("Rheine")
    page.get_by_role("button", name="Speichern").click()


def shot(page, name: str) -> None:
    """With SCREENSHOTS_DIR set, keep a picture of the page for a person to look at."""
    if folder := os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=os.path.join(folder, f"duplicates-{name}.png"), full_page=True)


def test_a_second_mueller_is_caught_and_the_two_are_merged(page, world):
    log_in(page, "manager_x@example.org")
    fill_organisation(page, "Müller GmbH", "Hauptstr. 5")
    expect(page.get_by_role("heading", name="Müller GmbH", level=1)).to_be_visible()
    fill_organisation(page, "Mueller GmbH & Co. KG", "Hauptstraße 5")
    warning = page.locator("#duplicate-candidates")
    expect(warning).to_contain_text("Mögliche Dublette: Müller GmbH")
    expect(warning).to_contain_text("gleicher Name ohne Rechtsform, gleiche Anschrift, gleiche PLZ")
    assert_accessible(page)
    shot(page, "form")
    page.get_by_label("trotzdem anlegen").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Mueller GmbH & Co. KG", level=1)).to_be_visible()

    page.get_by_role("link", name="Dubletten prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mögliche Dubletten")
    page.goto("/manage/netz-x/duplicates/")
    row = page.get_by_role("row").filter(has_text="Mueller GmbH & Co. KG")
    expect(row).to_contain_text("gleicher Name ohne Rechtsform")
    assert_accessible(page)
    shot(page, "index")
    row.get_by_role("link", name="zusammenführen").click()
    expect(page.get_by_role("heading", name="Zusammenführen: Vorschau")).to_be_visible()
    assert_accessible(page)
    shot(page, "preview")
    # Keep the older record's name, take the other's spelling of the street.
    page.get_by_role("group", name="Straße und Hausnummer").get_by_label("Hauptstraße 5").check()
    page.get_by_role("button", name="Jetzt zusammenführen").click()
    expect(page.get_by_text("wurde mit „Müller GmbH“ zusammengeführt")).to_be_visible()
    shot(page, "merged")
    kept = Organisation.objects.get(name__contains="ller")
    assert (kept.name, kept.street) == ("Müller GmbH", "Hauptstraße 5")
    assert MergeRecord.objects.get().merged_label == "Mueller GmbH & Co. KG"
