"""The members area on the design system (issue 15): badges for status and role, counts, empty states that name the next
step, the directory's filters in a folding panel that says how many are set, and tabs that mark the one shown."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from members.models import Membership


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


def directory(client, query: dict | None = None, **headers):
    return client.get(reverse("directory:directory", args=["netz-x"]), query or {}, **headers)


def test_directory_shows_status_and_role_as_badges(client, world, manager):
    Membership.objects.filter(organisation=world.org_b).update(status=Membership.Status.PAUSED)
    page = directory(client).text
    assert '<span class="badge badge-success">Aktiv</span>' in page
    assert '<span class="badge badge-warning">Ruhend</span>' in page
    assert re.search(r'<td data-label="Rolle"><span class="badge badge-neutral">[^<]+</span></td>', page)
    assert '<table class="stack">' in page  # rows become cards on phones


def test_folded_filters_say_how_many_are_set(client, world, manager):
    assert '<span id="filter-summary">Filter</span>' in directory(client).text
    page = directory(client, {"status": "active", "municipality": "Rheine", "sort": "name"}).text
    assert '<span id="filter-summary">Filter (2)</span>' in page  # the sort order is no filter
    assert '<details class="filter-panel" id="directory-filters">' in page  # folded (CSS opens it on wide screens)


def test_htmx_results_bring_the_new_filter_count_along(client, world, manager):
    partial = directory(client, {"status": "active"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="directory-results").text
    assert partial.lstrip().startswith('<section id="directory-results"')
    assert '<span id="filter-summary" hx-swap-oob="true">Filter (1)</span>' in partial


def test_empty_directory_names_the_next_steps(client, world, manager):
    Membership.objects.filter(network=world.network_x).delete()
    page = directory(client).text
    assert "Noch keine Mitglieder" in page
    assert f'href="{reverse("directory:organisation_create", args=["netz-x"])}">Organisation anlegen</a>' in page
    assert f'href="{reverse("io:import_upload", args=["netz-x"])}">Mitglieder importieren</a>' in page


def test_a_filter_that_finds_nothing_offers_the_reset(client, world, manager):
    page = directory(client, {"q": "gibt es nicht"}).text
    assert "Keine Organisation passt zu diesem Filter." in page
    assert f'href="{reverse("directory:directory", args=["netz-x"])}">Filter zurücksetzen</a>' in page


def tab_links(html: str) -> dict[str, bool]:
    """Tab label → whether it is marked as the current one."""
    return {label: "aria-current" in attrs for attrs, label in re.findall(r'<li><a href="\?tab=\w+"([^>]*)>([^<]+)</a></li>', html)}


def test_history_tab_marks_itself_as_current_in_the_htmx_switch_and_on_load(client, world, manager):
    url = reverse("directory:organisation", args=["netz-x", world.org_a.pk])
    assert tab_links(client.get(url).text) == {"Profil": True, "Verlauf": False}
    partial = client.get(url, {"tab": "history"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel").text
    assert partial.lstrip().startswith('<div id="tab-panel">')
    assert tab_links(partial) == {"Profil": False, "Verlauf": True}  # the tabs are swapped with the panel
    full = client.get(url, {"tab": "history"}).text
    assert tab_links(full) == {"Profil": False, "Verlauf": True}
    assert f'href="{reverse("directory:organisation_edit", args=["netz-x", world.org_a.pk])}">Bearbeiten</a>' in full  # actions on both tabs


def test_organisation_page_shows_membership_as_badges_and_money(client, world, manager):
    Membership.objects.filter(organisation=world.org_a, network=world.network_x).update(annual_fee="1250.00")
    page = client.get(reverse("directory:organisation", args=["netz-x", world.org_a.pk])).text
    assert '<span class="badge badge-success">Aktiv</span>' in page
    assert "1.250,00\u00a0€" in page
    assert "<dd>12</dd>" in page  # employees through |num


def test_portal_home_and_network_use_badges(client, world, member_a_x):
    client.force_login(member_a_x)
    home = client.get(reverse("members:portal_home")).text
    assert '<table class="stack">' in home
    network = client.get(reverse("members:portal_network", args=["netz-x"])).text
    assert '<span class="badge badge-success">Aktiv</span>' in network
    assert "<title>Netzwerk X · verbund</title>" in network  # nothing but the name in the title


def test_a_contact_without_salutation_shows_no_placeholder_before_the_name(client, world, manager):
    page = client.get(reverse("directory:organisation", args=["netz-x", world.org_a.pk])).text
    assert "keine Angabe" not in page
    assert '<th scope="row">Mia member_a_x ' in page
