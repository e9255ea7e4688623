"""DSGVO for the Infobrief (answers the signals of members/privacy.py).

Export: what went to the organisation's people (subject, when, status). Erasure:
subscriber rows, delivery rows and suppressions under the person's addresses are
deleted — the members app keeps only a keyed hash of the address (tombstone), so
no clear-text address survives here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from members.models import Contact, Organisation
from members.privacy import email_hash, export_sections, person_erasing
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


# --- retention (QUALITY.md: delivery logs 12 months; consent records as long as the subscription plus 3 years) ----

PSEUDONYM_DOMAIN = "pseudonym.invalid"


def _pseudonym(email: str) -> str:
    """A keyed hash in the shape of an address: the same person stays one recipient in the figures, nobody can read it."""
    return f"{email_hash(email)[:40]}@{PSEUDONYM_DOMAIN}"


def delivery_logs_expire(*, now: datetime | None = None) -> int:
    """Deliveries of Infobriefe sent more than DELIVERY_LOG_DAYS ago lose their address, contact and error text (the
    counts of the indicators stay); bounce reports of that age are deleted. Returns how many deliveries changed."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DELIVERY_LOG_DAYS)
    rows = Delivery.objects.filter(infobrief__sent_at__lt=cutoff).exclude(email__endswith=f"@{PSEUDONYM_DOMAIN}")
    changed = 0
    while batch := list(rows.only("pk", "email")[:1000]):
        for delivery in batch:
            delivery.email, delivery.contact, delivery.last_error = _pseudonym(delivery.email), None, ""
        with transaction.atomic():
            changed += Delivery.objects.bulk_update(batch, ["email", "contact", "last_error"])
    Bounce.objects.filter(received_at__lt=cutoff).delete()
    return changed


def subscriptions_expire(*, now: datetime | None = None) -> int:
    """Readers who unsubscribed (or never confirmed) more than CONSENT_PROOF_YEARS ago: their subscription record, the
    proof of their opt-in, goes with its history. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=365 * settings.CONSENT_PROOF_YEARS)
    ended = Subscriber.objects.filter(
        Q(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at__lt=cutoff) | Q(status=Subscriber.Status.PENDING, requested_at__lt=cutoff)
    )
    ids = list(ended.values_list("pk", flat=True))
    with transaction.atomic():
        Subscriber.objects.filter(pk__in=ids).delete()
        Subscriber.history.filter(id__in=ids).delete()  # after: the delete itself writes a history row
    return len(ids)
