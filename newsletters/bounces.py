"""Bounces that come back after the mail server accepted a mail: read, map to our deliveries, suppress.

A bounce arrives as a mail: piped to `manage.py process_bounce` by Postfix or Exim (one message on standard
input), or fetched from a mailbox by the IMAP poller (`poll_bounce_mailbox`, Celery beat). flufl.bounce finds
the failed recipients in RFC 3464 DSNs and in the common non-standard reports (Exim, Exchange, …); a mail in
which it finds none (an auto-reply, a vacation notice) is left alone.

- Hard (permanent) bounce: the address is marked undeliverable on its contacts and subscribers and suppressed
  for the network — the network of the Infobrief it answers (found by our deterministic Message-ID or the
  X-Verbund-Delivery header quoted in the bounce), else every network that has the address.
- Soft (temporary: "delayed", a 4.x.x status, mailbox full x.2.2): recorded; the third within 30 days
  suppresses the address for that network.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from flufl.bounce import all_failures
from imap_tools import AND, MailBox, MailBoxUnencrypted

from members.models import Contact
from members.undeliverable import MailBlock, mail_block_lifted, mail_blocks
from newsletters.models import Bounce, Delivery, Subscriber, Suppression
from verbund.mail import Refusal, mail_refused, mail_refused_note
from verbund.models import Network, User, current_membership_q
from verbund.services import save_audited

logger = logging.getLogger(__name__)

SOFT_LIMIT = 3
SOFT_WINDOW_DAYS = 30

_DELIVERY_ID = re.compile(r"<infobrief-(\d+)\.delivery-(\d+)@|X-Verbund-Delivery:\s*(\d+)", re.IGNORECASE)
_STATUS_LINE = re.compile(r"\b([245]\d\d)[ -]+([245]\.\d{1,3}\.\d{1,3})\b[^\r\n]*")


@dataclass
class BounceResult:
    """What one bounce mail did: the addresses per kind, and the bounces recorded. Empty when it was no bounce."""

    hard: list[str] = field(default_factory=list)
    soft: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)

    @property
    def is_bounce(self) -> bool:
        return bool(self.hard or self.soft)


def _dsn_fields(message: Message) -> dict[str, dict[str, str]]:
    """Per recipient of an RFC 3464 report: its Status and Diagnostic-Code (lower-cased address as the key)."""
    found: dict[str, dict[str, str]] = {}
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for block in part.get_payload():
            if not isinstance(block, Message):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if address:
                found[address] = {"status": str(block.get("Status") or "").strip(), "diagnostic": " ".join(str(block.get("Diagnostic-Code") or "").split())}
    return found


def _text(message: Message) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_maintype() in {"text", "message"} and not part.is_multipart():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
            elif isinstance(plain := part.get_payload(), str):
                parts.append(plain)
    return "\n".join(parts)


def _reason(address: str, dsn: dict[str, dict[str, str]], text: str) -> str:
    """The server's words for this address: the DSN's diagnostic and status, else the first SMTP status line near it."""
    fields = dsn.get(address)
    if fields and (fields["diagnostic"] or fields["status"]):
        return " ".join(part for part in (fields["status"], fields["diagnostic"]) if part)[:300]
    lines = [line for line in text.splitlines() if address in line.lower()] + text.splitlines()
    for line in lines:
        if match := _STATUS_LINE.search(line):
            return " ".join(match.group(0).split())[:300]
    return _("Rückläufer ohne Angabe des Grundes")


def _is_soft(address: str, permanent: bool, dsn: dict[str, dict[str, str]], reason: str) -> bool:
    """Temporary by the report, or a 4.x.x status, or a full mailbox (x.2.2: it may be emptied; common practice counts it soft)."""
    status = dsn.get(address, {}).get("status", "") or (m.group(2) if (m := _STATUS_LINE.search(reason)) else "")
    return not permanent or status.startswith("4.") or status.endswith(".2.2")


def _delivery(raw_text: str) -> Delivery | None:
    """The Infobrief delivery the bounce answers, by the Message-ID or X-Verbund-Delivery header it quotes."""
    for match in _DELIVERY_ID.finditer(raw_text):
        pk = match.group(2) or match.group(3)
        delivery = Delivery.objects.select_related("infobrief__network").filter(pk=int(pk)).first()
        if delivery is not None and (match.group(1) is None or delivery.infobrief_id == int(match.group(1))):
            return delivery
    return None


def _networks_of(address: str) -> list[Network]:
    """Every network that sends to this address: as a subscriber, or as a contact of a current member."""
    subscribed = Subscriber.objects.filter(email__iexact=address).values("network")
    member_orgs = Contact.objects.filter(email__iexact=address, archived_at__isnull=True).values("organisation")
    # One filter with OR, not union(): SQLite refuses ORDER BY (the model's default) inside a compound statement.
    members = Network.objects.filter(current_membership_q("memberships__"), memberships__organisation__in=member_orgs).values("pk")
    return list(Network.objects.filter(Q(pk__in=subscribed) | Q(pk__in=members)).order_by("pk"))


def _suppress(network: Network, address: str, detail: str) -> bool:
    suppression, created = Suppression.objects.get_or_create(
        network=network, email=address, defaults={"reason": Suppression.Reason.BOUNCED, "detail": detail[:500]}
    )
    if created:
        # Rows not yet sent to the address stop at once, as on unsubscribing.
        Delivery.objects.filter(infobrief__network=network, email=address, status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]).update(
            status=Delivery.Status.CANCELLED, last_error="suppressed: bounced"
        )
    return created


@transaction.atomic
def bounce_process(*, raw: bytes) -> BounceResult:
    """Read one mail; when it is a bounce, record it and suppress or mark the addresses (see the module's docstring)."""
    message = email.message_from_bytes(raw)
    temporary, permanent = all_failures(message)
    result = BounceResult()
    if not temporary and not permanent:
        logger.info("Not a bounce: %s", message.get("Subject", ""))
        return result
    dsn, text = _dsn_fields(message), _text(message)
    delivery = _delivery(raw.decode("utf-8", "replace"))
    report_id = str(message.get("Message-ID") or "")[:300]
    for raw_address in sorted(permanent | temporary):
        address = raw_address.decode("ascii", "replace").strip().lower()
        reason = _reason(address, dsn, text)
        soft = _is_soft(address, raw_address in permanent, dsn, reason)
        mapped = delivery if delivery is not None and delivery.email.lower() == address else None
        networks = [mapped.infobrief.network] if mapped else _networks_of(address)
        kind = Bounce.Kind.SOFT if soft else Bounce.Kind.HARD
        targets: list[Network | None] = [*networks] or [None]  # an address no network has is still recorded
        for network_or_none in targets:
            Bounce.objects.create(network=network_or_none, email=address, kind=kind, delivery=mapped, detail=reason[:500], report_message_id=report_id)
        if soft:
            result.soft.append(address)
            since = timezone.now() - timedelta(days=SOFT_WINDOW_DAYS)
            for network in networks:
                count = Bounce.objects.filter(network=network, email=address, kind=Bounce.Kind.SOFT, received_at__gte=since).count()
                if count >= SOFT_LIMIT:
                    detail = _("%(count)s vorübergehende Rückläufer in %(days)s Tagen, zuletzt: %(reason)s") % {
                        "count": count,
                        "days": SOFT_WINDOW_DAYS,
                        "reason": reason,
                    }
                    if _suppress(network, address, detail):
                        result.suppressed.append(address)
            continue
        result.hard.append(address)
        if mapped:
            Delivery.objects.filter(pk=mapped.pk).update(status=Delivery.Status.FAILED, last_error=f"bounce: {reason}"[:500])
        for network in networks:
            if _suppress(network, address, reason):
                result.suppressed.append(address)
        mail_refused_note(addresses=[address], reason=reason)  # the mark on its contacts and subscribers
    logger.info("Bounce %s: hard %s, soft %s", report_id, result.hard, result.soft)
    return result


# --- the IMAP mailbox bounces go to -------------------------------------------------------------------


def bounce_mailbox_configured() -> bool:
    return bool(getattr(settings, "BOUNCE_IMAP_HOST", ""))


def bounce_mailbox_poll(*, limit: int = 200) -> dict[str, int]:
    """Read the unseen mails of the bounce mailbox (BOUNCE_IMAP_*), process each, and move it out of the way.

    A processed mail is flagged seen and deleted (bounces are records here, not the mailbox); one that fails to
    process stays unseen for the next round and is logged.
    """
    if not bounce_mailbox_configured():
        return {"read": 0, "bounces": 0, "failed": 0}
    box_class: Any = MailBox if settings.BOUNCE_IMAP_SSL else MailBoxUnencrypted
    counts = {"read": 0, "bounces": 0, "failed": 0}
    with box_class(settings.BOUNCE_IMAP_HOST, port=settings.BOUNCE_IMAP_PORT).login(
        settings.BOUNCE_IMAP_USER, settings.BOUNCE_IMAP_PASSWORD, initial_folder=settings.BOUNCE_IMAP_FOLDER
    ) as mailbox:
        done = []
        for mail in mailbox.fetch(AND(seen=False), limit=limit, mark_seen=False, bulk=True):
            counts["read"] += 1
            try:
                if bounce_process(raw=mail.obj.as_bytes()).is_bounce:
                    counts["bounces"] += 1
            except Exception:
                logger.exception("Bounce mail %s could not be processed; it stays for the next round", mail.uid)
                counts["failed"] += 1
                continue
            done.append(mail.uid)
        if done:
            mailbox.delete(done)
    return counts


# --- receivers: the person's mark, the contact page's blocks, lifting them ---------------------------------


@receiver(mail_refused, dispatch_uid="newsletters-mark-refused-subscribers")
def _mark_refused_subscribers(sender: Any, *, refusal: Refusal, **kwargs: Any) -> None:
    for subscriber in Subscriber.objects.filter(email__iexact=refusal.address):
        subscriber.email_undeliverable_at, subscriber.email_undeliverable_reason = refusal.at, refusal.reason[:300]
        save_audited(subscriber, by=None, update_fields=["email_undeliverable_at", "email_undeliverable_reason"], validate=False)


@receiver(mail_blocks, dispatch_uid="newsletters-suppression-blocks")
def _suppression_blocks(sender: Any, *, network: Network, email: str, **kwargs: Any) -> list[MailBlock]:
    return [
        MailBlock(label=_("Keine Infobriefe dieses Verbunds (Rückläufer)"), reason=s.detail or s.get_reason_display(), since=s.created_at)
        for s in Suppression.objects.filter(network=network, email__iexact=email, reason=Suppression.Reason.BOUNCED)
    ]


@receiver(mail_block_lifted, dispatch_uid="newsletters-lift-bounce-block")
def _lift(sender: Any, *, network: Network, email: str, by: User, **kwargs: Any) -> None:
    """Only a bounce block is lifted: an unsubscription or a complaint is the person's own word and stays."""
    for suppression in Suppression.objects.filter(network=network, email__iexact=email, reason=Suppression.Reason.BOUNCED):
        suppression._history_user = by  # type: ignore[attr-defined]  # simple_history names the manager on the delete entry
        suppression.delete()
    # The soft bounces counted so far start over; the records of hard ones stay as history.
    Bounce.objects.filter(network=network, email__iexact=email, kind=Bounce.Kind.SOFT).delete()
    for subscriber in Subscriber.objects.filter(network=network, email__iexact=email, email_undeliverable_at__isnull=False):
        subscriber.email_undeliverable_at, subscriber.email_undeliverable_reason = None, ""
        save_audited(subscriber, by=by, update_fields=["email_undeliverable_at", "email_undeliverable_reason"], validate=False)
