"""The import in real Chromium: every step without JavaScript errors, 0 axe violations, htmx polling that stops."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from members.models import Organisation
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.members.test_import_support import HEADER, csv_bytes, member_row
from verbund.models import BackgroundJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_imports_a_spreadsheet_through_all_steps(page, world, tmp_path):
    upload = tmp_path / "mitglieder.csv"
    upload.write_bytes(csv_bytes([HEADER, member_row("Browser GmbH"), member_row("Alpha GmbH", last="Neu", email="neu@alpha.example")]))
    log_in(page, "manager_x@example.org")

    page.goto("/manage/netz-x/io/")
    assert_accessible(page)
    page.get_by_role("link", name="Tabelle importieren").click()
    file_input = page.get_by_label("Datei (CSV oder Excel .xlsx)")
    expect(file_input).to_be_visible()  # the upload page, before axe looks at it
    assert_accessible(page)
    file_input.set_input_files(str(upload))
    page.get_by_role("button", name="Hochladen und weiter").click()

    expect(page.get_by_role("heading", name="Spalten zuordnen")).to_be_visible()
    expect(page.get_by_label("Spalte „Firma“")).to_have_value("name")
    assert_accessible(page)
    page.get_by_role("button", name="Weiter zur Vorschau").click()

    expect(page.get_by_role("heading", name="Vorschau des Imports")).to_be_visible()
    expect(page.get_by_text("„Alpha GmbH“ gibt es im Verbund schon")).to_be_visible()
    assert Organisation.objects.filter(name="Browser GmbH").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Import bestätigen und speichern").click()

    expect(page.get_by_text("1 Organisationen und 2 Kontaktpersonen angelegt")).to_be_visible()
    assert_accessible(page)
    assert Organisation.objects.filter(name="Browser GmbH").count() == 1
    assert page.csp_violations == []


def test_the_job_page_follows_progress_and_stops_polling(page, world, manager_x):
    job = BackgroundJob.objects.create(
        user=manager_x,
        network=world.network_x,
        kind=BackgroundJob.Kind.IMPORT,
        title="Import: gross.csv",
        status=BackgroundJob.Status.RUNNING,
        total=400,
        done=100,
        params={"confirmed": True},
    )
    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/io/jobs/{job.pk}/")
    expect(page.get_by_label("Fortschritt")).to_have_attribute("value", "25")
    assert_accessible(page)
    BackgroundJob.objects.filter(pk=job.pk).update(done=300)
    expect(page.get_by_label("Fortschritt")).to_have_attribute("value", "75", timeout=5000)
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.DONE, done=400, message="Alles importiert.")
    page.get_by_text("Alles importiert.").wait_for(timeout=5000)
    expect(page.locator("[hx-trigger]")).to_have_count(0)  # the finished part has no trigger: polling has ended
    assert_accessible(page)
    assert page.csp_violations == []
