"""Organisation detail, editing, memberships, contacts and the trash, as a network manager uses them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Contact, Membership, MembershipStatusChange, Organisation
from members.services import contact_create, organisation_update, trash_purge
from verbund.models import ManagerRole


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


def test_detail_shows_profile_contacts_and_only_my_networks_memberships(client, world, manager):
    Membership.objects.create(organisation=world.org_a, network=world.network_y, annual_fee=999)
    response = client.get(u("directory:organisation", world.org_a.pk))
    assert response.status_code == 200
    assert "Alpha GmbH" in response.text
    assert "member_a_x" in response.text  # the contact
    assert [m.network.slug for m in response.context["memberships"]] == ["netz-x"]
    assert "999" not in response.text
    client.force_login(world.users["manager_xy"])
    response = client.get(u("directory:organisation", world.org_a.pk))
    assert sorted(m.network.slug for m in response.context["memberships"]) == ["netz-x", "netz-y"]


def test_detail_runs_a_constant_number_of_queries(client, world, manager):
    client.post(u("directory:membership_edit", world.org_a.pk), {"change_status": "1", "status": "paused"})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(u("directory:organisation", world.org_a.pk)).status_code == 200
        return len(ctx)

    few = count()
    for i in range(15):
        contact_create(organisation=world.org_a, by=manager, data={"last_name": f"Person {i}", "email": f"p{i}@example.org"})
    for status in ["paused", "active", "paused", "active"]:
        client.post(u("directory:membership_edit", world.org_a.pk), {"change_status": "1", "status": status})
    assert count() == few


def test_history_tab_says_who_changed_what(client, world, manager):
    response = client.post(
        u("directory:organisation_edit", world.org_a.pk),
        {
            "name": "Alpha GmbH & Co. KG",
            "kind": "company",
            "postcode": "48431",
            "municipality": "Rheine",
            "activity_version": "2008",
            "share_in_directory": "on",
        },
    )
    assert response.status_code == 302
    history = client.get(u("directory:organisation", world.org_a.pk), {"tab": "history"})
    entry = history.context["history"][0]
    assert entry.who == str(manager)
    assert ("Name", "Alpha GmbH", "Alpha GmbH & Co. KG") in entry.changes
    partial = client.get(u("directory:organisation", world.org_a.pk), {"tab": "history"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel")
    assert partial.text.lstrip().startswith('<div id="tab-panel">')
    assert "Alpha GmbH &amp; Co. KG" in partial.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "4843", "fünfstellige Postleitzahl"),
        ("website", "javascript:alert(1)", "gültige Adresse"),
        ("employees", "-5", "größer oder gleich 0"),
        ("activity_code", "99.99", "WZ-Schlüssel gibt es"),
        ("figures_year", "1800", "größer oder gleich 1900"),
    ],
)
def test_bad_profile_input_gets_a_clear_message_and_changes_nothing(client, world, manager, field, value, message):
    data = {"name": "Neu", "kind": "company", "postcode": "48431", "activity_version": "2008", field: value}
    response = client.post(u("directory:organisation_edit", world.org_a.pk), data)
    assert response.status_code == 200
    assert message in response.text
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Alpha GmbH"


def test_nul_bytes_and_huge_text_do_not_crash(client, world, manager):
    data = {"name": "A\x00lpha", "kind": "company", "activity_version": "2008", "profile": "x" * 100_000}
    response = client.post(u("directory:organisation_edit", world.org_a.pk), data)
    assert response.status_code == 200
    assert "höchstens 5000 Zeichen" in response.text


def test_create_organisation_with_membership_and_first_status_step(client, world, manager):
    response = client.post(
        u("directory:organisation_create"),
        {
            "name": "Neue Windtechnik GmbH",
            "kind": "company",
            "postcode": "48282",
            "municipality": "Emsdetten",
            "activity_code": "28.15",
            "activity_version": "2008",
            "role": "manufacturer",
            "status": "prospect",
            "competency_tags_text": "Getriebe, getriebe , Lager",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Neue Windtechnik GmbH")
    membership = org.memberships.get()
    assert (membership.network, membership.role, membership.status) == (world.network_x, "manufacturer", "prospect")
    assert membership.status_changes.get().to_status == "prospect"
    assert sorted(t.name for t in org.competency_tags.all()) == ["Getriebe", "Lager"]
    assert org.activity.code == "28.15"


def test_status_change_is_recorded_and_leaving_sets_the_date(client, world, manager):
    membership = Membership.objects.get(organisation=world.org_a)
    membership.joined_on = date(2020, 1, 1)
    membership.save()
    client.post(
        u("directory:membership_edit", world.org_a.pk), {"change_status": "1", "status": "left", "effective_on": "2026-06-30", "note": "Betriebsaufgabe"}
    )
    membership.refresh_from_db()
    assert membership.status == "left" and membership.left_on == date(2026, 6, 30)
    change = MembershipStatusChange.objects.get(membership=membership)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == ("active", "left", manager, "Betriebsaufgabe")


def test_leaving_before_joining_is_refused(client, world, manager):
    membership = Membership.objects.get(organisation=world.org_a)
    membership.joined_on = date(2020, 1, 1)
    membership.save()
    response = client.post(u("directory:membership_edit", world.org_a.pk), {"change_status": "1", "status": "left", "effective_on": "2019-01-01"})
    assert response.status_code == 200
    assert "Austritt kann nicht vor dem Eintritt" in response.text
    membership.refresh_from_db()
    assert membership.status == "active"


def test_negative_fee_is_refused(client, world, manager):
    response = client.post(u("directory:membership_edit", world.org_a.pk), {"save_membership": "1", "role": "user", "annual_fee": "-10"})
    assert response.status_code == 200
    assert Membership.objects.get(organisation=world.org_a).annual_fee is None


def test_contact_phone_is_normalised_and_invalid_phone_explained(client, world, manager):
    response = client.post(u("directory:contact_create", world.org_a.pk), {"last_name": "Meyer", "phone": "05971 / 990 195", "email": "Meyer@Example.org"})
    assert response.status_code == 302
    contact = Contact.objects.get(last_name="Meyer")
    assert contact.phone == "+49 5971 990195"
    assert contact.email == "meyer@example.org"
    response = client.post(u("directory:contact_create", world.org_a.pk), {"last_name": "Kaputt", "phone": "12"})
    assert response.status_code == 200
    assert "gültige Telefonnummer" in response.text
    assert not Contact.objects.filter(last_name="Kaputt").exists()


def test_only_one_primary_contact(client, world, manager):
    client.post(u("directory:contact_create", world.org_a.pk), {"last_name": "Neu", "is_primary": "on"})
    assert list(world.org_a.contacts.filter(is_primary=True).values_list("last_name", flat=True)) == ["Neu"]


def test_trash_undo_and_restore(client, world, manager):
    response = client.post(u("directory:organisation_trash", world.org_b.pk), follow=True)
    assert "Beta KG“ liegt im Papierkorb" in response.text
    assert "Rückgängig" in response.text  # the undo toast
    assert [m.organisation.name for m in response.context["page"]] == ["Alpha GmbH"]
    assert client.get(u("directory:organisation", world.org_b.pk)).status_code == 404
    assert "Rückgängig" not in client.get(u("directory:trash")).text  # the toast is shown once
    assert "Beta KG" in client.get(u("directory:trash")).text
    client.post(u("directory:organisation_restore", world.org_b.pk))
    assert client.get(u("directory:organisation", world.org_b.pk)).status_code == 200


def test_trashing_in_one_network_leaves_the_other_alone(client, world, manager):
    Membership.objects.create(organisation=world.org_b, network=world.network_y)
    client.post(u("directory:organisation_trash", world.org_b.pk))
    assert Membership.objects.for_network(world.network_y).filter(organisation=world.org_b).exists()


def test_trash_is_purged_after_thirty_days(world, manager_x):
    membership = Membership.objects.get(organisation=world.org_b)
    membership.archived_at = timezone.now() - timedelta(days=31)
    membership.save()
    assert trash_purge() == 1
    assert not Organisation.objects.filter(pk=world.org_b.pk).exists()
    assert Organisation.objects.filter(pk=world.org_a.pk).exists()


def test_contact_trash_and_restore(client, world, manager):
    contact = world.org_a.contacts.get()
    client.post(u("directory:contact_trash", contact.pk))
    contact.refresh_from_db()
    assert contact.archived_at is not None and not contact.is_primary
    client.post(u("directory:contact_restore", contact.pk))
    contact.refresh_from_db()
    assert contact.archived_at is None


def test_observer_may_read_but_not_change(client, world):
    observer = world.users["manager_x"]
    ManagerRole.objects.filter(user=observer).update(role=ManagerRole.Role.OBSERVER)
    client.force_login(observer)
    assert client.get(u("directory:organisation", world.org_a.pk)).status_code == 200
    assert client.get(u("directory:organisation_edit", world.org_a.pk)).status_code == 403
    assert client.post(u("directory:organisation_trash", world.org_a.pk)).status_code == 403


def test_services_record_the_acting_user(world, manager_x):
    organisation_update(organisation=world.org_a, by=manager_x, data={"municipality": "Hörstel"})
    assert world.org_a.history.first().history_user == manager_x
