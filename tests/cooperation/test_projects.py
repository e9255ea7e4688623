"""Practice projects (issue 19): starting one as a child network, the project page, decision papers, indicators."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cooperation import projects as services
from cooperation.models.projects import DecisionPaper, Project, ProjectParticipant
from events.models import ActionItem
from members.models import Membership, Organisation
from tests.hostile_files import active_pdfs, pdf
from verbund.models import ManagerRole, Network

ROLE = ProjectParticipant.Role
OPTIONS = [{"title": "Selbst bauen", "pros": "Know-how bleibt", "cons": "dauert"}, {"title": "Zukaufen", "pros": "schnell", "cons": "teuer"}]


def start(world, **kwargs) -> Project:
    defaults = {
        "parent": world.network_x,
        "by": world.users["manager_x"],
        "name": "Gemeinsame Logistik",
        "goals": "Touren bündeln",
        "participants": [(world.org_a, ROLE.LEAD), (world.org_b, ROLE.PARTNER)],
    }
    return services.project_start(**(defaults | kwargs))


def draft(world, project: Project) -> DecisionPaper:
    return services.decision_paper_create(
        project=project, by=world.users["manager_x"], data={"title": "Lagerstandort", "question": "Wo lagern wir?"}, options=OPTIONS
    )


def test_starting_a_project_makes_a_child_network_with_the_manager_and_the_chosen_members(world):
    project = start(world)
    child = project.network
    assert child.kind == Network.Kind.PRACTICE_PROJECT
    assert child.parent == world.network_x
    assert child.goals == "Touren bündeln"
    role = ManagerRole.objects.get(network=child)
    assert role.user == world.users["manager_x"] and role.role == ManagerRole.Role.MANAGER
    assert set(Membership.objects.current().filter(network=child).values_list("organisation__name", flat=True)) == {"Alpha GmbH", "Beta KG"}
    assert dict(project.participants.values_list("organisation__name", "role")) == {"Alpha GmbH": ROLE.LEAD, "Beta KG": ROLE.PARTNER}
    assert project.history.first().history_user == world.users["manager_x"]


def test_only_current_members_of_the_parent_can_take_part(world):
    with pytest.raises(ValidationError):
        start(world, participants=[(world.org_c, ROLE.PARTNER)])  # C is a member of Y only
    assert not Project.objects.exists()
    assert not Network.objects.filter(kind=Network.Kind.PRACTICE_PROJECT).exists()


def test_a_manager_of_another_network_cannot_start_a_project_here(world):
    with pytest.raises(ValidationError):
        start(world, by=world.users["manager_y"])


def test_two_projects_of_the_same_name_get_their_own_addresses(world):
    first, second = start(world), start(world, participants=[])
    assert first.network.slug != second.network.slug


def test_the_manager_starts_a_project_from_the_parents_page(client, world):
    client.force_login(world.users["manager_x"])
    url = reverse("projects:start", args=["netz-x"])
    response = client.post(
        url, {"name": "Energie sparen", "goals": "", "status": "preparing", "participants": [world.org_a.pk, world.org_b.pk], "lead": world.org_b.pk}
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=["netz-x", project.pk])
    assert dict(project.participants.values_list("organisation_id", "role")) == {world.org_a.pk: ROLE.PARTNER, world.org_b.pk: ROLE.LEAD}
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Energie sparen" in page.content.decode() and "Projektleitung" in page.content.decode()
    assert reverse("manage:network_home", args=[project.network.slug]) in page.content.decode()


def test_the_start_form_refuses_a_lead_who_does_not_take_part_and_a_foreign_organisation(client, world):
    client.force_login(world.users["manager_x"])
    url = reverse("projects:start", args=["netz-x"])
    response = client.post(url, {"name": "P", "status": "preparing", "participants": [world.org_a.pk], "lead": world.org_b.pk})
    assert response.status_code == 400 and "Projektleitung muss" in response.content.decode()
    response = client.post(url, {"name": "P", "status": "preparing", "participants": [world.org_c.pk]})
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_the_project_network_shows_in_the_members_portal(client, world):
    project = start(world)
    client.force_login(world.users["member_a_x"])
    home = client.get(reverse("members:portal_home"))
    assert reverse("members:portal_network", args=[project.network.slug]) in home.content.decode()
    assert client.get(reverse("members:portal_network", args=[project.network.slug])).status_code == 200
    client.force_login(world.users["member_c_y"])
    assert client.get(reverse("members:portal_network", args=[project.network.slug])).status_code == 404


def test_the_project_page_shows_open_action_items_of_the_project_network_as_next_steps(client, world):
    project = start(world)
    ActionItem.objects.create(network=project.network, title="Angebote einholen", due_on=date(2026, 3, 1))
    ActionItem.objects.create(network=project.network, title="Erledigtes", done_at=timezone.now())
    ActionItem.objects.create(network=world.network_x, title="Sache des Verbunds")
    client.force_login(world.users["manager_x"])
    body = client.get(reverse("projects:detail", args=["netz-x", project.pk])).content.decode()
    assert "Angebote einholen" in body
    assert "Erledigtes" not in body and "Sache des Verbunds" not in body


def test_finishing_a_project_stamps_the_day_and_reopening_clears_it(world):
    project = start(world)
    services.project_update(project=project, by=world.users["manager_x"], data={"status": Project.Status.FINISHED})
    assert project.finished_on == timezone.localdate()
    services.project_update(project=project, by=world.users["manager_x"], data={"status": Project.Status.RUNNING})
    project.refresh_from_db()
    assert project.finished_on is None


def test_a_project_runs_from_idea_to_finished_or_dropped_with_its_funding_deadline(client, world):
    """The path of the domain document: idea, preparation (often a funding application with its deadline), running, then finished or dropped."""
    project = start(world)
    assert [choice.value for choice in Project.Status] == ["idea", "preparing", "running", "finished", "dropped"]
    client.force_login(world.users["manager_x"])
    url = reverse("projects:edit", args=["netz-x", project.pk])
    data = {
        "status": "preparing",
        "starts_on": "",
        "ends_on": "",
        "funding_programme": "ZIM Kooperationsprojekt",
        "funding_deadline": "2027-03-31",
        "summary": "",
    }
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("projects:detail", args=["netz-x", project.pk])).content.decode()
    assert "ZIM Kooperationsprojekt" in page and "31.03.2027" in page and "In Vorbereitung" in page
    assert client.post(url, data | {"status": "dropped"}).status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.DROPPED and project.finished_on is None


def test_links_and_notes_of_the_documentation(client, world):
    project = start(world)
    client.force_login(world.users["manager_x"])
    url = reverse("projects:link_add", args=["netz-x", project.pk])
    assert client.post(url, {"title": "Leer", "url": "", "note": ""}).status_code == 400
    assert client.post(url, {"title": "Ablage", "url": "https://example.org/ablage", "note": ""}).status_code == 302
    link = project.links.get()
    summary = client.get(reverse("projects:summary", args=["netz-x", project.pk])).content.decode()
    assert "https://example.org/ablage" in summary
    assert client.post(reverse("projects:link_delete", args=["netz-x", project.pk, link.pk])).status_code == 302
    assert not project.links.exists()


def test_a_pdf_of_the_project_is_checked_stored_downloaded_by_participants_and_removed(client, world, django_capture_on_commit_callbacks):
    project = start(world)
    client.force_login(world.users["manager_x"])
    url = reverse("projects:link_add", args=["netz-x", project.pk])
    # a PDF with JavaScript is refused, with the reason, and nothing is stored
    refused = client.post(url, {"title": "Antrag", "url": "", "note": "", "upload": SimpleUploadedFile("a.pdf", active_pdfs()[0].data, "application/pdf")})
    assert refused.status_code == 400 and not project.links.exists()
    assert "PDF" in refused.content.decode()
    response = client.post(url, {"title": "Förderantrag Entwurf", "url": "", "note": "", "upload": SimpleUploadedFile("x.pdf", pdf(), "application/pdf")})
    assert response.status_code == 302
    document = project.links.get()
    assert document.file.name.startswith(f"projects/{project.pk}/") and document.size > 0
    page = client.get(reverse("projects:detail", args=["netz-x", project.pk])).content.decode()
    download = reverse("projects:link_file", args=["netz-x", project.pk, document.pk])
    assert download in page
    served = client.get(download)
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("attachment;") and f"foerderantrag-entwurf-{document.pk}.pdf" in served["Content-Disposition"]
    assert b"".join(served.streaming_content).startswith(b"%PDF")

    # A takes part: the portal page links the PDF and serves it; C (network Y) gets a 404
    client.force_login(world.users["member_a_x"])
    portal_download = reverse("portal_projects:link_file", args=[project.pk, document.pk])
    assert portal_download in client.get(reverse("portal_projects:detail", args=[project.pk])).content.decode()
    assert client.get(portal_download).status_code == 200
    client.force_login(world.users["member_c_y"])
    assert client.get(portal_download).status_code == 404

    client.force_login(world.users["manager_x"])
    stored = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("projects:link_delete", args=["netz-x", project.pk, document.pk])).status_code == 302
    assert not project.links.exists() and not document.file.storage.exists(stored)
    assert client.get(download).status_code == 404


def test_a_paper_needs_two_options(world):
    project = start(world)
    with pytest.raises(ValidationError):
        services.decision_paper_create(project=project, by=world.users["manager_x"], data={"title": "T", "question": "Q"}, options=OPTIONS[:1])


def test_a_draft_is_editable_and_a_decided_paper_is_frozen(world):
    project = start(world)
    paper = draft(world, project)
    services.decision_paper_update(
        paper=paper, by=world.users["manager_x"], data={"title": "Lager", "question": "Wo?"}, options=[*OPTIONS, {"title": "Mieten", "pros": "", "cons": ""}]
    )
    assert list(paper.options.values_list("title", flat=True)) == ["Selbst bauen", "Zukaufen", "Mieten"]
    decided = services.decision_paper_decide(
        paper=paper, by=world.users["manager_x"], decision="Mieten", decided_by="Lenkungskreis", decided_on=date(2026, 2, 3)
    )
    assert decided.status == DecisionPaper.Status.DECIDED and decided.recorded_by == world.users["manager_x"] and decided.recorded_at
    with pytest.raises(ValidationError):
        services.decision_paper_update(paper=decided, by=world.users["manager_x"], data={"title": "Anders"}, options=OPTIONS)
    with pytest.raises(ValidationError):
        services.decision_paper_decide(paper=decided, by=world.users["manager_x"], decision="X", decided_by="Y", decided_on=date(2026, 2, 4))
    decided.refresh_from_db()
    assert decided.title == "Lager" and decided.decision == "Mieten"


def test_a_new_paper_supersedes_a_decided_one_only(world):
    project = start(world)
    paper = draft(world, project)
    with pytest.raises(ValidationError):
        services.decision_paper_create(project=project, by=world.users["manager_x"], data={"title": "Neu", "question": "?"}, options=OPTIONS, supersedes=paper)
    services.decision_paper_decide(paper=paper, by=world.users["manager_x"], decision="Zukaufen", decided_by="Alle", decided_on=date(2026, 1, 1))
    newer = services.decision_paper_create(
        project=project, by=world.users["manager_x"], data={"title": "Neu", "question": "?"}, options=OPTIONS, supersedes=paper
    )
    assert list(paper.superseded_by.all()) == [newer]


def test_writing_and_deciding_a_paper_through_the_pages(client, world):
    project = start(world)
    client.force_login(world.users["manager_x"])
    response = client.post(
        reverse("projects:paper_create", args=["netz-x", project.pk]),
        {"title": "Software", "question": "Welche Software?", "option_1_title": "A", "option_1_pros": "billig", "option_2_title": "B", "option_2_cons": "alt"},
    )
    paper = project.decision_papers.get()
    assert response.status_code == 302
    detail = reverse("projects:paper_detail", args=["netz-x", project.pk, paper.pk])
    assert "Entscheidung erfassen" in client.get(detail).content.decode()
    response = client.post(
        reverse("projects:paper_decide", args=["netz-x", project.pk, paper.pk]), {"decision": "A", "decided_by": "Lenkungskreis", "decided_on": "2026-04-01"}
    )
    assert response.status_code == 302
    body = client.get(detail).content.decode()
    assert "schreibgeschützt" in body and "Entscheidung erfassen" not in body and "Entwurf bearbeiten" not in body
    edit = reverse("projects:paper_edit", args=["netz-x", project.pk, paper.pk])
    assert client.post(edit, {"title": "Geändert", "question": "?", "option_1_title": "X", "option_2_title": "Y"}).status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Software"
    assert "billig" in client.get(reverse("projects:paper_print", args=["netz-x", project.pk, paper.pk])).content.decode()


def test_the_paper_form_refuses_a_single_option(client, world):
    project = start(world)
    client.force_login(world.users["manager_x"])
    response = client.post(reverse("projects:paper_create", args=["netz-x", project.pk]), {"title": "T", "question": "Q", "option_1_title": "A"})
    assert response.status_code == 400 and "mindestens zwei Optionen" in response.content.decode()
    assert not DecisionPaper.objects.exists()


def test_indicators_count_projects_started_finished_and_decisions_in_the_period(world):
    first = start(world)
    services.project_update(project=first, by=world.users["manager_x"], data={"starts_on": date(2026, 2, 1)})
    old = start(world, name="Alt", participants=[])
    services.project_update(project=old, by=world.users["manager_x"], data={"starts_on": date(2024, 5, 1)})
    Project.objects.filter(pk=old.pk).update(status=Project.Status.FINISHED, finished_on=date(2026, 6, 30))
    paper = draft(world, first)
    services.decision_paper_decide(paper=paper, by=world.users["manager_x"], decision="Zukaufen", decided_by="Alle", decided_on=date(2026, 3, 1))
    draft(world, first)  # not decided: not counted
    start(world, parent=world.network_y, by=world.users["manager_y"], participants=[])  # another network's
    figures = services.indicators(world.network_x, date(2026, 1, 1), date(2026, 12, 31))
    assert figures == {"projects_started": 1, "projects_finished": 1, "decisions_taken": 1}
    assert services.indicators(world.network_x, date(2025, 1, 1), date(2025, 12, 31)) == {"projects_started": 0, "projects_finished": 0, "decisions_taken": 0}


def test_a_project_without_a_start_date_counts_from_the_day_it_was_made(world):
    start(world)
    today = timezone.localdate()
    assert services.indicators(world.network_x, today, today)["projects_started"] == 1
    assert Organisation.objects.count() == 3


def test_a_decided_paper_prints_as_pdf(client, world):
    project = start(world)
    paper = draft(world, project)
    services.decision_paper_decide(paper=paper, by=world.users["manager_x"], decision="Zukaufen", decided_by="Lenkungskreis", decided_on=date(2026, 1, 5))
    client.force_login(world.users["manager_x"])
    response = client.get(reverse("projects:paper_pdf", args=["netz-x", project.pk, paper.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(world.users["manager_y"])
    assert client.get(reverse("projects:paper_pdf", args=["netz-x", project.pk, paper.pk])).status_code == 404


# --- participants after the start -------------------------------------------------------------------------------------


def test_a_participants_role_changes_after_the_start_with_history(client, world):
    project = start(world)
    partner = project.participants.get(organisation=world.org_b)
    client.force_login(world.users["manager_x"])
    url = reverse("projects:participant_role", args=["netz-x", project.pk, partner.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": ROLE.PILOT})
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=["netz-x", project.pk])
    partner.refresh_from_db()
    assert partner.role == ROLE.PILOT
    assert partner.history.first().history_user == world.users["manager_x"]
    assert client.post(url, {"role": "chef"}).status_code == 400
    page = client.get(reverse("projects:detail", args=["netz-x", project.pk])).content.decode()
    assert url in page and "Pilotanwender" in page


def test_a_member_of_the_parent_joins_later_and_becomes_a_member_of_the_project_network(client, world):
    project = start(world, participants=[(world.org_a, ROLE.LEAD)])
    client.force_login(world.users["manager_x"])
    url = reverse("projects:participant_add", args=["netz-x", project.pk])
    form = client.get(url)
    assert form.status_code == 200
    choices = [str(o) for o in form.context["form"].fields["organisation"].queryset]
    assert choices == ["Beta KG"]  # A takes part already, C is no member of X
    response = client.post(url, {"organisation": world.org_b.pk, "role": ROLE.ADVISOR})
    assert response.status_code == 302
    assert dict(project.participants.values_list("organisation__name", "role")) == {"Alpha GmbH": ROLE.LEAD, "Beta KG": ROLE.ADVISOR}
    assert Membership.objects.current().filter(network=project.network, organisation=world.org_b).exists()
    assert project.participants.get(organisation=world.org_b).history.first().history_user == world.users["manager_x"]
    # Gamma is a member of Y only: refused by the form and by the service.
    assert client.post(url, {"organisation": world.org_c.pk, "role": ROLE.PARTNER}).status_code == 400
    with pytest.raises(ValidationError):
        services.participant_add(project=project, by=world.users["manager_x"], organisation=world.org_c, role=ROLE.PARTNER)
    with pytest.raises(ValidationError):  # twice
        services.participant_add(project=project, by=world.users["manager_x"], organisation=world.org_b, role=ROLE.PARTNER)


def test_a_member_of_the_project_network_only_may_join_too(world):
    project = start(world, participants=[])
    Membership.objects.create(organisation=world.org_c, network=project.network)  # taken in through the members area
    services.participant_add(project=project, by=world.users["manager_x"], organisation=world.org_c, role=ROLE.PARTNER)
    assert project.participants.filter(organisation=world.org_c).exists()


def test_removing_a_participant_ends_its_membership_of_the_project_and_it_may_come_back(client, world):
    project = start(world)
    partner = project.participants.get(organisation=world.org_b)
    client.force_login(world.users["manager_x"])
    url = reverse("projects:participant_remove", args=["netz-x", project.pk, partner.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not project.participants.filter(organisation=world.org_b).exists()
    membership = Membership.objects.get(network=project.network, organisation=world.org_b)
    assert membership.status == Membership.Status.LEFT and membership.left_on == timezone.localdate()
    assert client.post(url).status_code == 404
    services.participant_add(project=project, by=world.users["manager_x"], organisation=world.org_b, role=ROLE.PARTNER)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.left_on is None


def test_participants_of_another_project_are_not_reached_through_this_one(client, world):
    mine, other = start(world), start(world, name="Anderes")
    foreign = other.participants.first()
    client.force_login(world.users["manager_x"])
    assert client.get(reverse("projects:participant_role", args=["netz-x", mine.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("projects:participant_remove", args=["netz-x", mine.pk, foreign.pk])).status_code == 404
    client.force_login(world.users["manager_y"])
    assert client.get(reverse("projects:participant_add", args=["netz-x", mine.pk])).status_code == 404
