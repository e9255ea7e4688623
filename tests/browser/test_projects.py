"""Practice projects in Chromium: the manager starts a project with two members, writes a decision paper with two
options and records the decision; the paper is then read-only. axe finds nothing on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cooperation.models.projects import DecisionPaper, Project
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_starts_a_project_and_decides_a_paper(page, world):
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/")
    page.get_by_role("navigation", name="Verbund").get_by_role("link", name="Projekte").click()
    expect(page.get_by_role("heading", name="Praxis-Verbund-Projekte", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Projekt starten").first.click()
    expect(page.get_by_role("heading", name="Praxis-Verbund-Projekt starten", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name des Projekts").fill("Gemeinsame Logistik")
    page.get_by_label("Ziele").fill("Touren bündeln")
    page.get_by_label("Alpha GmbH").check()
    page.get_by_label("Beta KG").check()
    page.get_by_label("Projektleitung").select_option(label="Alpha GmbH")
    page.get_by_role("button", name="Projekt starten").click()
    expect(page.get_by_role("heading", name="Gemeinsame Logistik", level=1)).to_be_visible()
    participants = page.get_by_role("region", name="Beteiligte und Rollen")
    expect(participants.get_by_text("Alpha GmbH")).to_be_visible()
    expect(participants.get_by_text("Beta KG")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Neue Entscheidungsvorlage").click()
    expect(page.get_by_role("heading", name="Neue Entscheidungsvorlage", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Titel").fill("Lagerstandort")
    page.get_by_label("Zu entscheidende Frage").fill("Wo lagern wir gemeinsam?")
    page.get_by_label("Option 1", exact=True).fill("Halle in Rheine")
    page.get_by_label("Option 1: dafür spricht").fill("zentral")
    page.get_by_label("Option 2", exact=True).fill("Halle in Steinfurt")
    page.get_by_label("Option 2: dagegen spricht").fill("Umweg")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_role("heading", name="Lagerstandort", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Entwurf bearbeiten")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Entscheidung", exact=True).fill("Halle in Rheine")
    page.get_by_label("Entschieden von").fill("Lenkungskreis")
    page.get_by_label("Entschieden am").fill("2026-04-01")
    page.get_by_role("button", name="Entscheidung erfassen").click()
    expect(page.get_by_text("die Vorlage ist jetzt schreibgeschützt")).to_be_visible()
    expect(page.get_by_role("link", name="Entwurf bearbeiten")).to_have_count(0)
    expect(page.get_by_role("button", name="Entscheidung erfassen")).to_have_count(0)
    expect(page.get_by_role("link", name="Neue Vorlage, die diese ersetzt")).to_be_visible()
    assert_accessible(page)

    paper = DecisionPaper.objects.get()
    assert paper.status == DecisionPaper.Status.DECIDED and paper.recorded_by == world.users["manager_x"]
    assert list(paper.options.values_list("title", flat=True)) == ["Halle in Rheine", "Halle in Steinfurt"]
    assert Project.objects.get().participants.count() == 2
