"""DSGVO for meetings: what the data export shows and what erasure removes (answers the signals of members/privacy.py).

Export: the organisation's people's registrations (with consents), invitations
received, action items they own, and their pulse answers. Erasure: invitation
rows naming the person go; guest registrations under one of the person's
addresses are anonymised like the contact; pulse comments of the person are
emptied (the score stays: it is anonymous and counts); history rows that held
the old values are removed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from events.models import (
    ActionItem,
    InvitationRecipient,
    Registration,
    SatisfactionResponse,
)
from members.models import Contact, Organisation
from members.privacy import ERASED_NAME, export_sections, person_erasing


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@receiver(export_sections, sender=Organisation, dispatch_uid="events-export")
def export_meetings(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    contacts = Contact.objects.filter(organisation=organisation)
    registrations = Registration.objects.filter(contact__in=contacts).select_related("meeting__network", "contact").order_by("meeting__starts_at", "pk")
    return {
        "meeting_registrations": [
            {
                "person": r.contact.full_name,
                "network": r.meeting.network.name,
                "meeting": r.meeting.title,
                "starts_at": _iso(r.meeting.starts_at),
                "status": r.status,
                "status_label": r.get_status_display(),
                "consent_participant_list": r.consent_participant_list,
                "consent_photos": r.consent_photos,
                "registered_at": _iso(r.created_at),
                "feedback": (
                    {"score": r.satisfaction.score, "comment": r.satisfaction.comment} if hasattr(r, "satisfaction") and r.satisfaction is not None else None
                ),
            }
            for r in registrations.select_related("satisfaction")
            if r.contact is not None  # always: filtered by contact
        ],
        "meeting_invitations": [
            {"email": i.email, "meeting": i.invitation.meeting.title, "sent_at": _iso(i.sent_at)}
            for i in InvitationRecipient.objects.filter(contact__in=contacts).select_related("invitation__meeting").order_by("pk")
        ],
        "action_items": [
            {"title": a.title, "network": a.network.name, "owner": a.owner.full_name, "due_on": _iso(a.due_on), "done_at": _iso(a.done_at)}
            for a in ActionItem.with_deleted.filter(owner__in=contacts).select_related("network", "owner").order_by("pk")
            if a.owner is not None  # always: filtered by owner
        ],
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="events-erase")
def erase_from_meetings(sender, *, contact: Contact, emails: set[str], by=None, **kwargs: Any) -> None:
    addresses = {e for e in emails if e}
    InvitationRecipient.objects.filter(Q(contact=contact) | Q(email__in=addresses)).delete()
    guests = list(Registration.objects.filter(contact__isnull=True, guest_email__in=addresses).values_list("pk", flat=True)) if addresses else []
    Registration.objects.filter(pk__in=guests).update(guest_name=ERASED_NAME, guest_email="", guest_organisation="")
    mine = Registration.objects.filter(Q(contact=contact) | Q(pk__in=guests))
    # The person's own registrations name her anonymously too, so they stay valid (and counted) once the contact row is deleted.
    Registration.objects.filter(contact=contact, guest_name="").update(guest_name=ERASED_NAME)
    SatisfactionResponse.objects.filter(registration__in=mine).update(comment="")
    Registration.history.filter(id__in=guests).delete()
