"""Search everywhere: grouped hits over organisations, contacts, meetings, Infobriefe and courses of the networks the
user manages — never another network's — and the field in the header that works without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from composition.search import search_everywhere, word_forms
from events.models import Meeting
from members.models import Contact
from members.services import organisation_create
from newsletters.models import Infobrief
from qualification.models import Course
from verbund.models import ManagerRole


@pytest.fixture
def things(world):
    """In X and in Y the same words, so that a hit from the wrong network shows."""
    start = timezone.now() + timedelta(days=7)
    for network, suffix in ((world.network_x, "X"), (world.network_y, "Y")):
        by = world.users["manager_x" if suffix == "X" else "manager_y"]
        membership = organisation_create(network=network, by=by, data={"name": f"Müller Windkraft {suffix} GmbH", "municipality": "Saerbeck"})
        Contact.objects.create(organisation=membership.organisation, first_name="Jörg", last_name=f"Schröder {suffix}", email=f"js{suffix}@example.org")
        Meeting.objects.create(network=network, title=f"Windkraft-Stammtisch {suffix}", starts_at=start, ends_at=start + timedelta(hours=2))
        Infobrief.objects.create(network=network, subject=f"Infobrief Windkraft {suffix}")
        Course.objects.create(network=network, title=f"Windkraft Grundkurs {suffix}", year=2026)


def hits(groups) -> dict[str, list[str]]:
    return {group.key: [hit.title for hit in group.hits] for group in groups}


def test_every_kind_is_found_and_grouped(world, things):
    found = hits(search_everywhere(world.users["manager_x"], "windkraft"))
    assert found == {
        "organisations": ["Müller Windkraft X GmbH"],
        "contacts": [],
        "meetings": ["Windkraft-Stammtisch X"],
        "infobriefe": ["Infobrief Windkraft X"],
        "courses": ["Windkraft Grundkurs X"],
    }


def test_another_networks_objects_never_appear(client, world, things):
    client.force_login(world.users["manager_x"])
    for text in ("windkraft", "Schröder", "Y", "Gamma"):
        response = client.get(reverse("search"), {"q": text})
        assert response.status_code == 200
        assert " Y" not in " ".join(title for titles in hits(response.context["groups"]).values() for title in titles), text
        assert "netz-y" not in response.text
        assert "Gamma AG" not in response.text


def test_a_manager_of_both_sees_both_with_the_network_named(world, things):
    groups = search_everywhere(world.users["manager_xy"], "Müller Windkraft")
    organisations = groups[0]
    assert [hit.title for hit in organisations.hits] == ["Müller Windkraft X GmbH", "Müller Windkraft Y GmbH"]
    assert organisations.hits[1].url.startswith("/manage/netz-y/organisations/")
    assert "Netzwerk Y" in organisations.hits[1].detail


def test_contacts_are_found_by_name_in_both_spellings_and_link_to_their_organisation(client, world, things):
    client.force_login(world.users["manager_x"])
    for text in ("Schröder", "Schroeder", "jörg schröder", "jsX@example"):
        found = hits(client.get(reverse("search"), {"q": text}).context["groups"])
        assert found["contacts"] == ["Jörg Schröder X"], text
    response = client.get(reverse("search"), {"q": "Schroeder"})
    contact = Contact.objects.get(last_name="Schröder X")
    assert f'href="/manage/netz-x/organisations/{contact.organisation_id}/"' in response.text


def test_organisations_use_the_ranked_folded_search(world, things):
    assert hits(search_everywhere(world.users["manager_x"], "Mueller"))["organisations"] == ["Müller Windkraft X GmbH"]


def test_a_trashed_contact_or_organisation_is_not_found(world, things):
    Contact.objects.filter(last_name="Schröder X").update(archived_at=timezone.now())
    assert hits(search_everywhere(world.users["manager_x"], "Schröder"))["contacts"] == []


def test_an_observer_searches_too(world, things):
    ManagerRole.objects.filter(user=world.users["manager_x"]).update(role=ManagerRole.Role.OBSERVER)
    assert hits(search_everywhere(world.users["manager_x"], "windkraft"))["meetings"] == ["Windkraft-Stammtisch X"]


def test_the_header_has_the_field_for_managers_only(client, world):
    client.force_login(world.users["manager_x"])
    page = client.get(reverse("manage:index")).text
    assert f'<form method="get" action="{reverse("search")}" role="search"' in page
    assert '<label for="global-search" class="visually-hidden">Suche in meinen Verbünden</label>' in page
    assert 'aria-keyshortcuts="/ Control+K"' in page and "js/search.js" in page
    client.force_login(world.users["member_a_x"])
    assert 'id="global-search"' not in client.get(reverse("members:portal_home")).text


def test_results_page_lists_links_and_keeps_the_query(client, world, things):
    client.force_login(world.users["manager_x"])
    response = client.get(reverse("search"), {"q": "windkraft"})
    assert "4 Treffer für „windkraft“" in response.text
    assert 'id="global-search" maxlength="200"' in response.text and 'value="windkraft"' in response.text
    course = Course.objects.get(title="Windkraft Grundkurs X")
    assert f'<a href="/manage/netz-x/qualification/courses/{course.pk}/">Windkraft Grundkurs X</a>' in response.text


def test_more_than_ten_hits_link_to_the_directory(world):
    for i in range(12):
        organisation_create(network=world.network_x, by=world.users["manager_x"], data={"name": f"Solar {i:02d}"})
    organisations = search_everywhere(world.users["manager_x"], "solar")[0]
    assert len(organisations.hits) == 10 and organisations.more
    assert organisations.more_links == [("Alle Treffer im Verzeichnis von Netzwerk X", "/manage/netz-x/organisations/?q=solar")]


def test_empty_or_blank_query_searches_nothing(world):
    assert search_everywhere(world.users["manager_x"], "   ") == []


def test_umlaut_spellings():
    assert word_forms("Müller") == {"Müller", "Mueller"}
    assert word_forms("Mueller") == {"Mueller", "Müller"}
    assert word_forms("Straße") == {"Straße", "Strasse"}


def test_control_characters_in_the_search_are_dropped_not_a_500(client, world, things, manager_x):
    client.force_login(manager_x)
    response = client.get(reverse("search"), {"q": "Al\x00pha"})
    assert response.status_code == 200
    assert "Alpha GmbH" in response.text  # searched as "Alpha"


@pytest.mark.parametrize("text", ["schr", "sc"])
def test_people_come_a_to_z_whichever_index_finds_them(world, text):
    """Words of three letters or more are sorted after the trigram indexes found them, shorter ones along the name index
    (composition.search._people_order); either way the hits read A to Z and the same people are found."""
    by = world.users["manager_x"]
    membership = organisation_create(network=world.network_x, by=by, data={"name": "Schreinerei Ost GmbH"})
    for last, first in (("Schröder", "Berta"), ("schramm", "Anna"), ("Schröder", "Anton"), ("Scholz", "Carl")):
        Contact.objects.create(organisation=membership.organisation, first_name=first, last_name=last)
    people = next(group for group in search_everywhere(by, text) if group.key == "contacts")
    names = [hit.title for hit in people.hits]
    if text == "schr":  # sorted after the match: A to Z whatever the case
        assert [name for name in names if "Sch" in name or "sch" in name] == ["Anna schramm", "Anton Schröder", "Berta Schröder"]
    else:  # in the name index's order (the database's collation decides where "schramm" goes)
        assert {"Carl Scholz", "Anna schramm", "Anton Schröder", "Berta Schröder"} <= set(names)
        assert names.index("Anton Schröder") == names.index("Berta Schröder") - 1
