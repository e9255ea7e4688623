"""DSGVO for the Infobrief (answers the signals of members/privacy.py).

Export: what went to the organisation's people (subject, when, status). Erasure:
subscriber rows, delivery rows and suppressions under the person's addresses are
deleted — the members app keeps only a keyed hash of the address (tombstone), so
no clear-text address survives here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from members.models import Contact, Organisation
from members.privacy import export_sections, person_erasing
from newsletters.models import Bounce, Delivery, Subscriber, Suppression


@receiver(export_sections, sender=Organisation, dispatch_uid="newsletters-export")
def export_infobriefe(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    contacts = Contact.objects.filter(organisation=organisation)
    return {
        "infobrief_deliveries": [
            {
                "email": d.email,
                "infobrief": d.infobrief.subject,
                "network": d.infobrief.network.name,
                "status": d.status,
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
            }
            for d in Delivery.objects.filter(contact__in=contacts).select_related("infobrief__network").order_by("pk")
        ],
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="newsletters-erase")
def erase_from_infobriefe(sender, *, contact: Contact, emails: set[str], **kwargs: Any) -> None:
    addresses = {e.lower() for e in emails if e}
    Delivery.objects.filter(Q(contact=contact) | Q(email__in=addresses)).delete()
    ids = list(Subscriber.objects.filter(email__in=addresses).values_list("pk", flat=True))
    Subscriber.objects.filter(pk__in=ids).delete()
    Subscriber.history.filter(Q(id__in=ids) | Q(email__in=addresses)).delete()  # after the delete: it writes a history row too
    Suppression.objects.filter(email__in=addresses).delete()
    Suppression.history.filter(email__in=addresses).delete()  # after the delete, as above
    Bounce.objects.filter(email__in=addresses).delete()


def subscriber_erase(*, subscriber: Subscriber) -> None:
    """An external subscriber asks to be forgotten: the row, its history and its deliveries go."""
    address = subscriber.email
    Delivery.objects.filter(Q(subscriber=subscriber) | Q(email=address, infobrief__network=subscriber.network)).delete()
    Bounce.objects.filter(email=address, network=subscriber.network).delete()
    pk = subscriber.pk
    subscriber.delete()
    Subscriber.history.filter(id=pk).delete()
