"""Practice projects in Chromium: the manager starts a project with two members, writes a decision paper with two
options and records the decision; the paper is then read-only. The manager changes a participant's role and takes a
member in later; a member company opens its project from its company page. axe finds nothing on each page."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from cooperation import projects as services
from cooperation.models.projects import DecisionPaper, Project, ProjectParticipant
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
    expect(participants.get_by_role("listitem").filter(has_text="Alpha GmbH")).to_be_visible()
    expect(participants.get_by_role("listitem").filter(has_text="Beta KG")).to_be_visible()
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


def test_manager_changes_a_role_and_takes_a_member_in_later(page, world):
    project = services.project_start(
        parent=world.network_x, by=world.users["manager_x"], name="Energie sparen", participants=[(world.org_a, ProjectParticipant.Role.LEAD)]
    )
    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/projects/{project.pk}/")
    participants = page.get_by_role("region", name="Beteiligte und Rollen")
    expect(participants.get_by_text("Projektleitung")).to_be_visible()
    participants.get_by_role("link", name="Beteiligte aufnehmen").click()
    expect(page.get_by_role("heading", name="Beteiligte aufnehmen", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Mitglied").select_option(label="Beta KG")
    page.get_by_label("Rolle im Projekt").select_option(label="Pilotanwender")
    page.get_by_role("button", name="Aufnehmen", exact=True).click()
    expect(page.get_by_text("Beta KG ist jetzt am Projekt beteiligt.")).to_be_visible()
    participants = page.get_by_role("region", name="Beteiligte und Rollen")
    expect(participants.get_by_text("Pilotanwender")).to_be_visible()
    participants.get_by_role("link", name="Rolle ändern Alpha GmbH").click()
    expect(page.get_by_role("heading", name="Rolle von Alpha GmbH im Projekt", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Rolle im Projekt").select_option(label="Beratend")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_text("Rolle von Alpha GmbH gespeichert.")).to_be_visible()
    assert_accessible(page)
    assert dict(project.participants.values_list("organisation__name", "role")) == {"Alpha GmbH": "advisor", "Beta KG": "pilot"}


def test_member_opens_its_project_in_the_portal(page, world):
    project = services.project_start(
        parent=world.network_x,
        by=world.users["manager_x"],
        name="Gemeinsame Logistik",
        goals="Touren bündeln",
        participants=[(world.org_a, ProjectParticipant.Role.LEAD), (world.org_b, ProjectParticipant.Role.PARTNER)],
    )
    options = [{"title": "Halle in Rheine", "pros": "zentral", "cons": ""}, {"title": "Halle in Steinfurt", "pros": "", "cons": "Umweg"}]
    paper = services.decision_paper_create(project=project, by=world.users["manager_x"], data={"title": "Lagerstandort", "question": "Wo?"}, options=options)
    services.decision_paper_decide(
        paper=paper, by=world.users["manager_x"], decision="Halle in Rheine", decided_by="Lenkungskreis", decided_on=date(2026, 4, 1)
    )
    log_in(page, "member_a_x@example.org")
    page.get_by_role("link", name="Unsere Projekte: Ziele, Beteiligte, Treffen und Entscheidungen").click()
    expect(page.get_by_role("heading", name="Unsere Projekte", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Gemeinsame Logistik").click()
    expect(page.get_by_role("heading", name="Gemeinsame Logistik", level=1)).to_be_visible()
    expect(page.get_by_text("Touren bündeln")).to_be_visible()
    page.get_by_text("Frage und Optionen").click()
    expect(page.get_by_text("Umweg")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []
