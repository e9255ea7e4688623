"""DSGVO for the satisfaction survey: what the data export shows and what erasure removes (signals of members/privacy.py).

Export: the survey invitations of the organisation's people (which survey, to which address, when sent, reminded,
answered). Their answers cannot be part of it: an answer sheet has no link to anyone (health/surveys.py).
Erasure: the invitations naming the person lose the address, the contact and the organisation, and their link stops
working; the row stays, anonymous, so the invited/answered counts of past surveys do not change. Answer sheets are
never touched — nothing could tell which one to touch, and removing or changing one would point at the person.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from health.models import SurveyInvitation
from health.surveys import new_token, token_hash
from members.models import Contact, Organisation
from members.privacy import export_sections, person_erasing


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@receiver(export_sections, sender=Organisation, dispatch_uid="health-surveys-export")
def export_survey_invitations(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    invitations = (
        SurveyInvitation.objects.filter(contact__organisation=organisation).select_related("survey__network", "contact").order_by("survey__year", "pk")
    )
    return {
        "survey_invitations": [
            {
                "person": i.contact.full_name if i.contact else "",
                "email": i.email,
                "network": i.survey.network.name,
                "survey": i.survey.title,
                "year": i.survey.year,
                "sent_at": _iso(i.sent_at),
                "reminded_at": _iso(i.reminded_at),
                "answered_at": _iso(i.answered_at),
                "note": "Die Antworten sind anonym gespeichert und keiner Person zugeordnet.",  # stored data, like ERASED_NAME: not UI text
            }
            for i in invitations
        ]
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="health-surveys-erase")
def erase_from_surveys(sender, *, contact: Contact, emails: set[str], **kwargs: Any) -> None:
    match = Q(contact=contact)
    for address in {e for e in emails if e}:
        match |= Q(email__iexact=address)
    rows = SurveyInvitation.objects.filter(match)
    for pk in rows.values_list("pk", flat=True):
        # A hash of a token nobody has: the person's link stops working (and the unique column stays unique).
        SurveyInvitation.objects.filter(pk=pk).update(contact=None, organisation=None, email="", token_hash=token_hash(new_token()))
