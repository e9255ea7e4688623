"""Membership.sort_name — the organisation's folded name copied onto each membership, so that the directory sorts and
pages a network on one index — follows the organisation through every way it is written."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from members import merging
from members.models import Membership, Organisation
from members.selectors import listed_status_counts, member_count, member_counts
from members.services import organisation_create, organisation_refresh_search, organisation_update
from verbund.models import Network

pytestmark = pytest.mark.django_db


def names_in_directory(client, network: Network, **params) -> list[str]:
    response = client.get(reverse("directory:directory", kwargs={"network_slug": network.slug}), params)
    assert response.status_code == 200
    return [membership.organisation.name for membership in response.context["page"]]


def test_created_renamed_and_merged_organisations_keep_their_sort_name(client, world, manager_x):
    client.force_login(manager_x)
    zeta = organisation_create(network=world.network_x, by=manager_x, data={"name": "Zeta Öl GmbH"}).organisation
    assert Membership.objects.get(organisation=zeta).sort_name == "zeta oel gmbh"
    Membership.objects.create(organisation=zeta, network=world.network_y)  # a second network: the copy there too
    assert names_in_directory(client, world.network_x) == ["Alpha GmbH", "Beta KG", "Zeta Öl GmbH"]

    organisation_update(organisation=zeta, by=manager_x, data={"name": "Aachener Öl GmbH"})
    assert set(Membership.objects.filter(organisation=zeta).values_list("sort_name", flat=True)) == {"aachener oel gmbh"}
    assert names_in_directory(client, world.network_x) == ["Aachener Öl GmbH", "Alpha GmbH", "Beta KG"]
    assert names_in_directory(client, world.network_x, sort="-name") == ["Beta KG", "Alpha GmbH", "Aachener Öl GmbH"]

    # Merging (by a manager of both networks) moves the membership of network Y from the merged organisation to the kept one (save with update_fields).
    merging.organisation_merge(kept=world.org_a, merged=zeta, network=world.network_x, by=world.users["manager_xy"])
    moved = Membership.objects.get(organisation=world.org_a, network=world.network_y)
    assert moved.sort_name == world.org_a.search_name == "alpha gmbh"


def test_the_sort_name_is_written_for_a_membership_made_with_save(world):
    organisation = Organisation.objects.create(name="Hoß & Söhne KG")
    organisation_refresh_search(organisation)
    membership = Membership.objects.create(organisation=organisation, network=world.network_x)
    assert membership.sort_name == organisation.search_name != ""
    membership.refresh_from_db()
    assert membership.sort_name == organisation.search_name


def test_counts_and_directory_leave_out_organisations_in_the_trash(client, world, manager_x):
    client.force_login(manager_x)
    assert member_count(world.network_x) == 2
    world.org_b.archived_at = timezone.now()
    world.org_b.save(update_fields=["archived_at"])
    assert member_count(world.network_x) == 1
    assert member_counts([world.network_x, world.network_y]) == {world.network_x.pk: 1, world.network_y.pk: 1}
    assert listed_status_counts(world.network_x)["active"] == 1
    assert names_in_directory(client, world.network_x) == ["Alpha GmbH"]
    assert names_in_directory(client, world.network_x, status="active") == ["Alpha GmbH"]
    assert [m.organisation for m in Membership.objects.listed_in(world.network_x)] == [world.org_a]
