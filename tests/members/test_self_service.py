"""A member company keeps its own data current; invitations; consents with proof; the shared member directory."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Consent, Contact, Invitation, Membership
from members.services import consent_grant, invitation_create
from tests.conftest import mail_text
from verbund.models import User


@pytest.fixture
def member(client, member_a_x):
    client.force_login(member_a_x)
    return member_a_x


def invite(world, manager, mailoutbox_files, django_capture_on_commit_callbacks, email="neu@alpha.example") -> tuple[Contact, str]:
    contact = Contact.objects.create(organisation=world.org_a, last_name="Neumann", first_name="Nora", email=email)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(contact=contact, network=world.network_x, by=manager)
    token = re.search(r"/portal/invitation/([\w-]+)/", mail_text(mailoutbox_files()[-1])).group(1)
    return contact, token


def test_manager_invites_contact_who_sets_a_password_and_lands_in_the_portal(client, world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    contact = Contact.objects.create(organisation=world.org_a, last_name="Neumann", email="neu@alpha.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("directory:contact_invite", args=["netz-x", contact.pk]))
    assert response.status_code == 302
    raw = mailoutbox_files()[-1]
    assert "To: neu@alpha.example" in raw
    text = mail_text(raw)
    assert "lädt Sie in das Mitgliederportal von Netzwerk X ein" in text
    token = re.search(r"/portal/invitation/([\w-]+)/", text).group(1)
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash  # only the hash is stored
    client.logout()
    page = client.get(reverse("members:invitation", args=[token]))
    assert page.status_code == 200 and "Zugang einrichten" in page.text
    response = client.post(reverse("members:invitation", args=[token]), {"password1": "ein-sicheres-passwort-9", "password2": "ein-sicheres-passwort-9"})
    assert response.status_code == 302 and response.url == reverse("members:portal_home")
    contact.refresh_from_db()
    assert contact.user.email == "neu@alpha.example"
    assert client.get(reverse("members:portal_home")).status_code == 200
    assert client.get(reverse("members:invitation", args=[token])).status_code == 404  # used up


def test_weak_or_mismatched_passwords_are_explained(client, world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    _contact, token = invite(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks)
    response = client.post(reverse("members:invitation", args=[token]), {"password1": "kurz", "password2": "kurz"})
    assert response.status_code == 200 and "zu kurz" in response.text
    response = client.post(reverse("members:invitation", args=[token]), {"password1": "ein-sicheres-passwort-9", "password2": "anders-passwort-99"})
    assert "stimmen nicht überein" in response.text
    assert not User.objects.filter(email="neu@alpha.example").exists()


def test_expired_invitation_is_gone(client, world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    _contact, token = invite(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(reverse("members:invitation", args=[token])).status_code == 404


def test_invitation_for_another_address_cannot_be_taken_by_a_logged_in_user(
    client, world, manager_x, member_b_x, mailoutbox_files, django_capture_on_commit_callbacks
):
    contact, token = invite(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks)
    client.force_login(member_b_x)
    response = client.post(reverse("members:invitation", args=[token]))
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.user is None


def test_invitation_needs_an_email_and_no_existing_login(world, manager_x):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invitation_create(contact=Contact.objects.create(organisation=world.org_a, last_name="Ohne"), network=world.network_x, by=manager_x)
    with pytest.raises(ValidationError):
        invitation_create(contact=world.org_a.contacts.get(user__isnull=False), network=world.network_x, by=manager_x)


def test_member_edits_own_profile_and_manager_sees_it_in_history(client, world, member, manager_x):
    response = client.post(
        reverse("members:portal_profile_edit"),
        {
            "name": "Alpha GmbH",
            "kind": "company",
            "postcode": "48431",
            "municipality": "Rheine",
            "profile": "Wir bauen Getriebe.",
            "activity_version": "2008",
            "share_in_directory": "on",
        },
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.profile == "Wir bauen Getriebe."
    client.force_login(manager_x)
    history = client.get(reverse("directory:organisation", args=["netz-x", world.org_a.pk]), {"tab": "history"})
    assert history.context["history"][0].who == str(member)


def test_member_cannot_change_memberships_fees_or_status(client, world, member):
    client.post(
        reverse("members:portal_profile_edit"),
        {"name": "Alpha GmbH", "kind": "company", "activity_version": "2008", "status": "left", "annual_fee": "0", "role": "research"},
    )
    membership = Membership.objects.get(organisation=world.org_a)
    assert (membership.status, membership.role, membership.annual_fee) == ("active", "user", None)


def test_member_adds_and_edits_colleagues_but_not_other_companies(client, world, member):
    client.post(reverse("members:portal_contact_create"), {"last_name": "Kollegin", "email": "k@alpha.example", "phone": "02571 12345"})
    colleague = Contact.objects.get(last_name="Kollegin")
    assert colleague.organisation == world.org_a and colleague.phone == "+49 2571 12345"
    client.post(reverse("members:portal_contact_edit", args=[colleague.pk]), {"last_name": "Kollegin", "function": "Einkauf"})
    colleague.refresh_from_db()
    assert colleague.function == "Einkauf"
    foreign = world.org_b.contacts.get()
    assert client.get(reverse("members:portal_contact_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("members:portal_contact_remove", args=[foreign.pk])).status_code == 404
    client.post(reverse("members:portal_contact_remove", args=[colleague.pk]))
    colleague.refresh_from_db()
    assert colleague.archived_at is not None


def test_consents_are_records_with_proof_and_withdrawal(client, world, member):
    field = f"consent_{world.network_x.pk}_newsletter"
    client.post(reverse("members:portal_consents"), {field: "on"})
    consent = Consent.objects.get()
    assert (consent.purpose, consent.source, consent.recorded_by, consent.text_version) == ("newsletter", "portal", member, "2026-11")
    assert member.email in consent.evidence and consent.withdrawn_at is None
    client.post(reverse("members:portal_consents"), {})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None  # the record stays as proof
    client.post(reverse("members:portal_consents"), {field: "on"})
    assert Consent.objects.count() == 2
    page = client.get(reverse("members:portal_consents"))
    assert page.context["form"].fields[field].initial is True


def test_consent_fields_for_foreign_networks_are_ignored(client, world, member):
    client.post(reverse("members:portal_consents"), {f"consent_{world.network_y.pk}_newsletter": "on"})
    assert not Consent.objects.exists()


def test_member_directory_shows_only_what_members_share(client, world, member):
    world.org_b.profile = "Beta teilt das"
    world.org_b.save()
    beta_contact = world.org_b.contacts.get()
    page = client.get(reverse("members:portal_member_directory", args=["netz-x"]))
    assert "Beta teilt das" in page.text
    assert beta_contact.email not in page.text  # no directory consent yet
    consent_grant(contact=beta_contact, network=world.network_x, purpose="directory", source="portal", by=None)
    assert beta_contact.email in client.get(reverse("members:portal_member_directory", args=["netz-x"])).text
    world.org_b.share_in_directory = False
    world.org_b.save()
    page = client.get(reverse("members:portal_member_directory", args=["netz-x"]))
    assert "Beta KG" not in page.text
    assert "Gamma AG" not in page.text
