"""DSGVO of practice projects: the organisation's export lists its projects; erasing a person removes her from decision papers."""

from __future__ import annotations

from datetime import date

from cooperation import projects as services
from cooperation.models.projects import DecisionPaper, ProjectParticipant
from members.models import Contact
from members.privacy import ERASED_NAME, organisation_data_export, person_erase

OPTIONS = [{"title": "A", "pros": "", "cons": ""}, {"title": "B", "pros": "", "cons": ""}]


def test_the_export_of_an_organisation_lists_its_projects_and_roles(world):
    services.project_start(parent=world.network_x, by=world.users["manager_x"], name="Wärmenetz", participants=[(world.org_a, ProjectParticipant.Role.LEAD)])
    data = organisation_data_export(organisation=world.org_a)
    assert data["practice_projects"] == [
        {"project": "Wärmenetz", "network": "Netzwerk X", "role": "Projektleitung", "status": "Idee", "starts_on": None, "ends_on": None}
    ]
    assert organisation_data_export(organisation=world.org_b)["practice_projects"] == []


def test_erasing_a_person_removes_her_name_and_login_from_decision_papers(world):
    project = services.project_start(parent=world.network_x, by=world.users["manager_x"], name="Wärmenetz")
    person = Contact.objects.get(organisation=world.org_a)  # Mia member_a_x, with the login member_a_x
    paper = services.decision_paper_create(project=project, by=world.users["manager_x"], data={"title": "T", "question": "Q"}, options=OPTIONS)
    services.decision_paper_decide(paper=paper, by=person.user, decision="A", decided_by=f"{person.full_name} und Lenkungskreis", decided_on=date(2026, 1, 2))
    other = services.decision_paper_create(project=project, by=world.users["manager_x"], data={"title": "U", "question": "Q"}, options=OPTIONS)
    services.decision_paper_decide(paper=other, by=world.users["manager_x"], decision="B", decided_by="Vorstand", decided_on=date(2026, 1, 3))

    person_erase(contact=person, by=world.users["staff"])

    paper.refresh_from_db()
    assert paper.decided_by == f"{ERASED_NAME} und Lenkungskreis" and paper.recorded_by is None and paper.decision == "A"
    assert not DecisionPaper.history.filter(decided_by__icontains="member_a_x").exists()
    assert not DecisionPaper.history.filter(recorded_by__email="member_a_x@example.org").exists()
    other.refresh_from_db()
    assert other.decided_by == "Vorstand" and other.recorded_by == world.users["manager_x"]
