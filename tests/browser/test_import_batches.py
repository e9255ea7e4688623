"""The import batch in Chromium: only the valid rows, the rejected rows as a download, the batch on the job page, undo."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from members.models import Membership
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.members.test_import_support import HEADER, csv_bytes, member_row
from verbund.models import BackgroundJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_imports_the_valid_rows_gets_the_others_back_and_undoes_the_import(page, world, tmp_path):
    upload = tmp_path / "mitglieder.csv"
    rows = [HEADER, member_row("Stapel Eins GmbH"), member_row("Stapel Falsch GmbH", "12"), member_row("Stapel Zwei KG", "48565", last="Zwei")]
    upload.write_bytes(csv_bytes(rows))
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/io/import/")
    page.get_by_label("Datei (CSV oder Excel .xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Hochladen und weiter").click()
    page.get_by_role("button", name="Weiter zur Vorschau").click()

    expect(page.get_by_role("heading", name="Vorschau des Imports")).to_be_visible()
    expect(page.get_by_text("„12“ ist keine fünfstellige Postleitzahl.")).to_be_visible()
    expect(page.get_by_role("cell", name="Eintritt unbekannt").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nur gültige Zeilen importieren").check()
    page.get_by_role("button", name="Nur die gültigen Zeilen importieren").click()

    expect(page.get_by_text("1 Zeilen mit Fehlern wurden nicht importiert")).to_be_visible()
    expect(page.get_by_role("heading", name="2 neu angelegte Organisationen")).to_be_visible()
    expect(page.get_by_role("link", name="Stapel Eins GmbH")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Nicht importierte Zeilen herunterladen (Excel, mit Spalte „Fehler“)").click()
    assert download.value.suggested_filename == "mitglieder-nicht-importiert.xlsx"

    page.get_by_role("link", name="Import rückgängig machen").click()
    expect(page.get_by_role("heading", name="Import rückgängig machen", level=1)).to_be_visible()
    expect(page.locator("#undo-memberships")).to_have_text("2")
    expect(page.locator("#undo-contacts")).to_have_text("2")
    assert_accessible(page)
    page.get_by_role("button", name="Import rückgängig machen").click()

    expect(page.get_by_text("2 Organisationen und 2 Kontaktpersonen des Imports liegen jetzt im Papierkorb")).to_be_visible()
    expect(page.get_by_role("link", name="Import rückgängig machen")).to_have_count(0)
    assert_accessible(page)
    job = BackgroundJob.objects.get(kind="import")
    assert Membership.objects.filter(import_job=job, archived_at__isnull=False).count() == 2
    page.goto("/manage/netz-x/trash/")
    expect(page.get_by_text("Stapel Eins GmbH")).to_be_visible()
    assert page.csp_violations == []
