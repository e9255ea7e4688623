"""Queries per page do not grow with the data (issue 17): each page measured by `make bench` asks the database the same
number of times in a small network and after it has grown in every direction its page shows — organisations, people,
memberships in other networks, meetings, registrations, action items, Infobriefe, to-dos.

Meeting detail, check-in and the qualification matrix have their own tests of this (tests/events/test_pages.py,
tests/qualification/test_manage_pages.py); the figures at 1,000 and 50,000 organisations come from `make bench`
(`queries_constant` in var/bench/results.json).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from events.models import ActionItem
from members.models import Contact, Membership, Organisation
from members.services import organisation_refresh_search
from newsletters.models import Infobrief
from tests.conftest import World
from verbund.models import ManagerRole, Network

pytestmark = pytest.mark.django_db


def grow(world: World, step: int, *, manager) -> None:
    """Add `step` of everything to network X (and a few other networks the manager runs)."""
    network = world.network_x
    for i in range(step):
        organisation = Organisation.objects.create(name=f"Wachstum {step}-{i} GmbH", municipality=f"Ort {i % 7}", employees=5 + i)
        organisation_refresh_search(organisation)
        Membership.objects.create(organisation=organisation, network=network, status=["active", "paused"][i % 2])
        Membership.objects.create(organisation=organisation, network=world.network_y)
        person = Contact.objects.create(organisation=organisation, first_name="Ute", last_name=f"Wachs{i}", email=f"w{step}-{i}@example.org")
        day = timezone.localdate() + timedelta(days=3 + i)
        meeting = event_services.meeting_create(
            network=network,
            by=manager,
            data={
                "title": f"Treffen {i}",
                "kind": "workshop",
                "starts_at": event_services.meeting_at(day, 9, 0),
                "ends_at": event_services.meeting_at(day, 12, 0),
            },
        )
        event_services.registration_register(meeting=meeting, by=manager, contact=person)
        ActionItem.objects.create(network=network, meeting=meeting, title=f"Aufgabe {i}", owner=person, due_on=timezone.localdate() - timedelta(days=i))
        Infobrief.objects.create(network=network, subject=f"Entwurf {i}", created_by=manager)
        other = Network.objects.create(name=f"Weiterer Verbund {step}-{i}", slug=f"weiter-{step}-{i}")
        ManagerRole.objects.create(user=manager, network=other, role=ManagerRole.Role.MANAGER)
        Membership.objects.create(organisation=organisation, network=other)
    # The member's own organisation gains people and networks too.
    for i in range(step):
        Contact.objects.create(organisation=world.org_a, first_name="Kai", last_name=f"Kollege{step}-{i}")
        Membership.objects.create(organisation=world.org_a, network=Network.objects.create(name=f"Portal-Verbund {step}-{i}", slug=f"portal-{step}-{i}"))


def queries(client, url: str, **headers) -> int:
    """Queries of the second request: the first may fill a cache (the directory's place dropdown), as in production."""
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(captured)


def manager_pages(world: World) -> dict[str, tuple[str, dict]]:
    directory = reverse("directory:directory", kwargs={"network_slug": "netz-x"})
    return {
        "directory": (directory, {}),
        "directory, page 2": (f"{directory}?page=2", {}),
        "directory, filtered": (f"{directory}?status=active&sort=-joined", {}),
        "directory, search": (f"{directory}?q=wachstum", {}),
        "directory, htmx results": (f"{directory}?q=wachstum", {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "directory-results"}),
        "organisation": (reverse("directory:organisation", kwargs={"network_slug": "netz-x", "pk": world.org_a.pk}), {}),
        "network start": (reverse("manage:network_home", kwargs={"network_slug": "netz-x"}), {}),
        "manager start": (reverse("manage:index"), {}),
        "search everywhere": (f"{reverse('search')}?q=wachstum", {}),
    }


def test_manager_pages_ask_the_database_as_often_in_a_grown_network(client, world, manager_x):
    client.force_login(manager_x)
    grow(world, 3, manager=manager_x)
    pages = manager_pages(world)
    small = {name: queries(client, url, **headers) for name, (url, headers) in pages.items()}
    grow(world, 12, manager=manager_x)
    large = {name: queries(client, url, **headers) for name, (url, headers) in pages.items()}
    assert large == small


def test_member_pages_ask_the_database_as_often_for_a_grown_organisation(client, world, member_a_x, manager_x):
    client.force_login(member_a_x)
    pages = {"portal start": reverse("members:portal_home"), "health": reverse("health")}
    grow(world, 2, manager=manager_x)
    small = {name: queries(client, url) for name, url in pages.items()}
    grow(world, 10, manager=manager_x)
    large = {name: queries(client, url) for name, url in pages.items()}
    assert large == small
