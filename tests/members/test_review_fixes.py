"""Regressions found in review: each would have been a leak, a 500 or a wrong figure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Contact, Membership
from members.services import invitation_accept, invitation_create, organisation_update
from verbund.mail import render_mail


def test_bulk_action_reports_refused_rows_instead_of_failing(client, world, manager_x):
    client.force_login(manager_x)
    Membership.objects.filter(organisation=world.org_a).update(joined_on=date.today() + timedelta(days=30))
    ids = list(Membership.objects.filter(network=world.network_x).values_list("pk", flat=True))
    response = client.post(
        reverse("directory:bulk_action", args=["netz-x"]), {"action": "set_status", "status": "left", "ids": ids, "confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "Nicht geändert: Alpha GmbH" in response.text
    assert Membership.objects.get(organisation=world.org_b).status == "left"
    assert Membership.objects.get(organisation=world.org_a).status == "active"


def test_too_long_saved_filter_gets_a_message_not_a_500(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(reverse("directory:saved_filter_create", args=["netz-x"]), {"name": "Lang", "query": "q=" + "ä" * 300}, follow=True)
    assert response.status_code == 200
    assert "zu lang zum Speichern" in response.text


def test_history_hides_the_names_of_other_networks_offices(client, world, manager_x, manager_y):
    Membership.objects.create(organisation=world.org_a, network=world.network_y)
    organisation_update(organisation=world.org_a, by=manager_y, data={"profile": "von Y geändert"})
    client.force_login(manager_x)
    history = client.get(reverse("directory:organisation", args=["netz-x", world.org_a.pk]), {"tab": "history"})
    assert history.context["history"][0].who == "Geschäftsstelle eines anderen Verbunds"
    assert "manager_y@example.org" not in history.text


def test_mail_subjects_are_not_html_escaped(world, manager_x):
    world.network_x.name = "Wind & Wasser 'West'"
    contact = Contact.objects.create(organisation=world.org_a, last_name="Neu", email="neu@alpha.example")
    message = render_mail(
        "invitation", to=[contact.email], context={"contact": contact, "network": world.network_x, "url": "https://x", "invited_by": manager_x, "days": 14}
    )
    assert message.subject == "Einladung in das Mitgliederportal von Wind & Wasser 'West'"


def test_member_count_on_my_networks_leaves_out_the_trash(client, world, manager_x):
    from django.utils import timezone

    Membership.objects.filter(organisation=world.org_b).update(archived_at=timezone.now())
    client.force_login(manager_x)
    response = client.get(reverse("manage:index"))
    assert [r.member_count for r in response.context["roles"]] == [1]


@pytest.fixture
def open_invitation(world, manager_x):
    contact = Contact.objects.create(organisation=world.org_a, last_name="Neu", email="neu@alpha.example")
    return invitation_create(contact=contact, network=world.network_x, by=manager_x)


def test_invitation_dies_when_the_contacts_email_changes(world, open_invitation):
    from tests.conftest import make_user

    open_invitation.contact.email = "jemand-anderes@alpha.example"
    open_invitation.contact.save()
    with pytest.raises(ValidationError):
        invitation_accept(invitation=open_invitation, user=make_user("neu@alpha.example"))


def test_an_office_account_cannot_accept_a_member_invitation(world, open_invitation, manager_x):
    from verbund.models import ManagerRole

    manager_x.email = "neu@alpha.example"
    manager_x.save()
    assert ManagerRole.objects.filter(user=manager_x).exists()
    with pytest.raises(ValidationError):
        invitation_accept(invitation=open_invitation, user=manager_x)


def test_invitations_are_audited(world, open_invitation, manager_x):
    assert open_invitation.history.first().history_user == manager_x


def test_member_export_does_not_show_colleagues_logins(client, world, member_a_x):
    from tests.conftest import make_user

    colleague_user = make_user("kollege@alpha.example")
    Contact.objects.create(organisation=world.org_a, last_name="Kollege", email="kollege@alpha.example", user=colleague_user)
    client.force_login(member_a_x)
    data = client.get(reverse("privacy:export_json")).json()
    logins = {c["last_name"]: c["login"] for c in data["contacts"]}
    assert logins["Kollege"] is None
    assert logins["member_a_x"]["email"] == "member_a_x@example.org"
