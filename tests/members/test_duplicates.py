"""Duplicates: one matching service for the create forms and the network's "Dubletten" page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from members import services
from members.duplicates import THRESHOLD, OrganisationProbe, organisation_candidates, organisation_match, organisation_pairs
from members.matching import fold
from members.models import DuplicateDismissal, Membership, Organisation
from members.services import organisation_refresh_search
from verbund.models import Network


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


def org_post(name: str, **extra: str) -> dict[str, str]:
    return {
        "name": name,
        "kind": "company",
        "street": "Hauptstr. 5",
        "postcode": "48431",
        "municipality": "Rheine",
        "activity_version": "2008",
        "share_in_directory": "on",
        "role": "user",
        "status": "active",
    } | extra


def test_mueller_is_not_created_twice_without_a_warning(client, world, manager):
    assert client.post(u("directory:organisation_create"), org_post("Müller GmbH")).status_code == 302
    response = client.post(u("directory:organisation_create"), org_post("Mueller GmbH & Co. KG", street="Hauptstraße 5"))
    assert response.status_code == 200
    assert "Mögliche Dublette" in response.text
    assert "Müller GmbH" in response.text
    assert Organisation.objects.filter(name__icontains="ller").count() == 1


def test_ticking_trotzdem_anlegen_creates_the_second_one(client, world, manager):
    client.post(u("directory:organisation_create"), org_post("Müller GmbH"))
    response = client.post(u("directory:organisation_create"), org_post("Mueller GmbH & Co. KG", create_anyway="on"))
    assert response.status_code == 302
    assert Organisation.objects.filter(name__icontains="ller").count() == 2


def test_without_candidates_the_form_asks_nothing(client, world, manager):
    response = client.get(u("directory:organisation_create"))
    assert "trotzdem anlegen" not in response.text
    assert client.post(u("directory:organisation_create"), org_post("Zeta Solar GmbH", postcode="26871")).status_code == 302


def probe(name: str, **kwargs) -> OrganisationProbe:
    return OrganisationProbe.build(name=name, **kwargs)


def test_legal_forms_umlauts_and_street_abbreviations_do_not_hide_a_duplicate():
    match = organisation_match(
        probe("Müller GmbH", street="Hauptstr. 5", postcode="48431"), probe("Mueller GmbH & Co. KG", street="Hauptstraße 5", postcode="48431")
    )
    assert match.reasons == ("gleicher Name ohne Rechtsform", "gleiche Anschrift", "gleiche PLZ")
    assert match.score == 95
    assert organisation_match(probe("Höß UG (haftungsbeschränkt)"), probe("Hoess e. K.")).reasons == ("gleicher Name ohne Rechtsform",)


def test_a_near_name_counts_only_with_something_else_in_common():
    assert organisation_match(probe("Schmitz Metallbau"), probe("Schmitt Metallbau")).score < THRESHOLD
    near = organisation_match(probe("Schmitz Metallbau", postcode="48431"), probe("Schmitt Metallbau", postcode="48431"))
    assert near and near.reasons[0].startswith("ähnlicher Name (")
    assert not organisation_match(probe("Alpha GmbH", postcode="48431"), probe("Omega AG", postcode="48431"))


def test_free_mail_domains_say_nothing_company_domains_and_phones_do():
    free = organisation_match(probe("A", emails=["a@gmail.com"], postcode="1"), probe("B", emails=["b@gmail.com"], postcode="1"))
    assert not free
    company = organisation_match(probe("A", emails=["a@mueller-bau.de"], postcode="48431"), probe("B", website="https://www.mueller-bau.de/", postcode="48431"))
    assert company and "gleiche E-Mail-Domain (mueller-bau.de)" in company.reasons
    phone = organisation_match(probe("A", phones=["05971 12345"], postcode="48431"), probe("B", phones=["+49 5971 12345"], postcode="48431"))
    assert phone and "gleiche Telefonnummer" in phone.reasons


def test_candidates_come_from_the_managers_networks_only(world, manager_x):
    world.org_c.name = "Alpha AG"  # in network Y only
    world.org_c.save()
    organisation_refresh_search(world.org_c)
    assert [c.organisation for c in organisation_candidates(probe("Alpha KG"), networks=[world.network_x])] == [world.org_a]
    both = organisation_candidates(probe("Alpha KG"), networks=Network.objects.managed_by(world.users["manager_xy"]))
    assert {c.organisation for c in both} == {world.org_a, world.org_c}
    assert next(c for c in both if c.organisation == world.org_c).networks == (world.network_y,)


def test_near_names_with_another_first_word_are_found_through_pg_trgm_on_postgresql(world):
    far = Organisation.objects.create(name="Bau Mueller", postcode="99999")
    organisation_refresh_search(far)
    Membership.objects.create(organisation=far, network=world.network_x)
    found = [c.organisation for c in organisation_candidates(probe("Mueller Bau GmbH", postcode="10115"), networks=[world.network_x])]
    # SQLite fetches by first word and postcode only (the simpler query); PostgreSQL also by trigram similarity.
    assert found == ([far] if connection.vendor == "postgresql" else [])


def contact_post(**extra: str) -> dict[str, str]:
    return {"salutation": "", "first_name": "Kaethe", "last_name": "Mueller", "email": "", "phone": ""} | extra


def test_a_person_already_at_the_organisation_is_not_added_twice_without_a_warning(client, world, manager):
    services.contact_create(organisation=world.org_a, by=manager, data={"first_name": "Käthe", "last_name": "Müller", "email": "km@alpha.example"})
    response = client.post(u("directory:contact_create", world.org_a.pk), contact_post())
    assert response.status_code == 200
    assert "Mögliche Dublette" in response.text and "gleicher Name in derselben Organisation" in response.text
    same_address = client.post(u("directory:contact_create", world.org_b.pk), contact_post(first_name="K.", last_name="Mustermann", email="KM@alpha.example"))
    assert "gleiche E-Mail-Adresse" in same_address.text
    assert client.post(u("directory:contact_create", world.org_a.pk), contact_post(create_anyway="on")).status_code == 302
    assert world.org_a.contacts.filter(last_name__in=["Müller", "Mueller"]).count() == 2
    other = client.post(u("directory:contact_create", world.org_a.pk), contact_post(first_name="Jan", last_name="Berg"))
    assert other.status_code == 302


def test_the_dubletten_page_lists_ranked_pairs_with_reasons_and_merge_links(client, world, manager):
    for name, street in [("Müller GmbH", "Hauptstr. 5"), ("Mueller GmbH & Co. KG", "Hauptstraße 5"), ("Müller Maschinenbau", "")]:
        services.organisation_create(network=world.network_x, by=manager, data={"name": name, "street": street, "postcode": "48431"})
    services.contact_create(organisation=world.org_b, by=manager, data={"first_name": "Eva", "last_name": "Zimmermann", "email": "eva@beta.example"})
    services.contact_create(organisation=world.org_b, by=manager, data={"first_name": "Eva", "last_name": "Zimmermann"})
    response = client.get(u("duplicates:index"))
    assert response.status_code == 200
    pairs = response.context["organisation_pairs"]
    assert (pairs[0].first.name, pairs[0].second.name, pairs[0].score) == ("Müller GmbH", "Mueller GmbH & Co. KG", 95)
    assert {p.second.name for p in pairs} >= {"Müller Maschinenbau"}  # "Name des einen steckt im anderen" + PLZ
    assert "gleicher Name ohne Rechtsform, gleiche Anschrift, gleiche PLZ" in response.text
    assert reverse("duplicates:organisation_merge", args=["netz-x", pairs[0].first.pk, pairs[0].second.pk]) in response.text
    people = response.context["contact_pairs"]
    assert [(p.first.last_name, p.reason) for p in people] == [("Zimmermann", "gleicher Name in derselben Organisation")]
    candidates = client.get(u("duplicates:organisation_candidates", pairs[0].first.pk))
    assert [c.organisation.name for c in candidates.context["candidates"]][:1] == ["Mueller GmbH & Co. KG"]


def test_the_dubletten_page_blocks_instead_of_comparing_every_pair(client, world, manager, django_assert_max_num_queries):
    """2,000 organisations with 2 planted duplicates: the pairs come from shared keys, in a fixed number of queries."""
    words = ["Nord", "Sued", "Ost", "West", "Alt", "Neu", "Hoch", "Tief", "Klein", "Gross"]
    trades = ["Werkzeugbau", "Elektro", "Holzbau", "Metall", "Kunststoff", "Logistik", "Beratung", "Druck", "Glas", "Textil"]
    places = ["Rheine", "Emsdetten", "Greven", "Ibbenbueren", "Lingen", "Meppen", "Nordhorn", "Steinfurt", "Ochtrup", "Mettingen"]
    rows = [
        Organisation(
            name=f"{words[i % 10]}{places[i // 10 % 10].lower()} {trades[i // 100 % 10]} {places[i // 1000]}",
            postcode=f"{10000 + i * 37 % 90000:05d}",
        )
        for i in range(2000)
    ]
    rows += [
        Organisation(name="Hoess Technik GmbH", postcode="80331", street="Marienplatz 1"),
        Organisation(name="Höß Technik", postcode="80331", street="Marienpl. 1"),
        Organisation(name="Brandt Elektro", postcode="26871"),
        Organisation(name="Brand Elektro", postcode="26871"),
    ]
    for row in rows:
        row.search_name = fold(row.name)
    created = Organisation.objects.bulk_create(rows)
    Membership.objects.bulk_create([Membership(organisation=o, network=world.network_x) for o in created])
    with django_assert_max_num_queries(4):
        pairs = organisation_pairs(world.network_x)
    names = {(p.first.name, p.second.name) for p in pairs}
    assert names == {("Hoess Technik GmbH", "Höß Technik"), ("Brandt Elektro", "Brand Elektro")}


def test_a_candidate_in_another_of_my_networks_links_to_that_network(client, world):
    client.force_login(world.users["manager_xy"])
    response = client.post(u("directory:organisation_create"), org_post("Gamma GmbH", street="", postcode="49477"))
    assert "Mögliche Dublette:" in response.text and "Mitglied in Netzwerk Y" in response.text
    assert reverse("directory:organisation", args=["netz-y", world.org_c.pk]) in response.text
    person = client.post(u("directory:contact_create", world.org_a.pk), contact_post(first_name="Mia", last_name="x", email="member_c_y@example.org"))
    assert "gleiche E-Mail-Adresse" in person.text
    assert reverse("directory:organisation", args=["netz-y", world.org_c.pk]) in person.text


def test_keine_dublette_removes_the_pair_from_this_networks_page_only(client, world, manager):
    first = services.organisation_create(network=world.network_x, by=manager, data={"name": "Müller GmbH", "street": "Hauptstr. 5", "postcode": "48431"})
    second = services.organisation_create(
        network=world.network_x, by=manager, data={"name": "Mueller GmbH & Co. KG", "street": "Hauptstraße 5", "postcode": "48431"}
    )
    Membership.objects.create(organisation=first.organisation, network=world.network_y)
    Membership.objects.create(organisation=second.organisation, network=world.network_y)
    eva = services.contact_create(organisation=world.org_b, by=manager, data={"first_name": "Eva", "last_name": "Zimmermann", "email": "eva@beta.example"})
    eva2 = services.contact_create(organisation=world.org_b, by=manager, data={"first_name": "Eva", "last_name": "Zimmermann"})
    pair = sorted((first.organisation.pk, second.organisation.pk))

    def shown(network) -> set[tuple[int, int]]:
        return {(p.first.pk, p.second.pk) for p in organisation_pairs(network)}

    assert tuple(pair) in shown(world.network_x)
    response = client.post(u("duplicates:organisation_dismiss", pair[1], pair[0]))
    assert response.status_code == 302
    assert tuple(pair) not in shown(world.network_x)
    assert tuple(pair) in shown(world.network_y)  # another network's office decides for itself
    assert client.post(u("duplicates:organisation_dismiss", pair[0], pair[1])).status_code == 302  # twice is fine
    assert DuplicateDismissal.objects.filter(network=world.network_x, kind="organisation").count() == 1

    assert client.post(u("duplicates:contact_dismiss", eva.pk, eva2.pk)).status_code == 302
    page = client.get(u("duplicates:index"))
    assert page.context["contact_pairs"] == [] and tuple(pair) not in {(p.first.pk, p.second.pk) for p in page.context["organisation_pairs"]}


def test_keine_dublette_is_refused_for_a_record_of_another_network(client, world, manager):
    assert client.post(u("duplicates:organisation_dismiss", world.org_a.pk, world.org_c.pk)).status_code == 404
    assert not DuplicateDismissal.objects.exists()
