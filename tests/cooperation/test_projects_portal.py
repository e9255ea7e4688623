"""Practice projects in the member portal (issue 19): a member company sees the projects it takes part in, with what the
portal's rules let it see; any other project is a 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cooperation import projects as services
from cooperation.models.projects import Project, ProjectParticipant
from events.models import ActionItem, Meeting
from members.models import Contact

pytestmark = pytest.mark.django_db

ROLE = ProjectParticipant.Role
OPTIONS = [{"title": "Selbst bauen", "pros": "Know-how bleibt", "cons": "dauert"}, {"title": "Zukaufen", "pros": "schnell", "cons": "teuer"}]


def start(world, **kwargs) -> Project:
    defaults = {
        "parent": world.network_x,
        "by": world.users["manager_x"],
        "name": "Gemeinsame Logistik",
        "goals": "Touren bündeln",
        "participants": [(world.org_a, ROLE.LEAD), (world.org_b, ROLE.PARTNER)],
        "data": {"status": Project.Status.PREPARING},
    }
    project = services.project_start(**(defaults | kwargs))
    services.project_update(
        project=project, by=world.users["manager_x"], data={"funding_programme": "ZIM Kooperationsprojekt", "funding_deadline": date(2027, 3, 31)}
    )
    return project


def meeting(network, title: str, in_days: float) -> Meeting:
    starts = timezone.now() + timedelta(days=in_days)
    return Meeting.objects.create(network=network, title=title, starts_at=starts, ends_at=starts + timedelta(hours=2))


def test_a_participant_sees_its_projects_and_the_project_page(client, world):
    project = start(world)
    start(world, name="Ohne Alpha", participants=[(world.org_b, ROLE.LEAD)])
    manager = world.users["manager_x"]
    decided = services.decision_paper_create(project=project, by=manager, data={"title": "Lagerstandort", "question": "Wo lagern wir?"}, options=OPTIONS)
    services.decision_paper_decide(paper=decided, by=manager, decision="Halle in Rheine", decided_by="Lenkungskreis", decided_on=date(2026, 4, 1))
    services.decision_paper_create(project=project, by=manager, data={"title": "Entwurf-GEHEIM", "question": "?"}, options=OPTIONS)
    services.project_link_add(project=project, by=manager, data={"title": "Projektablage", "url": "https://example.org/ablage", "note": ""})
    alpha = Contact.objects.get(user=world.users["member_a_x"])
    beta = Contact.objects.get(user=world.users["member_b_x"])
    ActionItem.objects.create(network=project.network, title="Angebote einholen", owner=alpha, due_on=date(2027, 1, 15))
    ActionItem.objects.create(network=project.network, title="Sache von Beta", owner=beta)
    ActionItem.objects.create(network=project.network, title="Erledigt", owner=alpha, done_at=timezone.now())
    coming = meeting(project.network, "Projekttreffen Mai", 10)
    meeting(project.network, "Vergangenes Treffen", -10)
    meeting(world.network_x, "Treffen des Verbunds", 5)

    client.force_login(world.users["member_a_x"])
    listing = client.get(reverse("portal_projects:list")).content.decode()
    assert "Gemeinsame Logistik" in listing and "Projektleitung" in listing
    assert "Ohne Alpha" not in listing

    response = client.get(reverse("portal_projects:detail", args=[project.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in ("Gemeinsame Logistik", "In Vorbereitung", "Touren bündeln", "ZIM Kooperationsprojekt", "31.03.2027", "Alpha GmbH", "Beta KG"):
        assert shown in body, shown
    assert "Projektleitung" in body and "Projektpartner" in body
    # Next steps: the open action items of its own people, as on the portal's meetings page.
    assert "Angebote einholen" in body and "Sache von Beta" not in body and "Erledigt" not in body
    # Upcoming meetings of the project, linked to the portal's meeting page.
    assert reverse("portal_events:meeting", args=[coming.pk]) in body
    assert "Vergangenes Treffen" not in body and "Treffen des Verbunds" not in body
    # Decided papers with decision, by whom and when, options with pros and cons; drafts are the office's.
    for shown in ("Lagerstandort", "Halle in Rheine", "Lenkungskreis", "01.04.2026", "Selbst bauen", "Know-how bleibt", "teuer"):
        assert shown in body, shown
    assert "Entwurf-GEHEIM" not in body
    assert "manager_x@example.org" not in body  # who recorded it in the office is not shown
    assert "https://example.org/ablage" in body
    # Nothing to change here: no office links.
    assert "/manage/" not in body
    assert 'method="post"' not in body.split("<main", 1)[1]


def test_a_project_the_company_does_not_take_part_in_is_a_404(client, world):
    project = start(world, participants=[(world.org_a, ROLE.LEAD)])
    for persona in ("member_b_x", "member_c_y"):
        client.force_login(world.users[persona])
        assert client.get(reverse("portal_projects:detail", args=[project.pk])).status_code == 404, persona
        assert "Gemeinsame Logistik" not in client.get(reverse("portal_projects:list")).content.decode()
    # Taken out of the project: gone from the portal too.
    client.force_login(world.users["member_a_x"])
    assert client.get(reverse("portal_projects:detail", args=[project.pk])).status_code == 200
    services.participant_remove(participant=project.participants.get(organisation=world.org_a), by=world.users["manager_x"])
    assert client.get(reverse("portal_projects:detail", args=[project.pk])).status_code == 404


def test_managers_without_a_member_login_do_not_reach_the_portal_page(client, world):
    project = start(world)
    client.force_login(world.users["manager_x"])
    assert client.get(reverse("portal_projects:detail", args=[project.pk])).status_code == 403


def test_the_company_page_links_its_projects_only_when_it_takes_part_in_one(client, world):
    client.force_login(world.users["member_a_x"])
    assert reverse("portal_projects:list") not in client.get(reverse("members:portal_home")).content.decode()
    start(world)
    assert reverse("portal_projects:list") in client.get(reverse("members:portal_home")).content.decode()
