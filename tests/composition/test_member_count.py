"""The member count is one definition (members.selectors.current_member_q) wherever a number of members shows.

The issue: a network's start page said "46 Mitglieder" while its status table added up to 47 and the directory said
"47 Organisationen" — the table and the directory list a prospect too, and the start page and "Meine Verbünde" counted
the memberships of an organisation in the trash, which the directory and the qualification matrix leave out.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Membership, Organisation
from members.selectors import current_member_q, member_count, member_counts
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(world: World) -> World:
    """Network X: A active, B paused, D prospect, E left, F active but in the trash (organisation), G active with
    its membership in the network's trash. Members by hand: A and B = 2. Listed in the directory: A, B, D, E = 4."""
    Membership.objects.filter(organisation=world.org_b).update(status=Membership.Status.PAUSED)
    now = timezone.now()
    for name, status, org_trashed, membership_trashed in [
        ("Delta OHG", Membership.Status.PROSPECT, False, False),
        ("Epsilon eG", Membership.Status.LEFT, False, False),
        ("Phi GmbH", Membership.Status.ACTIVE, True, False),
        ("Gamma Zwei", Membership.Status.ACTIVE, False, True),
    ]:
        org = Organisation.objects.create(name=name, archived_at=now if org_trashed else None)
        Membership.objects.create(organisation=org, network=world.network_x, status=status, archived_at=now if membership_trashed else None)
    return world


def test_member_count_counts_active_and_paused_of_organisations_outside_the_trash(mixed):
    assert member_count(mixed.network_x) == 2
    assert member_count(mixed.network_y) == 1
    assert member_counts([mixed.network_x, mixed.network_y.pk]) == {mixed.network_x.pk: 2, mixed.network_y.pk: 1}


def test_member_count_is_the_same_set_as_current_members_of(mixed):
    by_q = set(Membership.objects.filter(current_member_q(), network=mixed.network_x).values_list("organisation", flat=True))
    assert by_q == set(Organisation.objects.current_members_of(mixed.network_x).values_list("pk", flat=True))
    assert by_q == {mixed.org_a.pk, mixed.org_b.pk}


def test_member_counts_of_a_network_without_members_is_zero(world):
    Membership.objects.filter(network=world.network_y).update(status=Membership.Status.LEFT)
    assert member_counts([world.network_y]) == {world.network_y.pk: 0}


def test_network_start_page_shows_the_member_count_and_a_status_table_that_adds_up(client, mixed, manager_x):
    client.force_login(manager_x)
    response = client.get(reverse("manage:network_home", args=["netz-x"]))
    assert response.status_code == 200
    assert response.context["member_count"] == 2
    statuses = {choice.value: n for choice, n in response.context["status_counts"]}
    assert statuses == {"active": 1, "paused": 1, "prospect": 1, "left": 1}
    # The current statuses add up to the member count; all of them to the directory's number.
    assert sum(n for status, n in statuses.items() if Membership.Status(status).is_current) == 2
    directory = client.get(reverse("directory:directory", args=["netz-x"]))
    assert directory.context["page"].paginator.count == sum(statuses.values()) == 4
    assert "Phi GmbH" not in response.text  # an organisation in the trash is no newest member either


def test_my_networks_shows_the_same_member_count(client, mixed, world):
    client.force_login(world.users["manager_xy"])
    response = client.get(reverse("manage:index"))
    counts = {role.network.slug: role.member_count for role in response.context["roles"]}
    assert counts == {"netz-x": member_count(mixed.network_x), "netz-y": member_count(mixed.network_y)} == {"netz-x": 2, "netz-y": 1}
