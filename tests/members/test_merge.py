"""Merging two organisations or two people: the preview, what moves, what clashes, the audit record, the shared-company rule."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from events import services as event_services
from events.models import Registration
from members import merging
from members.models import Consent, Contact, GovernancePosition, Membership, MembershipStatusChange, MergeRecord, Organisation, Tag
from members.services import organisation_refresh_search
from qualification.models import Course, Enrolment, Need, Topic
from tests.conftest import make_user
from verbund.models import BackgroundJob, ManagerRole


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


@pytest.fixture
def twins(world):
    """Müller GmbH (older, a member since 2019, left) and Mueller GmbH & Co. KG (newer, active, with more data)."""
    old = Organisation.objects.create(name="Müller GmbH", street="Hauptstr. 5", postcode="48431", municipality="Rheine")
    new = Organisation.objects.create(
        name="Mueller GmbH & Co. KG", street="Hauptstraße 5", postcode="48431", municipality="", website="https://mueller.example"
    )
    for organisation in (old, new):
        organisation_refresh_search(organisation)
    Membership.objects.create(
        organisation=old, network=world.network_x, status="left", joined_on=date(2019, 3, 1), left_on=date(2024, 12, 31), notes="Altmitglied"
    )
    Membership.objects.create(organisation=new, network=world.network_x, status="active", joined_on=date(2025, 6, 1), annual_fee=300)
    Contact.objects.create(organisation=old, first_name="Käthe", last_name="Müller", email="k.mueller@mueller.example", is_primary=True)
    Contact.objects.create(organisation=new, first_name="Jan", last_name="Berg", email="j.berg@mueller.example", is_primary=True)
    new.competency_tags.add(Tag.objects.create(name="Blech"))
    return old, new


def merge_url(kept: Organisation, merged: Organisation) -> str:
    return u("duplicates:organisation_merge", kept.pk, merged.pk)


def test_the_preview_says_what_stays_what_wins_and_what_moves_and_changes_nothing(client, world, manager, twins):
    old, new = twins
    response = client.get(merge_url(old, new))
    assert response.status_code == 200
    text = response.text
    assert "Müller GmbH" in text and "Mueller GmbH &amp; Co. KG" in text
    plan = response.context["plan"]
    assert (plan.kept, plan.merged) == (old, new)
    assert {c.name for c in plan.choosable} >= {"name", "street"}  # both filled, differently: the manager chooses
    assert "website" in plan.default_take_merged  # only the merged record has one: it is taken
    assert "municipality" not in plan.default_take_merged  # the kept record's value stays
    moves = {move.label: move for move in plan.moves}
    assert moves["Kontakte"].count == 1
    assert "Hauptansprechperson" in " ".join(moves["Kontakte"].notes)
    assert "sie werden zu einer" in " ".join(moves["Mitgliedschaften"].notes)
    assert Organisation.objects.filter(pk=new.pk).exists()
    swapped = client.get(merge_url(old, new), {"keep": new.pk})
    assert swapped.context["plan"].kept == new


def test_merging_moves_contacts_and_combines_the_memberships(client, world, manager, twins):
    old, new = twins
    response = client.post(merge_url(old, new), {"keep": old.pk, "field_name": "kept", "field_street": "merged"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=new.pk).exists()
    old.refresh_from_db()
    assert (old.name, old.street, old.website) == ("Müller GmbH", "Hauptstraße 5", "https://mueller.example")
    assert sorted(c.last_name for c in old.contacts.all()) == ["Berg", "Müller"]
    assert old.contacts.filter(is_primary=True).get().last_name == "Müller"  # one main contact: the kept one's
    membership = Membership.objects.get(organisation=old, network=world.network_x)
    # The more current status, the earlier join, no leaving date, the fee and the notes of both.
    assert (membership.status, membership.joined_on, membership.left_on, membership.annual_fee) == ("active", date(2019, 3, 1), None, 300)
    assert membership.notes == "Altmitglied"
    assert MembershipStatusChange.objects.filter(membership=membership, from_status="left", to_status="active").exists()
    assert [t.name for t in old.competency_tags.all()] == ["Blech"]
    assert "mueller" in old.search_name


def test_a_merge_leaves_an_audit_record_and_the_merged_history_stays_reachable(client, world, manager, twins):
    old, new = twins
    merged_pk = new.pk
    client.post(merge_url(old, new), {"keep": old.pk, "field_name": "kept", "field_street": "kept"})
    record = MergeRecord.objects.get()
    assert (record.kind, record.network, record.kept_id, record.merged_id, record.merged_by) == ("organisation", world.network_x, old.pk, merged_pk, manager)
    assert record.merged_label == "Mueller GmbH & Co. KG"
    assert record.snapshot["name"] == "Mueller GmbH & Co. KG" and record.snapshot["competency_tags"] == ["Blech"]
    assert record.snapshot["contacts"][0]["name"] == "Jan Berg"
    assert record.moved["moved"]["members.Contact.organisation"] == 1
    assert record.moved["folded"]["members.Membership.organisation"] == 1
    page = client.get(u("duplicates:merge_record", record.pk))
    assert page.status_code == 200
    assert ("Kontakte", 1, 0) in page.context["moved"] and ("Schlagwörter Kompetenzen", 1, 0) in page.context["moved"]
    assert "Mueller GmbH &amp; Co. KG" in page.text
    assert any(entry.action == "deleted" for entry in page.context["history"])  # the merged record's own history
    assert any("Jan Berg" in entry.what for entry in page.context["history"])  # and of its people before they moved
    assert Organisation.history.filter(id=merged_pk).count() >= 2
    index = client.get(u("duplicates:index"))
    assert reverse("duplicates:merge_record", args=["netz-x", record.pk]) in index.text


def test_needs_enrolments_registrations_and_consents_move_and_clashes_are_folded(world, manager, twins):
    old, new = twins
    topic = Topic.objects.create(network=world.network_x, title="Führung")
    other_topic = Topic.objects.create(network=world.network_x, title="Gesundheit")
    Need.objects.create(network=world.network_x, organisation=old, topic=topic, priority=1)
    Need.objects.create(network=world.network_x, organisation=new, topic=topic, priority=3)  # the same cell: the kept one stays
    Need.objects.create(network=world.network_x, organisation=new, topic=other_topic, priority=2)
    course = Course.objects.create(network=world.network_x, title="Führen", year=2026, seats=10)
    jan = new.contacts.get()
    Enrolment.objects.create(course=course, organisation=new, contact=jan, head_count=1)
    plan = merging.organisation_merge_plan(kept=old, merged=new, network=world.network_x, user=manager)
    needs = next(move for move in plan.moves if move.relation.model is Need)
    assert needs.count == 2 and len(needs.notes) == 1
    merging.organisation_merge(kept=old, merged=new, network=world.network_x, by=manager)
    assert sorted(Need.objects.filter(organisation=old).values_list("topic__title", "priority")) == [("Führung", 1), ("Gesundheit", 2)]
    assert Enrolment.objects.get().organisation == old


def test_merging_two_people_moves_registrations_consents_and_the_login(world, manager):
    org = world.org_b
    member = world.users["member_b_x"]
    first = Contact.objects.create(organisation=org, first_name="Käthe", last_name="Müller", email="kaethe@beta.example")
    second = org.contacts.get(user=member)
    meeting = event_services.meeting_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Stammtisch",
            "kind": "workshop",
            "starts_at": event_services.meeting_at(date(2030, 1, 10), 18, 0),
            "ends_at": event_services.meeting_at(date(2030, 1, 10), 20, 0),
        },
    )
    other = event_services.meeting_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Werkstatt",
            "kind": "workshop",
            "starts_at": event_services.meeting_at(date(2030, 2, 10), 18, 0),
            "ends_at": event_services.meeting_at(date(2030, 2, 10), 20, 0),
        },
    )
    Registration.objects.create(meeting=meeting, contact=first)
    Registration.objects.create(meeting=meeting, contact=second)  # both registered: one registration stays
    Registration.objects.create(meeting=other, contact=second)
    Consent.objects.create(contact=second, network=world.network_x, purpose="newsletter", granted_at=meeting.starts_at, source="portal", text_version="1")
    GovernancePosition.objects.create(network=world.network_x, contact=first, function="board")
    GovernancePosition.objects.create(network=world.network_x, contact=second, function="board")
    merging.contact_merge(kept=first, merged=second, network=world.network_x, by=manager)
    first.refresh_from_db()
    assert first.user == member  # the login goes over to the kept person
    assert first.is_primary  # she was the main contact of the same organisation
    assert sorted(Registration.objects.filter(contact=first).values_list("meeting__title", flat=True)) == ["Stammtisch", "Werkstatt"]
    assert Registration.objects.count() == 2
    assert Consent.objects.get().contact == first
    assert GovernancePosition.objects.get().contact == first
    record = MergeRecord.objects.get()
    assert record.kind == "contact" and record.snapshot["email"] == "member_b_x@example.org"


def test_two_people_with_a_login_each_are_not_merged(client, world, manager):
    other_login = make_user("zweiter@example.org")
    second = Contact.objects.create(organisation=world.org_a, first_name="Mia", last_name="member_a_x", user=other_login)
    first = world.org_a.contacts.exclude(pk=second.pk).get()
    response = client.post(u("duplicates:contact_merge", first.pk, second.pk), {"keep": first.pk})
    assert response.status_code == 200
    assert "Beide Kontakte haben einen eigenen Zugang" in response.text
    assert Contact.objects.filter(pk=second.pk).exists()


def test_a_company_shared_with_a_network_i_do_not_run_is_not_merged(client, world, manager, twins):
    old, new = twins
    Membership.objects.create(organisation=new, network=world.network_y)  # Y is run by someone else
    response = client.get(merge_url(old, new))
    assert response.status_code == 200
    assert "auch Mitglied in einem Verbund, den Sie nicht betreuen" in response.text
    assert "Jetzt zusammenführen" not in response.text
    response = client.post(merge_url(old, new), {"keep": old.pk})
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=new.pk).exists() and not MergeRecord.objects.exists()
    # A manager of both networks may merge it; the memberships of both networks move.
    client.force_login(world.users["manager_xy"])
    assert client.post(merge_url(old, new), {"keep": old.pk, "field_name": "kept", "field_street": "kept"}).status_code == 302
    assert sorted(old.memberships.values_list("network__slug", flat=True)) == ["netz-x", "netz-y"]


def test_an_organisation_of_another_network_cannot_be_reached_for_a_merge(client, world, manager):
    assert client.get(merge_url(world.org_a, world.org_c)).status_code == 404
    assert client.post(merge_url(world.org_a, world.org_c), {"keep": world.org_a.pk}).status_code == 404
    assert Organisation.objects.filter(pk=world.org_c.pk).exists()


def test_an_observer_sees_the_pairs_but_gets_403_on_the_merge(client, world, twins):
    old, new = twins
    observer = make_user("observer@example.org")
    ManagerRole.objects.create(user=observer, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    client.force_login(observer)
    index = client.get(u("duplicates:index"))
    assert index.status_code == 200 and "Müller GmbH" in index.text
    assert merge_url(old, new) not in index.text
    assert client.get(merge_url(old, new)).status_code == 403
    assert client.post(merge_url(old, new), {"keep": old.pk}).status_code == 403
    assert Organisation.objects.filter(pk=new.pk).exists()


def test_a_merge_that_fails_half_way_changes_nothing(world, manager, twins, monkeypatch):
    old, new = twins

    def broken(organisation):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merging, "organisation_refresh_search", broken)
    with pytest.raises(RuntimeError):
        merging.organisation_merge(kept=old, merged=new, network=world.network_x, by=manager, take_from_merged={"street"})
    assert Organisation.objects.filter(pk=new.pk).exists()
    assert new.contacts.count() == 1 and Membership.objects.filter(organisation=new).count() == 1
    old.refresh_from_db()
    assert old.street == "Hauptstr. 5" and not MergeRecord.objects.exists()


def test_a_changed_choice_of_the_kept_record_is_not_merged_blindly(client, world, manager, twins):
    old, new = twins
    response = client.post(merge_url(old, new), {"keep": new.pk + 1000})
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=new.pk).exists()


def test_the_people_merge_preview_lists_what_moves_and_the_history_stays_on_the_organisation(client, world, manager):
    org = world.org_b
    first = Contact.objects.create(organisation=org, first_name="Käthe", last_name="Müller", email="kaethe@beta.example", phone="+49 5971 12345")
    second = Contact.objects.create(organisation=org, first_name="Kaethe", last_name="Mueller", function="Einkauf")
    Consent.objects.create(contact=second, network=world.network_x, purpose="photos", granted_at=first.created_at, source="paper", text_version="1")
    index = client.get(u("duplicates:index"))
    assert [(p.first, p.second) for p in index.context["contact_pairs"]] == [(first, second)]
    preview = client.get(u("duplicates:contact_merge", first.pk, second.pk))
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert "function" in plan.default_take_merged and {"first_name", "last_name"} <= {c.name for c in plan.choosable}
    assert [(m.label, m.count) for m in plan.moves] == [("Einwilligungen", 1)]
    response = client.post(u("duplicates:contact_merge", first.pk, second.pk), {"keep": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.first_name, first.function, first.phone) == ("Käthe", "Einkauf", "+49 5971 12345")
    record = MergeRecord.objects.get(kind="contact")
    assert client.get(u("duplicates:merge_record", record.pk)).status_code == 200
    history = client.get(u("directory:organisation", org.pk), {"tab": "history"}).context["history"]
    assert any(entry.action == "deleted" and "Kaethe Mueller" in entry.what for entry in history)


def test_an_older_membership_does_not_join_the_merged_ones_import_batch(client, world, manager, twins):
    """Folding an imported duplicate into a long-standing member must not make that member part of the import (undo)."""
    old, new = twins
    job = BackgroundJob.objects.create(user=manager, network=world.network_x, kind=BackgroundJob.Kind.IMPORT, title="Import", status="done")
    Membership.objects.filter(organisation=new).update(import_job=job)
    client.post(merge_url(old, new), {"keep": old.pk, "field_name": "kept", "field_street": "kept"})
    assert Membership.objects.get(organisation=old, network=world.network_x).import_job is None
