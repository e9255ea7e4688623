"""DSGVO for needs and offers (answers the signals of members/privacy.py).

Export: the organisation's needs and offers with the contact person each names. Erasure: an erased person is no
longer the contact person of any entry (the entry stays: it is the organisation's, not the person's), and her name
or address in an entry's title or description is replaced by the anonymous name, in the history too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Value
from django.db.models.functions import Replace
from django.dispatch import receiver

from cooperation.models import NeedOffer
from members.models import Contact, Organisation
from members.privacy import ERASED_NAME, export_sections, person_erasing


@receiver(export_sections, sender=Organisation, dispatch_uid="cooperation-needs-export")
def export_needs(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    entries = NeedOffer.objects.filter(organisation=organisation).select_related("network", "contact").order_by("pk")
    return {
        "needs_and_offers": [
            {
                "kind": e.kind,
                "network": e.network.name,
                "title": e.title,
                "description": e.description,
                "status": e.status,
                "contact_person": e.contact.full_name if e.contact else None,
                "created_at": e.created_at.isoformat(),
            }
            for e in entries
        ]
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="cooperation-needs-erase")
def erase_from_needs(sender, *, contact: Contact, old_texts: Iterable[str] = (), **kwargs: Any) -> None:
    NeedOffer.objects.filter(contact=contact).update(contact=None)
    NeedOffer.history.filter(contact_id=contact.pk).update(contact_id=None)
    # Her name or address written into an entry's text (and its history) becomes the anonymous name.
    for text in sorted(old_texts, key=len, reverse=True):
        for manager in (NeedOffer.objects, NeedOffer.history):
            for name in ("title", "description"):
                manager.filter(**{f"{name}__icontains": text}).update(**{name: Replace(name, Value(text), Value(ERASED_NAME))})
