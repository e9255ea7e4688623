"""Addresses a mail server refused for good: the mark on the contact, what other apps block, and lifting it.

The mark is set when the server answers 5xx while sending (verbund.mail.mail_refused) or when a hard
bounce comes back later (newsletters.bounces). Other apps keep their own blocks for an address (the
Infobrief's suppression per network) and show them here through `mail_blocks`; lifting the mark on the
contact page lifts theirs through `mail_block_lifted`. Members imports none of them (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal, receiver
from django.utils.translation import gettext as _

from members.models import Contact
from verbund.mail import Refusal, mail_refused
from verbund.models import Network, User
from verbund.services import save_audited


@dataclass(frozen=True)
class MailBlock:
    """One thing that stops mail to an address in a network, as the contact page shows it."""

    label: str
    reason: str
    since: datetime


# Asked with network= and email=; each receiver returns a list of MailBlock.
mail_blocks = Signal()
# Sent with network=, email=, by= when a manager lifts the block on the contact page.
mail_block_lifted = Signal()


@transaction.atomic
def contact_mark_undeliverable(*, email: str, reason: str, at: datetime) -> int:
    """Mark every contact with this address (any network: the address is the person's). Returns how many."""
    marked = 0
    for contact in Contact.objects.select_for_update().filter(email__iexact=email.strip()):
        contact.email_undeliverable_at, contact.email_undeliverable_reason = at, reason[:300]
        save_audited(contact, by=None, update_fields=["email_undeliverable_at", "email_undeliverable_reason"], validate=False)
        marked += 1
    return marked


@receiver(mail_refused, dispatch_uid="members-mark-refused-contacts")
def _mark_refused(sender: Any, *, refusal: Refusal, **kwargs: Any) -> None:
    contact_mark_undeliverable(email=refusal.address, reason=refusal.reason, at=refusal.at)


def contact_mail_blocks(*, contact: Contact, network: Network) -> list[MailBlock]:
    """The contact's own mark and what other apps block for its address in this network."""
    blocks = []
    if contact.email_undeliverable_at:
        blocks.append(MailBlock(label=_("E-Mail-Adresse unzustellbar"), reason=contact.email_undeliverable_reason, since=contact.email_undeliverable_at))
    if contact.email:
        for _receiver, answer in mail_blocks.send(sender=Contact, network=network, email=contact.email.lower()):
            blocks.extend(answer if isinstance(answer, list) else [])
    return blocks


@transaction.atomic
def contact_mail_block_lift(*, contact: Contact, network: Network, by: User) -> Contact:
    """Clear the undeliverable mark and the blocks of other apps for the address in this network (each with `by` in its history)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.email_undeliverable_at:
        contact.email_undeliverable_at, contact.email_undeliverable_reason = None, ""
        save_audited(contact, by=by, update_fields=["email_undeliverable_at", "email_undeliverable_reason"], validate=False)
    if contact.email:
        mail_block_lifted.send(sender=Contact, network=network, email=contact.email.lower(), by=by)
    return contact
