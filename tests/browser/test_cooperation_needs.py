"""Needs in Chromium: a member posts a need in the portal, the manager confirms the proposed provider and creates a
round table from it, and the provider (another member organisation of the network) finds the round table among its
meetings in the portal. Every new page without axe violations, no CSP violations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.services import organisation_refresh_search
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_need_from_the_portal_becomes_a_round_table_the_provider_sees(page, world):
    world.org_b.competencies = "Lagerlogistik und Digitalisierung von Lagerprozessen"
    world.org_b.save()
    organisation_refresh_search(world.org_b)  # as the members services do after every change of the texts

    log_in(page, "member_a_x@example.org")
    page.goto("/portal/cooperation/")
    expect(page.get_by_role("heading", name="Bedarfe und Angebote", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Bedarf eintragen").click()
    expect(page.get_by_role("heading", name="Bedarf oder Angebot eintragen", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Titel").fill("Digitalisierung unseres Lagers")
    page.get_by_label("Beschreibung").fill("Wir suchen Erfahrung mit Lagerlogistik.")
    page.get_by_label("Schlagwörter").fill("Lagerlogistik")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Digitalisierung unseres Lagers", level=1)).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/cooperation/")
    expect(page.get_by_role("heading", name="Bedarfe und Angebote", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Digitalisierung unseres Lagers").click()
    candidates = page.locator("section", has=page.get_by_role("heading", name="Passende Anbieter"))
    expect(candidates.get_by_text("Beta KG")).to_be_visible()
    assert_accessible(page)
    candidates.get_by_role("button", name="Vermittlung an Beta KG bestätigen").click()
    expect(page.get_by_text("Vermittlung an Beta KG bestätigt.")).to_be_visible()
    expect(page.locator("dd").get_by_text("Vermittelt")).to_be_visible()
    page.get_by_role("link", name="Runden Tisch anlegen").click()
    expect(page.get_by_role("heading", name="Runden Tisch anlegen", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Datum").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    page.get_by_label("Beginn").fill("10:00")
    page.get_by_label("Ende").fill("12:00")
    page.get_by_role("button", name="Runden Tisch anlegen").click()
    expect(page.get_by_role("heading", name="Runder Tisch: Digitalisierung unseres Lagers", level=1)).to_be_visible()

    page.context.clear_cookies()
    log_in(page, "member_b_x@example.org")
    page.goto("/portal/meetings/")
    link = page.get_by_role("link", name="Runder Tisch: Digitalisierung unseres Lagers")
    expect(link).to_be_visible()
    expect(page.locator("li", has=link).get_by_text("Angemeldet")).to_be_visible()
    assert not page.csp_violations  # type: ignore[attr-defined]
