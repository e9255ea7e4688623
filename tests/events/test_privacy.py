"""DSGVO reaches meeting data: the export lists it, erasure removes what names the person."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from events import services
from events.models import (
    InvitationRecipient,
    Meeting,
    MeetingInvitation,
    Registration,
    SatisfactionResponse,
)
from members.models import Contact
from members.privacy import ERASED_NAME, organisation_data_export, person_erase


def test_export_and_erasure_cover_registrations_invitations_and_feedback(world, manager_x):
    day = timezone.localdate() - timedelta(days=3)
    meeting = Meeting.objects.create(
        network=world.network_x, title="Arbeitstreffen", starts_at=services.meeting_at(day, 9), ends_at=services.meeting_at(day, 12)
    )
    contact = Contact.objects.create(organisation=world.org_b, first_name="Vera", last_name="Vogel", email="vera@beta.example")
    registration = Registration.objects.create(meeting=meeting, contact=contact, status="attended", consent_photos=True)
    guest = Registration.objects.create(meeting=meeting, guest_name="Vera Vogel", guest_email="vera@beta.example", guest_organisation="Beta KG")
    SatisfactionResponse.objects.create(meeting=meeting, registration=registration, score=4, comment="Vera fand es gut")
    invitation = MeetingInvitation.objects.create(meeting=meeting)
    InvitationRecipient.objects.create(invitation=invitation, contact=contact, email=contact.email)

    export = organisation_data_export(organisation=world.org_b)
    mine = [r for r in export["meeting_registrations"] if r["person"] == "Vera Vogel"]
    assert mine and mine[0]["consent_photos"] is True and mine[0]["feedback"] == {"score": 4, "comment": "Vera fand es gut"}
    assert export["meeting_invitations"][0]["email"] == "vera@beta.example"

    person_erase(contact=contact, by=manager_x)
    assert not InvitationRecipient.objects.exists()
    guest.refresh_from_db()
    assert (guest.guest_name, guest.guest_email, guest.guest_organisation) == (ERASED_NAME, "", "")
    assert not guest.history.exists()
    response = SatisfactionResponse.objects.get()
    assert response.score == 4 and response.comment == ""  # the score counts, the words are gone
