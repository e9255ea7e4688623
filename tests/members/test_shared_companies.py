"""Shared companies (docs/SHARED-COMPANIES.md): Alpha GmbH is a member of network X (manager_x) and of network Y (manager_y).

(a) a network ends its own relation to a person (ContactExit) or a company (membership_trash) without touching the other;
(b) master-data edits stay allowed and show in the other network's history, with a note on the edit form;
(c) deleting a shared person needs the company itself, staff, or a manager of every network that holds her.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import invitations as event_invitations
from events.forms.meetings import network_contacts
from events.models import Meeting, MeetingInvitation
from members import lifecycle, tasks
from members.models import Consent, Contact, ContactExit, GovernancePosition, Membership
from members.privacy import ERASED_NAME, is_erased
from members.services import TRASH_DAYS, consent_grant, contact_create
from newsletters.services import audience
from tests.newsletters.factories import infobrief
from verbund.models import ManagerRole, Network

EMAIL = "petra.shared@alpha.example"


def x(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


def y(name: str, *args) -> str:
    return reverse(name, args=["netz-y", *args])


@pytest.fixture
def shared(world):
    """Alpha GmbH in X and Y; Petra Teilt, a person of Alpha, with newsletter and directory consents in both networks."""
    Membership.objects.create(organisation=world.org_a, network=world.network_y)
    petra = contact_create(organisation=world.org_a, by=world.users["manager_x"], data={"first_name": "Petra", "last_name": "Teilt", "email": EMAIL})
    for network in (world.network_x, world.network_y):
        for purpose in (Consent.Purpose.NEWSLETTER, Consent.Purpose.DIRECTORY):
            consent_grant(contact=petra, network=network, purpose=purpose, source=Consent.Source.PAPER, by=None)
    return petra


def audience_addresses(network) -> set[str]:
    return {recipient.email for recipient in audience(infobrief(network)).recipients}


def invitation_addresses(network) -> set[str]:
    starts = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(network=network, title="Treffen", starts_at=starts, ends_at=starts + timedelta(hours=2))
    return {c.email for c in event_invitations.audience_contacts(meeting=meeting, audience=MeetingInvitation.Audience.ALL)}


def in_every_audience(petra, network) -> dict[str, bool]:
    return {
        "Infobrief": EMAIL in audience_addresses(network),
        "Einladungen": EMAIL in invitation_addresses(network),
        "Teilnehmende": network_contacts(network).filter(pk=petra.pk).exists(),
        "current_in": Contact.objects.current_in(network).filter(pk=petra.pk).exists(),
    }


ALL_IN = {"Infobrief": True, "Einladungen": True, "Teilnehmende": True, "current_in": True}
ALL_OUT = dict.fromkeys(ALL_IN, False)


# --- the bug -------------------------------------------------------------------------------------------------------------


def test_a_manager_of_one_network_can_no_longer_take_a_shared_person_from_the_other(client, world, shared):
    """Before: manager_x's "Entfernen" put Petra in the trash, and she vanished from Y as well."""
    client.force_login(world.users["manager_x"])
    response = client.post(x("directory:contact_trash", shared.pk), follow=True)
    assert "Beziehung für diesen Verbund beenden" in response.text
    shared.refresh_from_db()
    assert shared.archived_at is None
    assert in_every_audience(shared, world.network_y) == ALL_IN
    assert in_every_audience(shared, world.network_x) == ALL_IN


def test_the_organisation_page_offers_ending_the_relation_instead_of_removing(client, world, shared):
    client.force_login(world.users["manager_x"])
    page = client.get(x("directory:organisation", world.org_a.pk)).text
    assert x("lifecycle:contact_exit", shared.pk) in page
    assert x("directory:contact_trash", shared.pk) not in page
    assert x("lifecycle:contact_erase", shared.pk) not in page
    assert "Auch Mitglied in 1 weiteren Verbund" in page


# --- (a) a network ends its own relation ----------------------------------------------------------------------------------


def test_ending_the_relation_takes_her_out_of_this_networks_audiences_only(client, world, shared):
    client.force_login(world.users["manager_x"])
    assert client.post(x("lifecycle:contact_exit", shared.pk)).status_code == 302
    assert ContactExit.objects.filter(contact=shared, network=world.network_x, ended_by=world.users["manager_x"]).exists()
    assert in_every_audience(shared, world.network_x) == ALL_OUT
    assert in_every_audience(shared, world.network_y) == ALL_IN
    shared.refresh_from_db()
    assert shared.archived_at is None and shared.email == EMAIL  # the company and Y keep her as she was

    page = client.get(x("directory:organisation", world.org_a.pk))
    assert shared not in page.context["contacts"]
    assert list(page.context["exited_contacts"]) == [shared]
    assert x("lifecycle:contact_exit_undo", shared.pk) in page.text
    client.force_login(world.users["manager_y"])
    assert shared in client.get(y("directory:organisation", world.org_a.pk)).context["contacts"]


def test_the_member_directory_of_the_network_no_longer_lists_her(client, world, shared):
    client.force_login(world.users["member_a_x"])
    assert "Teilt" in client.get(reverse("members:portal_member_directory", args=["netz-x"])).text
    lifecycle.contact_exit(contact=shared, network=world.network_x, by=world.users["manager_x"])
    assert "Teilt" not in client.get(reverse("members:portal_member_directory", args=["netz-x"])).text
    assert "Teilt" in client.get(reverse("members:portal_member_directory", args=["netz-y"])).text


def test_taking_her_back_restores_the_audiences(client, world, shared):
    lifecycle.contact_exit(contact=shared, network=world.network_x, by=world.users["manager_x"])
    client.force_login(world.users["manager_x"])
    assert client.post(x("lifecycle:contact_exit_undo", shared.pk)).status_code == 302
    assert in_every_audience(shared, world.network_x) == ALL_IN


def test_a_network_cannot_end_a_relation_to_a_person_it_does_not_hold(world, shared):
    with pytest.raises(Exception, match="keiner Mitgliedsorganisation"):
        lifecycle.contact_exit(contact=Contact.objects.get(organisation=world.org_c), network=world.network_x, by=world.users["manager_x"])


def test_ending_a_relation_to_a_shared_company_leaves_it_to_the_other_network(client, world, shared, monkeypatch):
    client.force_login(world.users["manager_x"])
    page = client.get(x("directory:organisation", world.org_a.pk)).text
    assert "Beziehung für diesen Verbund beenden" in page and "In den Papierkorb" not in page
    client.post(x("directory:organisation_trash", world.org_a.pk))
    client.force_login(world.users["manager_y"])
    assert client.get(y("directory:organisation", world.org_a.pk)).status_code == 200
    moved = timezone.now() + timedelta(days=TRASH_DAYS + 1)
    monkeypatch.setattr(timezone, "now", lambda: moved)
    tasks.purge_trash()
    assert not Membership.objects.filter(organisation=world.org_a, network=world.network_x).exists()
    assert in_every_audience(shared, world.network_y) == ALL_IN


def test_a_company_only_one_network_holds_is_still_put_in_the_trash(client, world):
    client.force_login(world.users["manager_x"])
    assert "In den Papierkorb" in client.get(x("directory:organisation", world.org_b.pk)).text


# --- (b) master data of a shared company ------------------------------------------------------------------------------------


def test_the_edit_form_says_who_else_sees_a_change(client, world, shared):
    client.force_login(world.users["manager_x"])
    page = client.get(x("directory:organisation_edit", world.org_a.pk)).text
    assert "Diese Organisation ist auch Mitglied in 1 weiteren Verbund; Änderungen sieht dessen Geschäftsstelle." in page
    third = Network.objects.create(name="Netzwerk Z", slug="netz-z")
    Membership.objects.create(organisation=world.org_a, network=third)
    page = client.get(x("directory:organisation_edit", world.org_a.pk)).text
    assert "Diese Organisation ist auch Mitglied in 2 weiteren Verbünden; Änderungen sehen deren Geschäftsstellen." in page
    assert "weiteren Verbünden" not in client.get(x("directory:organisation_edit", world.org_b.pk)).text


def test_an_edit_by_one_network_shows_in_the_others_history(client, world, shared):
    client.force_login(world.users["manager_x"])
    response = client.post(
        x("directory:organisation_edit", world.org_a.pk),
        {
            "name": "Alpha GmbH",
            "kind": "company",
            "postcode": "48431",
            "municipality": "Hörstel",
            "employees": "12",
            "activity_version": "2008",
            "share_in_directory": "on",
        },
    )
    assert response.status_code == 302
    client.force_login(world.users["manager_y"])
    page = client.get(y("directory:organisation", world.org_a.pk) + "?tab=history")
    [entry] = [e for e in page.context["history"] if any(label == "Ort / Gemeinde" for label, _old, _new in e.changes)]
    assert entry.who == "Geschäftsstelle eines anderen Verbunds"  # what changed, not who in X's office
    assert ("Ort / Gemeinde", "Rheine", "Hörstel") in entry.changes
    assert "Hörstel" in page.text


# --- (c) deleting a shared person ---------------------------------------------------------------------------------------------


def test_who_may_delete_a_shared_person(world, shared):
    assert not lifecycle.may_delete_contact(user=world.users["manager_x"], contact=shared)
    assert not lifecycle.may_delete_contact(user=world.users["manager_y"], contact=shared)
    assert lifecycle.may_delete_contact(user=world.users["manager_xy"], contact=shared)  # runs every network that holds her
    assert lifecycle.may_delete_contact(user=world.users["staff"], contact=shared)
    assert lifecycle.may_delete_contact(user=world.users["member_a_x"], contact=shared)  # the company itself
    assert not lifecycle.may_delete_contact(user=world.users["member_b_x"], contact=shared)
    only_x = Contact.objects.get(organisation=world.org_b)
    assert lifecycle.may_delete_contact(user=world.users["manager_x"], contact=only_x)


def test_an_observer_of_the_other_network_does_not_count_as_running_it(world, shared):
    ManagerRole.objects.create(user=world.users["manager_x"], network=world.network_y, role=ManagerRole.Role.OBSERVER)
    assert not lifecycle.may_delete_contact(user=world.users["manager_x"], contact=shared)


def test_a_network_that_ended_its_relation_no_longer_holds_her(world, shared):
    lifecycle.contact_exit(contact=shared, network=world.network_y, by=world.users["manager_y"])
    assert lifecycle.may_delete_contact(user=world.users["manager_x"], contact=shared)
    assert shared.pk in lifecycle.deletable_contact_ids(user=world.users["manager_x"], organisation=world.org_a)


def test_a_trashed_membership_still_holds_her(world, shared):
    Membership.objects.filter(organisation=world.org_a, network=world.network_y).update(archived_at=timezone.now())  # Y may restore it
    assert not lifecycle.may_delete_contact(user=world.users["manager_x"], contact=shared)


def test_the_manager_of_both_networks_may_remove_and_erase(client, world, shared, django_capture_on_commit_callbacks):
    client.force_login(world.users["manager_xy"])
    assert x("lifecycle:contact_erase", shared.pk) in client.get(x("directory:organisation", world.org_a.pk)).text
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(x("lifecycle:contact_erase", shared.pk)).status_code == 302
    shared.refresh_from_db()
    assert shared.last_name == ERASED_NAME and is_erased(EMAIL)


def test_one_networks_manager_gets_the_reason_and_the_relation_instead_of_the_erasure(client, world, shared):
    client.force_login(world.users["manager_x"])
    page = client.get(x("lifecycle:contact_erase", shared.pk))
    assert page.status_code == 200
    assert "auch Mitglied in einem weiteren Verbund" in page.text
    assert x("lifecycle:contact_exit", shared.pk) in page.text
    assert 'name="confirm"' not in page.text
    assert client.post(x("lifecycle:contact_erase", shared.pk)).status_code == 403
    shared.refresh_from_db()
    assert shared.email == EMAIL


def test_the_company_itself_removes_a_shared_person_from_every_network(client, world, shared):
    client.force_login(world.users["member_a_x"])
    client.post(reverse("members:portal_contact_remove", args=[shared.pk]))
    shared.refresh_from_db()
    assert shared.archived_at is not None
    assert in_every_audience(shared, world.network_y) == ALL_OUT


def test_ending_the_relation_ends_her_offices_in_this_network_only(client, world, shared):
    board_x = GovernancePosition.objects.create(network=world.network_x, contact=shared, function="board")
    chair_y = GovernancePosition.objects.create(network=world.network_y, contact=shared, function="chair")
    client.force_login(world.users["manager_x"])
    assert client.post(x("lifecycle:contact_exit", shared.pk)).status_code == 302
    board_x.refresh_from_db()
    chair_y.refresh_from_db()
    assert board_x.until == timezone.localdate() and board_x.history.first().history_user == world.users["manager_x"]
    assert chair_y.until is None
