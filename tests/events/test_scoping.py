"""One scoping path: people of a company that left the network are offered nowhere (Contact.objects.current_in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.forms.meetings import ActionItemForm, RegisterContactForm
from members.models import Contact, Membership
from members.services import membership_change_status


@pytest.fixture
def left_company(world, manager_x):
    """Beta KG left network X but is still a current member elsewhere (network Y), which the old filter mistook."""
    Membership.objects.create(organisation=world.org_b, network=world.network_y)
    membership = Membership.objects.get(organisation=world.org_b, network=world.network_x)
    membership_change_status(membership=membership, to_status=Membership.Status.LEFT, by=manager_x)
    return Contact.objects.get(organisation=world.org_b)


def test_the_registration_and_action_item_forms_do_not_offer_people_of_a_company_that_left(world, left_company):
    for form in (RegisterContactForm(network=world.network_x), ActionItemForm(network=world.network_x)):
        field = form.fields["contact" if "contact" in form.fields else "owner"]
        offered = set(field.queryset)
        assert left_company not in offered
        assert Contact.objects.get(organisation=world.org_a) in offered


def test_a_company_that_left_cannot_be_given_an_action_item(world, manager_x, left_company):
    with pytest.raises(ValidationError):
        services.action_item_create(network=world.network_x, by=manager_x, data={"title": "Antrag", "owner": left_company})


def test_a_company_that_left_cannot_be_registered(world, manager_x, left_company):
    day = timezone.localdate() + timedelta(days=5)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "KT",
            "starts_at": services.meeting_at(day, 9),
            "ends_at": services.meeting_at(day, 12),
        },
    )
    with pytest.raises(ValidationError):
        services.registration_register(meeting=meeting, by=manager_x, contact=left_company, by_manager=True)


def test_current_in_leaves_out_archived_people_and_trashed_memberships(world, manager_x):
    archived = Contact.objects.create(organisation=world.org_a, last_name="Archiv", archived_at=timezone.now())
    assert archived not in Contact.objects.current_in(world.network_x)
    Membership.objects.filter(organisation=world.org_a, network=world.network_x).update(archived_at=timezone.now())
    assert not Contact.objects.current_in(world.network_x).filter(organisation=world.org_a).exists()
