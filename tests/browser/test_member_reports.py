"""Periodic member reports in Chromium: a member fills in and submits the report in the portal; the office reads it."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from health import reports
from health.models import MemberReport, ReportRequest
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_submits_the_report_and_the_office_reads_it(page, chromium_browser, live_server, world):
    manager = world.users["manager_x"]
    request = reports.report_request_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Bericht der Mitgliedskommunen",
            "instructions": "Stichpunkte genügen.",
            "prompts": "Welche Projekte haben Sie umgesetzt?\nWo brauchen Sie Unterstützung?",
            "cadence": ReportRequest.Cadence.QUARTERLY,
            "due_days": 30,
            "organisations": [world.org_a, world.org_b],
            "active": True,
        },
    )
    span = reports.period_span(request.cadence, timezone.localdate())
    period = reports.period_open(request=request, span=span, by=manager)

    # The member finds the request under "Berichte", writes, and submits.
    log_in(page, "member_a_x@example.org")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Berichte").click()
    expect(page.get_by_role("heading", name="Berichte", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Portal").get_by_role("link", name="Berichte")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Bericht der Mitgliedskommunen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=span.label).click()
    expect(page.get_by_role("heading", name=f"Bericht der Mitgliedskommunen: {span.label}", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Welche Projekte haben Sie umgesetzt?").fill("PV auf der Gesamtschule\nLED-Straßenbeleuchtung")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_text("Entwurf gespeichert.")).to_be_visible()
    expect(page.get_by_label("Welche Projekte haben Sie umgesetzt?")).to_have_value("PV auf der Gesamtschule\nLED-Straßenbeleuchtung")
    page.get_by_label("Wo brauchen Sie Unterstützung?").fill("Wärmeplanung")
    page.get_by_role("button", name="Bericht einreichen").click()
    expect(page.get_by_text("Danke! Ihr Bericht ist bei der Geschäftsstelle eingegangen.")).to_be_visible()
    sent = page.get_by_role("region", name="Ihr eingereichter Bericht")
    expect(sent.get_by_text("Wärmeplanung")).to_be_visible()
    expect(sent.get_by_role("link", name="Bericht korrigieren")).to_be_visible()
    assert_accessible(page)
    assert MemberReport.objects.get(period=period, organisation=world.org_a).submitted_at is not None

    # The office sees it: 1 of 2 on the list, and the text on the period's page.
    office = chromium_browser.new_context(base_url=live_server.url, locale="de-DE").new_page()
    try:
        log_in(office, "manager_x@example.org")
        office.goto("/manage/netz-x/health/reports/")
        row = office.get_by_role("row").filter(has_text="Bericht der Mitgliedskommunen")
        expect(row).to_contain_text("1 von 2")
        row.get_by_role("link", name=span.label).click()
        expect(office).to_have_url(re.compile(rf"/health/reports/periods/{period.pk}/$"))
        report = office.get_by_role("article", name="Alpha GmbH")
        expect(report).to_contain_text("PV auf der Gesamtschule")
        expect(report).to_contain_text("Wärmeplanung")
        expect(office.get_by_role("row").filter(has_text="Beta KG")).to_contain_text("ausstehend")
        expect(office.get_by_role("button", name="1 Mitglied erinnern")).to_be_visible()
        assert_accessible(office)
    finally:
        office.context.close()
