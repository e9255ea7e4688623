"""Needs and offers (issue 19): visibility, matching, confirmed matches, round tables, the health figures, DSGVO."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperation import needs
from cooperation.models import Match, NeedOffer
from cooperation.needs_signals import need_panel
from events import services as event_services
from events.extensions import meeting_panels
from events.models import Meeting, Registration
from events.signals import CalendarExtra, calendar_extras
from members.models import Contact, ContactExit, Membership, Organisation, Tag
from members.privacy import ERASED_NAME, organisation_data_export, person_erase
from members.services import organisation_refresh_search

pytestmark = pytest.mark.django_db


def entry(world, org, *, kind=NeedOffer.Kind.NEED, network=None, title="Wir suchen Hilfe bei Fördermitteln", tags="", **data):
    network = network or (world.network_y if org == world.org_c else world.network_x)
    user = world.users["manager_xy"]
    values = {"kind": kind, "title": title, **data}
    return needs.entry_create(network=network, organisation=org, by=user, data=values, tags=tags)


# --- visibility ------------------------------------------------------------------------------------------------


def test_a_managers_only_need_is_invisible_to_other_members_and_visible_to_its_own(client, world):
    secret = entry(world, world.org_a, title="Nachfolge geheim", visibility=NeedOffer.Visibility.MANAGERS)
    shared = entry(world, world.org_a, title="Azubi-Austausch", visibility=NeedOffer.Visibility.NETWORK)

    client.force_login(world.users["member_b_x"])
    page = client.get(reverse("portal_needs:list")).content.decode()
    assert "Azubi-Austausch" in page and "Nachfolge geheim" not in page
    assert client.get(reverse("portal_needs:detail", args=[secret.pk])).status_code == 404
    assert client.get(reverse("portal_needs:detail", args=[shared.pk])).status_code == 200
    # another member may read, not change
    assert client.get(reverse("portal_needs:edit", args=[shared.pk])).status_code == 404
    assert client.post(reverse("portal_needs:withdraw", args=[shared.pk])).status_code == 404

    client.force_login(world.users["member_a_x"])
    page = client.get(reverse("portal_needs:list")).content.decode()
    assert "Azubi-Austausch" in page and "Nachfolge geheim" in page


def test_nothing_crosses_networks(client, world):
    shared = entry(world, world.org_a, title="Azubi-Austausch X")
    entry(world, world.org_c, title="Energieberatung Y")

    client.force_login(world.users["member_c_y"])
    page = client.get(reverse("portal_needs:list")).content.decode()
    assert "Azubi-Austausch X" not in page and "Energieberatung Y" in page
    assert client.get(reverse("portal_needs:detail", args=[shared.pk])).status_code == 404

    client.force_login(world.users["manager_y"])
    assert client.get(reverse("needs:detail", args=["netz-y", shared.pk])).status_code == 404
    assert client.get(reverse("needs:detail", args=["netz-x", shared.pk])).status_code == 404
    assert "Azubi-Austausch X" not in client.get(reverse("needs:list", args=["netz-y"])).content.decode()


def test_an_entry_of_an_organisation_in_two_networks_is_seen_only_in_the_network_it_was_posted_in(client, world):
    Membership.objects.create(organisation=world.org_a, network=world.network_y)
    posted_in_x = entry(world, world.org_a, title="Nur in X", network=world.network_x)
    client.force_login(world.users["member_c_y"])
    assert client.get(reverse("portal_needs:detail", args=[posted_in_x.pk])).status_code == 404
    client.force_login(world.users["manager_y"])
    assert client.get(reverse("needs:detail", args=["netz-y", posted_in_x.pk])).status_code == 404


def test_a_withdrawn_entry_is_hidden_from_other_members(client, world):
    shared = entry(world, world.org_a, title="Zurückgezogen bald")
    client.force_login(world.users["member_a_x"])
    assert client.post(reverse("portal_needs:withdraw", args=[shared.pk])).status_code == 302
    shared.refresh_from_db()
    assert shared.status == NeedOffer.Status.WITHDRAWN
    client.force_login(world.users["member_b_x"])
    assert client.get(reverse("portal_needs:detail", args=[shared.pk])).status_code == 404


def test_a_member_posts_a_need_in_its_network_only(client, world):
    client.force_login(world.users["member_a_x"])
    contact = Contact.objects.get(user=world.users["member_a_x"])
    data = {
        "network": world.network_y.pk,  # not a member there
        "kind": "need",
        "title": "Fachkräfte",
        "urgency": "normal",
        "visibility": "network",
        "contact": contact.pk,
    }
    response = client.post(reverse("portal_needs:create"), data)
    assert response.status_code == 200 and not NeedOffer.objects.exists()
    response = client.post(reverse("portal_needs:create"), data | {"network": world.network_x.pk, "tags_text": "Fachkräfte, Ausbildung"})
    created = NeedOffer.objects.get()
    assert response.status_code == 302
    assert (created.network, created.organisation, created.contact) == (world.network_x, world.org_a, contact)
    assert sorted(t.name for t in created.tags.all()) == ["Ausbildung", "Fachkräfte"]
    other = Contact.objects.get(user=world.users["member_b_x"])
    response = client.post(reverse("portal_needs:create"), data | {"network": world.network_x.pk, "contact": other.pk})
    assert response.status_code == 200 and NeedOffer.objects.count() == 1  # someone else's person: a form error


# --- matching ------------------------------------------------------------------------------------------------


@pytest.fixture
def market(world):
    """Network X with four more members: one obviously fits the need, the others do not."""
    orgs = {}
    for name, competencies in [
        ("Laser Schneidtechnik GmbH", "Laserschneiden von Blechen, Blechbearbeitung"),
        ("Bäckerei Korn", "Brot und Brötchen"),
        ("Steuerbüro Zahl", "Steuerberatung, Lohnbuchhaltung"),
        ("Blech & Co KG", ""),
    ]:
        org = Organisation.objects.create(name=name, competencies=competencies)
        Membership.objects.create(organisation=org, network=world.network_x)
        Contact.objects.create(organisation=org, last_name=f"Kontakt {name}", email=f"{len(orgs)}@example.org")
        orgs[name] = org
    orgs["Laser Schneidtechnik GmbH"].competency_tags.add(Tag.objects.create(name="Laserschneiden"))
    for org in orgs.values():
        organisation_refresh_search(org)  # as every write of the members services does
    entry(world, orgs["Blech & Co KG"], kind=NeedOffer.Kind.OFFER, title="Freie Kapazitäten Blechbearbeitung")
    need = entry(world, world.org_a, title="Wir suchen Laserschneiden für Bleche", description="Kleinserie, Edelstahl", tags="Laserschneiden")
    return need, orgs


def test_matching_ranks_the_obvious_provider_first_with_reasons(world, market):
    need, orgs = market
    ranked = needs.candidates(need, [world.network_x])
    names = [c.organisation.name for c in ranked]
    assert names[0] == "Laser Schneidtechnik GmbH"
    assert "Blech & Co KG" in names
    assert "Bäckerei Korn" not in names and "Steuerbüro Zahl" not in names
    assert world.org_a.name not in names  # never the need's own organisation
    assert any(r.startswith("Kompetenz") and "Laserschneiden" in r for r in ranked[0].reasons)
    blech = next(c for c in ranked if c.organisation.name == "Blech & Co KG")
    assert blech.offer is not None and blech.reasons[0] == "Angebot „Freie Kapazitäten Blechbearbeitung“ passt"


def test_matching_looks_only_in_the_networks_given(world, market):
    need, _orgs = market
    assert needs.candidates(need, [world.network_y]) == []


def test_nothing_matches_a_need_nobody_can_meet(world, market):
    need = entry(world, world.org_a, title="Suche Hufschmied für Ponys", description="Pferdepflege")
    assert needs.candidates(need, [world.network_x]) == []


def test_matching_finds_a_compound_in_the_competencies_and_ranks_a_shared_tag_above_a_mention(world, market):
    need, orgs = market
    kant = Organisation.objects.create(name="Kantwerk Müller e. K.", competencies="Präzise Blechbearbeitung, Kantteile")
    Membership.objects.create(organisation=kant, network=world.network_x)
    organisation_refresh_search(kant)
    ranked = needs.candidates(need, [world.network_x])
    names = [c.organisation.name for c in ranked]
    assert names[0] == "Laser Schneidtechnik GmbH"  # the shared tag and the word
    assert "Kantwerk Müller e. K." in names  # "Bleche" found in "Blechbearbeitung" (trigram word similarity)
    assert names.index("Kantwerk Müller e. K.") > 0
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_matching_among_many_members_reads_only_the_best_few(world, market, django_assert_max_num_queries):
    """Hundreds of members that do not fit: the same candidates, a constant number of queries, and on PostgreSQL the
    database ranks (full text and trigram word similarity) and returns only `limit` rows."""
    need, _orgs = market
    crowd = Organisation.objects.bulk_create(
        Organisation(name=f"Gärtnerei {i:03}", competencies="Rasenpflege, Heckenschnitt", search_text=f"gaertnerei {i:03} rasenpflege heckenschnitt")
        for i in range(300)
    )
    Membership.objects.bulk_create(Membership(organisation=org, network=world.network_x) for org in crowd)
    read = []

    def count(sender, instance, **kwargs):
        read.append(instance)

    post_init.connect(count, sender=Organisation)
    try:
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            ranked = needs.candidates(need, [world.network_x], limit=1)
    finally:
        post_init.disconnect(count, sender=Organisation)
    assert [c.organisation.name for c in ranked] == ["Laser Schneidtechnik GmbH"]
    if connection.vendor == "postgresql":
        sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
        assert "ts_rank" in sql and "word_similarity" in sql and "limit 1" in sql
        assert len(read) == 1  # only the best row left the database
    else:
        assert len(read) > 300  # the fallback compares every member in Python


def test_confirming_a_match_sets_the_need_matched_and_dismissing_hides_the_candidate(client, world, market):
    need, orgs = market
    client.force_login(world.users["manager_x"])
    url = reverse("needs:match", args=["netz-x", need.pk])
    response = client.post(url, {"organisation": orgs["Blech & Co KG"].pk, "decision": "dismiss"})
    assert response.status_code == 302
    page = client.get(reverse("needs:detail", args=["netz-x", need.pk])).content.decode()
    assert "Blech &amp; Co KG" not in page.split("Passende Anbieter")[1].split("Vermittlungen")[0]
    assert "Laser Schneidtechnik GmbH" in page.split("Passende Anbieter")[1].split("Vermittlungen")[0]
    assert [c.organisation.name for c in needs.candidates(need, [world.network_x])] == ["Laser Schneidtechnik GmbH"]

    client.post(url, {"organisation": orgs["Laser Schneidtechnik GmbH"].pk, "decision": "confirm"})
    need.refresh_from_db()
    assert need.status == NeedOffer.Status.MATCHED
    match = Match.objects.get(need=need, status=Match.Status.CONFIRMED)
    assert (match.organisation, match.decided_by) == (orgs["Laser Schneidtechnik GmbH"], world.users["manager_x"])
    assert [s for _w, s, _u in needs.status_history(need)] == ["Offen", "Vermittelt"]


def test_a_manager_cannot_match_an_organisation_outside_the_networks_they_run(client, world, market):
    need, _orgs = market
    client.force_login(world.users["manager_x"])
    response = client.post(reverse("needs:match", args=["netz-x", need.pk]), {"organisation": world.org_c.pk, "decision": "confirm"})
    assert response.status_code == 404 and not Match.objects.exists()


# --- round table ---------------------------------------------------------------------------------------------


def test_a_round_table_is_a_meeting_with_both_sides_registered_and_the_provider_sees_it(client, world):
    need_contact = Contact.objects.get(user=world.users["member_a_x"])
    need = entry(world, world.org_a, title="Digitalisierung Lager", contact=need_contact)
    needs.match_decide(need=need, organisation=world.org_b, by=world.users["manager_x"], confirm=True)
    client.force_login(world.users["manager_x"])
    day = timezone.localdate() + timedelta(days=14)
    response = client.post(reverse("needs:round_table", args=["netz-x", need.pk]), {"day": day.isoformat(), "starts": "10:00", "ends": "12:00"})
    assert response.status_code == 302
    need.refresh_from_db()
    meeting = need.round_table
    assert meeting is not None and meeting.kind == Meeting.Kind.ROUND_TABLE and meeting.network == world.network_x
    assert meeting.title == "Runder Tisch: Digitalisierung Lager"
    people = set(Registration.objects.filter(meeting=meeting).values_list("contact__organisation", flat=True))
    assert people == {world.org_a.pk, world.org_b.pk}

    client.force_login(world.users["member_b_x"])
    assert "Runder Tisch: Digitalisierung Lager" in client.get(reverse("portal_events:meeting_list")).content.decode()
    client.force_login(world.users["member_c_y"])
    assert "Runder Tisch: Digitalisierung Lager" not in client.get(reverse("portal_events:meeting_list")).content.decode()

    client.force_login(world.users["manager_x"])  # one round table per need
    response = client.post(reverse("needs:round_table", args=["netz-x", need.pk]), {"day": day.isoformat(), "starts": "10:00", "ends": "12:00"})
    assert response.status_code == 200 and Meeting.objects.count() == 1


def test_a_provider_from_another_network_is_a_guest_of_the_round_table_and_sees_that_meeting_alone(client, world):
    manager = world.users["manager_xy"]  # runs X and Y: may match Gamma AG (Y) with a need of X
    need = entry(world, world.org_a, title="Digitalisierung Lager")
    needs.match_decide(need=need, organisation=world.org_c, by=manager, confirm=True)
    day = timezone.localdate() + timedelta(days=14)
    meeting = needs.round_table_create(need=need, by=manager, day=day, starts=time(10, 0), ends=time(12, 0))
    provider = Contact.objects.get(user=world.users["member_c_y"])
    assert set(Registration.objects.filter(meeting=meeting).values_list("contact", flat=True)) == {
        Contact.objects.get(user=world.users["member_a_x"]).pk,
        provider.pk,
    }
    other = event_services.meeting_create(
        network=world.network_x,
        by=manager,
        data={"title": "Koordinierung intern", "kind": "coordination", "starts_at": meeting.starts_at, "ends_at": meeting.ends_at},
    )

    def extras(sender, *, network, **kwargs):
        return [CalendarExtra(uid=f"x-{network.pk}", title=f"Termin von {network.name}", starts=day)]

    calendar_extras.connect(extras, weak=False, dispatch_uid="test-round-table-extras")
    try:
        client.force_login(world.users["member_c_y"])
        portal = client.get(reverse("portal_events:meeting_list")).content.decode()
    finally:
        calendar_extras.disconnect(dispatch_uid="test-round-table-extras")
    assert "Runder Tisch: Digitalisierung Lager" in portal
    assert "Koordinierung intern" not in portal and "Termin von Netzwerk X" not in portal and "Termin von Netzwerk Y" in portal
    page = client.get(reverse("portal_events:meeting", args=[meeting.pk]))
    assert page.status_code == 200 and "Runder Tisch: Digitalisierung Lager" in page.content.decode()
    assert "als Gast eingeladen" in page.content.decode()  # no form offering colleagues the guard would refuse
    assert reverse("portal_events:register", args=[meeting.pk]) not in page.content.decode()
    assert client.get(reverse("portal_events:meeting", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal_events:meeting_ics", args=[other.pk])).status_code == 404

    registration = Registration.objects.get(meeting=meeting, contact=provider)  # withdrawn: the invitation is gone
    event_services.registration_cancel(registration=registration, by=manager)
    assert client.get(reverse("portal_events:meeting", args=[meeting.pk])).status_code == 404


def test_a_guest_of_the_round_table_is_nobody_its_own_network_ended_the_relation_to(world):
    manager = world.users["manager_xy"]
    provider = Contact.objects.get(user=world.users["member_c_y"])
    colleague = Contact.objects.create(organisation=world.org_c, first_name="Carla", last_name="Zweig", email="carla@example.org")
    ContactExit.objects.create(contact=provider, network=world.network_y, ended_by=manager)  # Y ended its relation to her
    need = entry(world, world.org_a, title="Digitalisierung Lager")
    needs.match_decide(need=need, organisation=world.org_c, by=manager, confirm=True)
    meeting = needs.round_table_create(need=need, by=manager, day=timezone.localdate() + timedelta(days=14), starts=time(10, 0), ends=time(12, 0))
    guests = set(Registration.objects.filter(meeting=meeting, contact__organisation=world.org_c).values_list("contact", flat=True))
    assert guests == {colleague.pk}


def test_the_contact_person_is_the_entrys_person_when_they_qualify_else_the_primary_one(world):
    first = Contact.objects.get(user=world.users["member_a_x"])  # primary, with an address
    second = Contact.objects.create(organisation=world.org_a, last_name="Zweite", email="")
    archived = Contact.objects.create(organisation=world.org_a, last_name="Alt", email="alt@example.org", archived_at=timezone.now())
    stranger = Contact.objects.get(user=world.users["member_b_x"])
    assert needs.contact_person(world.org_a, second) == second
    assert needs.contact_person(world.org_a, second, with_email=True) == first  # the mail needs an address
    assert needs.contact_person(world.org_a, archived) == first
    assert needs.contact_person(world.org_a, stranger) == first  # another organisation's person never speaks for it
    assert needs.contact_person(world.org_a, second, network=world.network_x) == second
    assert needs.contact_person(world.org_a, second, network=world.network_y) is None  # Alpha is no member of Y
    assert needs.contact_person(world.org_c, None) == Contact.objects.get(user=world.users["member_c_y"])


def test_a_round_tables_meeting_page_links_back_to_its_need_in_one_more_query(client, world, market):
    need, orgs = market
    manager = world.users["manager_x"]
    needs.match_decide(need=need, organisation=orgs["Laser Schneidtechnik GmbH"], by=manager, confirm=True)
    needs.match_decide(need=need, organisation=orgs["Bäckerei Korn"], by=manager, confirm=False)
    day = timezone.localdate() + timedelta(days=14)
    meeting = needs.round_table_create(need=need, by=manager, day=day, starts=time(10, 0), ends=time(12, 0))
    other = event_services.meeting_create(
        network=world.network_x,
        by=manager,
        data={"title": "Koordinierung intern", "kind": "coordination", "starts_at": meeting.starts_at, "ends_at": meeting.ends_at},
    )
    client.force_login(manager)

    def overview(of: Meeting, *, panels: bool = True) -> tuple[str, int]:
        if not panels:
            meeting_panels.disconnect(sender=Meeting, dispatch_uid="cooperation-needs-meeting-panel")
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("events:meeting", args=["netz-x", of.pk]))
        finally:
            meeting_panels.connect(need_panel, sender=Meeting, dispatch_uid="cooperation-needs-meeting-panel")
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    page, with_panel = overview(meeting)
    link = f'href="{reverse("needs:detail", args=["netz-x", need.pk])}"'
    assert "Aus dem Bedarf" in page and link in page and need.title in page
    assert "Laser Schneidtechnik GmbH" in page and "Bäckerei Korn" not in page  # the confirmed providers only
    _page, without_panel = overview(meeting, panels=False)
    assert with_panel <= without_panel + 1
    page, other_with = overview(other)
    assert "Aus dem Bedarf" not in page and link not in page
    assert other_with == overview(other, panels=False)[1]  # other meetings: not one query more
    for name in ("Blech & Co KG", "Steuerbüro Zahl"):  # more providers: still one query
        needs.match_decide(need=need, organisation=orgs[name], by=manager, confirm=True)
    page, more = overview(meeting)
    assert more == with_panel and "Blech &amp; Co KG" in page


def test_a_round_table_refuses_an_end_before_its_start(client, world):
    need = entry(world, world.org_a)
    client.force_login(world.users["manager_x"])
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(reverse("needs:round_table", args=["netz-x", need.pk]), {"day": day.isoformat(), "starts": "12:00", "ends": "10:00"})
    assert response.status_code == 200 and not Meeting.objects.exists()


# --- figures for the health view -----------------------------------------------------------------------------


def test_indicators_count_needs_raised_matched_solved_and_round_tables_in_the_period(world):
    manager = world.users["manager_x"]
    today = timezone.localdate()
    first = entry(world, world.org_a, title="Eins")
    second = entry(world, world.org_a, title="Zwei")
    entry(world, world.org_b, title="Angebot", kind=NeedOffer.Kind.OFFER)
    entry(world, world.org_c, title="Anderes Netz")
    needs.match_decide(need=first, organisation=world.org_b, by=manager, confirm=True)
    needs.entry_status_set(entry=first, by=manager, status=NeedOffer.Status.SOLVED)
    needs.round_table_create(need=second, by=manager, day=today, starts=time(0, 0), ends=time(23, 59))
    figures = needs.indicators(world.network_x, today - timedelta(days=1), today)
    assert figures == {"needs_raised": 2, "needs_matched": 1, "needs_solved": 1, "round_tables_held": 1}
    assert needs.indicators(world.network_x, today - timedelta(days=40), today - timedelta(days=10)) == dict.fromkeys(figures, 0)
    assert needs.indicators(world.network_y, today, today)["needs_raised"] == 1


# --- DSGVO ---------------------------------------------------------------------------------------------------


def test_the_export_shows_the_entries_and_erasure_unlinks_the_contact_person(world):
    contact = Contact.objects.get(user=world.users["member_a_x"])
    need = entry(world, world.org_a, title="Exportiert", contact=contact, description=f"Fragen an {contact.full_name}, {contact.email}")
    exported = organisation_data_export(organisation=world.org_a)
    rows = exported["needs_and_offers"]
    assert rows and rows[0]["title"] == "Exportiert" and rows[0]["contact_person"] == contact.full_name
    person_erase(contact=contact, by=world.users["manager_x"])
    need.refresh_from_db()
    assert need.contact is None
    assert not NeedOffer.history.filter(contact_id=contact.pk).exists()
    assert need.description == f"Fragen an {ERASED_NAME}, {ERASED_NAME}"
    assert not NeedOffer.history.filter(description__icontains="example.org").exists()


@pytest.mark.parametrize("visibility", [NeedOffer.Visibility.NETWORK, NeedOffer.Visibility.MANAGERS])
def test_confirming_introduces_both_sides_by_mail_with_what_they_share(client, world, market, mailoutbox_files, django_capture_on_commit_callbacks, visibility):
    """Both sides get a mail naming the other side's person; the need's description travels only when its author
    shared it with the network. Dismissing a candidate sends nothing."""
    need, orgs = market
    need.visibility = visibility
    need.save()
    world.org_a.contacts.update(email="anna@alpha.example")
    client.force_login(world.users["manager_x"])
    url = reverse("needs:match", args=["netz-x", need.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"organisation": orgs["Blech & Co KG"].pk, "decision": "dismiss"})
    assert mailoutbox_files() == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"organisation": orgs["Laser Schneidtechnik GmbH"].pk, "decision": "confirm", "reason": "Passt genau."})
    mails = mailoutbox_files()
    assert len(mails) == 2
    to_provider = next(m for m in mails if "To: 0@example.org" in m)
    to_asker = next(m for m in mails if "To: anna@alpha.example" in m)
    assert "anna@alpha.example" in to_provider and "Wir suchen Laserschneiden f" in to_provider
    assert "0@example.org" in to_asker and "Laser Schneidtechnik GmbH" in to_asker
    assert ("Kleinserie, Edelstahl" in to_provider) is (visibility == NeedOffer.Visibility.NETWORK)
    assert "Passt genau." in to_provider and "Passt genau." in to_asker
