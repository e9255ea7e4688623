"""The member directory: search, filters, sorting, paging, saved filters, bulk actions — scoped to one network."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Membership, Organisation, SavedFilter
from members.services import organisation_create


def directory_url(slug: str = "netz-x") -> str:
    return reverse("directory:directory", kwargs={"network_slug": slug})


def names(response) -> list[str]:
    return [m.organisation.name for m in response.context["page"]]


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


def add_org(world, manager, name: str, **data) -> Organisation:
    membership = organisation_create(network=world.network_x, by=manager, data={"name": name, **data})
    return membership.organisation


def test_directory_lists_only_this_networks_members(client, world, manager):
    response = client.get(directory_url())
    assert response.status_code == 200
    assert sorted(names(response)) == ["Alpha GmbH", "Beta KG"]
    assert "Gamma AG" not in response.text
    assert "2 Organisationen" in response.text


def test_search_by_name_place_and_competency_tag(client, world, manager):
    organisation_create(
        network=world.network_x,
        by=manager,
        data={"name": "Windkraft Service GmbH", "municipality": "Saerbeck", "competencies": "Rotorblattreparatur"},
        competency_tags="Blattinspektion",
    )
    assert names(client.get(directory_url(), {"q": "Windkraft"})) == ["Windkraft Service GmbH"]
    assert names(client.get(directory_url(), {"q": "Saerbeck"})) == ["Windkraft Service GmbH"]
    assert names(client.get(directory_url(), {"q": "Blattinspektion"})) == ["Windkraft Service GmbH"]
    assert names(client.get(directory_url(), {"q": "Rheine"})) == ["Alpha GmbH"]


def test_search_never_reaches_other_networks(client, world, manager):
    assert names(client.get(directory_url(), {"q": "Gamma"})) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"municipality": "Steinfurt"}, ["Beta KG"]),
        ({"size": "small"}, ["Alpha GmbH"]),  # 12 employees, no money figures
        ({"size": "medium"}, ["Beta KG"]),
        ({"status": "paused"}, ["Beta KG"]),
        ({"role": "supplier"}, ["Beta KG"]),
        ({"kind": "research"}, ["Uni Münster"]),
    ],
)
def test_filters(client, world, manager, params, expected):
    Membership.objects.filter(organisation=world.org_b).update(status="paused", role="supplier")
    add_org(world, manager, "Uni Münster", kind="research", employees=None)
    assert names(client.get(directory_url(), params)) == expected


def test_size_filter_agrees_with_the_model_property(client, world, manager):
    add_org(world, manager, "Groß mit wenig Bilanz", employees=200, turnover=Decimal("90000000"), balance_sheet_total=Decimal("40000000"))
    add_org(world, manager, "Groß", employees=200, turnover=Decimal("90000000"), balance_sheet_total=Decimal("60000000"))
    for size in Organisation.SizeClass.values:
        listed = names(client.get(directory_url(), {"size": size}))
        assert all(Organisation.objects.get(name=n).size_class == size for n in listed), size
    assert names(client.get(directory_url(), {"size": "large"})) == ["Groß"]


def test_also_member_in_filter_uses_only_networks_i_manage(client, world):
    client.force_login(world.users["manager_xy"])
    Membership.objects.create(organisation=world.org_a, network=world.network_y)
    assert names(client.get(directory_url(), {"also_in": "netz-y"})) == ["Alpha GmbH"]
    client.force_login(world.users["manager_x"])
    response = client.get(directory_url(), {"also_in": "netz-y"})  # not hers: ignored, not an error
    assert response.status_code == 200
    assert sorted(names(response)) == ["Alpha GmbH", "Beta KG"]


def test_invalid_filter_values_are_ignored_not_errors(client, world, manager):
    response = client.get(directory_url(), {"status": "<script>", "sort": "'; DROP", "page": "999", "size": "x" * 500, "q": "\x00"})
    assert response.status_code == 200
    assert "<script>" not in response.text


def test_sorting_and_pagination_with_hit_count(client, world, manager):
    for i in range(30):
        add_org(world, manager, f"Firma {i:02d}", employees=i)
    first = client.get(directory_url(), {"sort": "-employees"})
    assert names(first)[:2] == ["Beta KG", "Firma 29"]  # Beta KG has 80 employees
    assert "32 Organisationen" in first.text
    second = client.get(directory_url(), {"sort": "-employees", "page": 2})
    assert len(names(second)) == 7
    assert set(names(first)).isdisjoint(names(second))


def test_htmx_gets_only_the_results_and_the_url_keeps_the_filter(client, world, manager):
    response = client.get(directory_url(), {"status": "active"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="directory-results")
    assert response.text.lstrip().startswith('<section id="directory-results"')
    assert "<html" not in response.text
    assert 'name="query" value="status=active"' in response.text


def test_directory_runs_a_constant_number_of_queries(client, world, manager):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(directory_url()).status_code == 200
        return len(ctx)

    count()  # the first page load fills the cached list of places
    few = count()
    for i in range(40):
        add_org(world, manager, f"Org {i}", employees=i + 1)
    assert count() == few


def test_saved_filters_belong_to_their_owner(client, world, manager):
    response = client.post(reverse("directory:saved_filter_create", args=["netz-x"]), {"name": "Ruhende", "query": "status=paused&page=3&evil=1"})
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=manager, name="Ruhende")
    assert saved.query == "status=paused"
    assert "Ruhende" in client.get(directory_url()).text
    client.force_login(world.users["manager_xy"])
    assert client.post(reverse("directory:saved_filter_delete", args=["netz-x", saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_bulk_preview_changes_nothing_and_confirm_applies(client, world, manager):
    ids = list(Membership.objects.filter(network=world.network_x).values_list("pk", flat=True))
    bulk = reverse("directory:bulk_action", args=["netz-x"])
    preview = client.post(bulk, {"action": "set_status", "status": "paused", "ids": ids})
    assert preview.status_code == 200
    assert "2 Mitgliedschaften erhalten den Status „Ruhend“" in preview.text
    assert not Membership.objects.filter(status="paused").exists()
    client.post(bulk, {"action": "set_status", "status": "paused", "ids": ids, "confirm": "1"})
    assert Membership.objects.filter(network=world.network_x, status="paused").count() == 2
    assert all(m.status_changes.filter(to_status="paused").exists() for m in Membership.objects.filter(network=world.network_x))


def test_bulk_all_results_covers_every_page_of_the_filter(client, world, manager):
    for i in range(30):
        add_org(world, manager, f"Massenfirma {i}", municipality="Emsdetten")
    bulk = reverse("directory:bulk_action", args=["netz-x"])
    client.post(bulk, {"action": "trash", "all_results": "1", "query": "municipality=Emsdetten", "confirm": "1"})
    assert Membership.objects.trashed_in(world.network_x).count() == 30
    assert sorted(names(client.get(directory_url()))) == ["Alpha GmbH", "Beta KG"]


def test_bulk_refuses_ids_of_another_network(client, world, manager):
    foreign = Membership.objects.get(organisation=world.org_c).pk
    response = client.post(reverse("directory:bulk_action", args=["netz-x"]), {"action": "trash", "ids": [foreign], "confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert Membership.objects.get(pk=foreign).archived_at is None
