"""A hand-kept Excel list with a title row and merged headings, imported in real Chromium: header row choice, saved mapping, hints."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from members.models import Contact, ImportMapping, Membership
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.members.test_import_real_files import messy_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_imports_a_messy_excel_list_choosing_the_header_row(page, world, tmp_path):
    upload = tmp_path / "mitglieder.xlsx"
    upload.write_bytes(messy_xlsx())
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/io/import/")
    page.get_by_label("Datei (CSV oder Excel .xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Hochladen und weiter").click()

    expect(page.get_by_role("heading", name="Spalten zuordnen")).to_be_visible()
    header_row = page.get_by_label("Kopfzeile in Zeile")
    expect(header_row).to_have_value("4")  # found below the title row, the blank row and the group headings
    expect(page.get_by_label("Spalte „Mitglied seit“")).to_have_value("joined_on")
    assert_accessible(page)

    header_row.select_option("3")
    page.get_by_role("button", name="Kopfzeile übernehmen").click()
    expect(page.get_by_text("Die Spaltenüberschriften stehen jetzt in Zeile 3.")).to_be_visible()
    expect(page.locator("#dropped-columns")).to_contain_text("(ohne Überschrift)")
    assert_accessible(page)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "mapping-row3.png"), full_page=True)

    page.get_by_label("Kopfzeile in Zeile").select_option("4")
    page.get_by_role("button", name="Kopfzeile übernehmen").click()
    expect(page.get_by_label("Spalte „Firma“")).to_have_value("name")
    page.get_by_label("Zuordnung speichern unter").fill("Handliste")
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "mapping-row4.png"), full_page=True)
    page.get_by_role("button", name="Weiter zur Vorschau").click()

    expect(page.get_by_role("heading", name="Vorschau des Imports")).to_be_visible()
    expect(page.get_by_text("Die Zuordnung ist unter „Handliste“ gespeichert.")).to_be_visible()
    expect(page.locator("#warnings")).to_contain_text("nur das Jahr angegeben")
    expect(page.locator("#duplicates")).to_contain_text("„Mueller GmbH & Co. KG“ und „Müller GmbH“ gelten als gleich.")
    assert_accessible(page)
    page.get_by_role("button", name="Import bestätigen und speichern").click()

    expect(page.get_by_text("4 Organisationen und 5 Kontaktpersonen angelegt")).to_be_visible()
    assert Membership.objects.get(organisation__name="Müller GmbH").joined_on.isoformat() == "2019-03-15"
    assert Contact.objects.get(email="k.mueller@mueller.example").title == "Dr."
    assert ImportMapping.objects.get().header_row == 4
    assert page.csp_violations == []
