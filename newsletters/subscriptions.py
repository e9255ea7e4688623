"""External subscribers with double opt-in (QUALITY.md R-4): a record German courts accept as proof.

Subscribing stores the request (time, IP, the consent text and its version) and
mails a signed link (72 h, purpose-bound); only confirming through that link
(time and IP recorded) makes the address a recipient. The confirmation mail asks
for the confirmation and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from events.tokens import make_token, read_token
from newsletters.models import Subscriber, Suppression
from newsletters.services import newsletter_settings, normalise
from verbund.mail import mail_send_later, render_mail
from verbund.models import Network
from verbund.services import save_audited

PURPOSE = "infobrief-subscribe"
MAX_AGE = 72 * 3600


def confirm_url(subscriber: Subscriber) -> str:
    token = make_token(PURPOSE, {"s": subscriber.pk, "e": subscriber.email, "t": subscriber.requested_at.isoformat()})
    return settings.SITE_URL + reverse("newsletter_public:confirm", kwargs={"network_slug": subscriber.network.slug, "token": token})


def subscriber_from_token(network: Network, token: str) -> Subscriber | None:
    data = read_token(PURPOSE, token, max_age=MAX_AGE)
    if not isinstance(data, dict) or data.get("s") is None:
        return None
    subscriber = Subscriber.objects.filter(pk=data["s"], network=network, email=data.get("e")).first()
    # A newer request (after an unsubscribe) makes older links useless.
    if subscriber is None or subscriber.requested_at.isoformat() != data.get("t"):
        return None
    return subscriber


@transaction.atomic
def subscribe(*, network: Network, email: str, name: str = "", organisation: str = "", ip: str | None = None) -> Subscriber:
    """Record the request and send the confirmation mail. An already confirmed address gets no mail and no change."""
    template = newsletter_settings(network)
    address = normalise(email)
    subscriber = Subscriber.objects.select_for_update().filter(network=network, email=address).first()
    if subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber
    now = timezone.now()
    subscriber = subscriber or Subscriber(network=network, email=address)
    subscriber.name, subscriber.organisation = name.strip()[:200], organisation.strip()[:200]
    subscriber.status = Subscriber.Status.PENDING
    subscriber.requested_at, subscriber.request_ip = now, ip or None
    subscriber.confirmed_at, subscriber.confirm_ip = None, None
    subscriber.unsubscribed_at, subscriber.unsubscribe_source = None, ""
    subscriber.consent_text, subscriber.consent_version = template.consent_text, template.consent_version
    subscriber.confirmation_sent_at = now
    save_audited(subscriber, by=None)
    message = render_mail("infobrief-confirm", to=[address], context={"network": network, "template": template, "url": confirm_url(subscriber)})
    mail_send_later(message=message)
    return subscriber


@transaction.atomic
def confirm(*, subscriber: Subscriber, ip: str | None = None) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.PENDING:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at, subscriber.confirm_ip = timezone.now(), ip or None
        save_audited(subscriber, by=None, update_fields=["status", "confirmed_at", "confirm_ip"], validate=False)
        # Subscribing again after unsubscribing lifts the earlier stop for this address.
        Suppression.objects.filter(network=subscriber.network, email=subscriber.email, reason=Suppression.Reason.UNSUBSCRIBED).delete()
    return subscriber
