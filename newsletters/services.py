"""The Infobrief: audience with consent, rendering as email-safe HTML + plain text, composing helpers, unsubscribing.

Sending lives in newsletters/sending.py; this module decides who may receive an
Infobrief and what each recipient sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Meeting
from events.tokens import make_token, read_token
from members.models import Consent, Contact, Membership, Organisation
from members.services import consent_withdraw
from newsletters.models import (
    Delivery,
    Entry,
    Infobrief,
    InfobriefEntry,
    NewsletterSettings,
    Subscriber,
    Suppression,
)
from verbund.mail import network_reply_to
from verbund.markdown import render_markdown
from verbund.models import Network, User
from verbund.services import save_audited

UNSUBSCRIBE = "infobrief-unsubscribe"

# Sections of an Infobrief, in this order; each entry kind belongs to one.
SECTIONS: list[tuple[str, Any, set[str]]] = [
    ("calls", gettext_lazy("Ausschreibungen und Förderaufrufe"), {Entry.Kind.FUNDING_CALL}),
    ("dates", gettext_lazy("Termine und Messen"), {Entry.Kind.DATE, Entry.Kind.TRADE_FAIR}),
    ("news", gettext_lazy("Aus dem Netzwerk"), {Entry.Kind.MEMBER_NEWS, Entry.Kind.TEXT}),
    ("press", gettext_lazy("Presse"), {Entry.Kind.PRESS}),
]


def newsletter_settings(network: Network) -> NewsletterSettings:
    found = NewsletterSettings.objects.filter(network=network).first()
    return found or NewsletterSettings.objects.get_or_create(network=network, defaults={"title": f"Infobrief {network.name}"[:200]})[0]


# --- audience --------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    contact_id: int | None = None
    subscriber_id: int | None = None


@dataclass
class Audience:
    recipients: list[Recipient] = field(default_factory=list)
    # reason → people left out (name, email); the wizard shows them
    excluded: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def exclude(self, reason: str, name: str, email: str) -> None:
        self.excluded.setdefault(reason, []).append((name, email))


EXCLUSION_REASONS = {
    "no_consent": gettext_lazy("keine Einwilligung für den Infobrief"),
    "unsubscribed": gettext_lazy("abgemeldet"),
    "bounced": gettext_lazy("Adresse unzustellbar"),
    "unconfirmed": gettext_lazy("Anmeldung nicht bestätigt"),
    "no_email": gettext_lazy("keine E-Mail-Adresse"),
    "duplicate": gettext_lazy("Adresse schon in der Liste"),
}


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def _audience_contacts(infobrief: Infobrief):
    """The contacts the audience is chosen from (before consent, suppression and duplicates)."""
    network = infobrief.network
    memberships = Membership.objects.current().filter(network=network, status=Membership.Status.ACTIVE)
    if infobrief.audience_roles:
        memberships = memberships.filter(role__in=infobrief.audience_roles)
    # People this network ended its relation to (a shared company's contact) get none of its Infobriefe.
    contacts = Contact.objects.filter(organisation__in=memberships.values("organisation"), archived_at__isnull=True).exclude_exited(network)
    if infobrief.audience_municipalities:
        contacts = contacts.filter(organisation__municipality__in=infobrief.audience_municipalities)
    if infobrief.audience_kinds:
        contacts = contacts.filter(organisation__kind__in=infobrief.audience_kinds)
    return contacts


def audience_upper_bound(infobrief: Infobrief) -> int:
    """At most this many recipients (two COUNTs): enough to decide whether the rows can be made inside a request."""
    subscribers = Subscriber.objects.filter(network=infobrief.network, status=Subscriber.Status.CONFIRMED).count() if infobrief.include_subscribers else 0
    return _audience_contacts(infobrief).count() + subscribers


def audience(infobrief: Infobrief) -> Audience:
    """Members' contacts with newsletter consent (narrowed by the filters), plus confirmed subscribers; the rest with reasons."""
    network = infobrief.network
    result = Audience()
    suppressed = dict(Suppression.objects.filter(network=network).values_list("email", "reason"))
    contacts = _audience_contacts(infobrief)
    latest = Consent.objects.filter(contact=OuterRef("pk"), network=network, purpose=Consent.Purpose.NEWSLETTER).order_by("-granted_at", "-pk")
    rows = (
        contacts.annotate(consent_withdrawn=Subquery(latest.values("withdrawn_at")[:1]), consent_granted=Subquery(latest.values("granted_at")[:1]))
        .order_by("organisation__name", "last_name", "pk")
        # tuples, not instances: 10,000 contacts in the request that starts a send
        .values_list("pk", "email", "title", "first_name", "last_name", "consent_granted", "consent_withdrawn")
    )
    seen: set[str] = set()
    for pk, email, *names, consent_granted, consent_withdrawn in rows:
        address = normalise(email)
        name = " ".join(part for part in names if part)  # Contact.full_name
        if not address:
            result.exclude("no_email", name, "")
        elif consent_granted is None:
            result.exclude("no_consent", name, address)
        elif consent_withdrawn is not None or suppressed.get(address) == Suppression.Reason.UNSUBSCRIBED:
            result.exclude("unsubscribed", name, address)
        elif address in suppressed:
            result.exclude("bounced", name, address)
        elif address in seen:
            result.exclude("duplicate", name, address)
        else:
            seen.add(address)
            result.recipients.append(Recipient(address, name, contact_id=pk))
    if infobrief.include_subscribers:
        for subscriber in Subscriber.objects.filter(network=network).order_by("email"):
            address = normalise(subscriber.email)
            name = subscriber.name or address
            if subscriber.status == Subscriber.Status.PENDING:
                result.exclude("unconfirmed", name, address)
            elif subscriber.status == Subscriber.Status.UNSUBSCRIBED or suppressed.get(address) == Suppression.Reason.UNSUBSCRIBED:
                result.exclude("unsubscribed", name, address)
            elif address in suppressed:
                result.exclude("bounced", name, address)
            elif address in seen:
                result.exclude("duplicate", name, address)
            else:
                seen.add(address)
                result.recipients.append(Recipient(address, name, subscriber_id=subscriber.pk))
    return result


def audience_choices(network: Network) -> dict[str, list]:
    """What the filters offer: roles, places and kinds that occur among the network's active members."""
    memberships = Membership.objects.current().filter(network=network, status=Membership.Status.ACTIVE).select_related("organisation")
    roles = sorted({m.role for m in memberships})
    places = sorted({m.organisation.municipality for m in memberships if m.organisation.municipality})
    kinds = sorted({m.organisation.kind for m in memberships})
    return {
        "roles": [(r, Membership.Role(r).label) for r in roles],
        "municipalities": [(p, p) for p in places],
        "kinds": [(k, Organisation.Kind(k).label) for k in kinds],
    }


# --- unsubscribe ------------------------------------------------------------------


def unsubscribe_token(network: Network, email: str) -> str:
    return make_token(UNSUBSCRIBE, {"n": network.pk, "e": normalise(email)})


def unsubscribe_url(network: Network, email: str) -> str:
    return settings.SITE_URL + reverse("newsletter_public:unsubscribe", kwargs={"network_slug": network.slug, "token": unsubscribe_token(network, email)})


def read_unsubscribe_token(network: Network, token: str) -> str | None:
    data = read_token(UNSUBSCRIBE, token)  # no expiry: an old Infobrief's link must still work
    if not isinstance(data, dict) or data.get("n") != network.pk or not data.get("e"):
        return None
    return data["e"]


@transaction.atomic
def unsubscribe(*, network: Network, email: str, source: str) -> bool:
    """Stop every Infobrief of this network to this address, at once and for good; recorded. Idempotent."""
    address = normalise(email)
    suppression, created = Suppression.objects.get_or_create(
        network=network, email=address, defaults={"reason": Suppression.Reason.UNSUBSCRIBED, "detail": source[:500]}
    )
    if not created and suppression.reason != Suppression.Reason.UNSUBSCRIBED:
        suppression.reason = Suppression.Reason.UNSUBSCRIBED
        suppression.detail = source[:500]
        suppression.save(update_fields=["reason", "detail"])
    now = timezone.now()
    for subscriber in Subscriber.objects.filter(network=network, email__iexact=address).exclude(status=Subscriber.Status.UNSUBSCRIBED):
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.unsubscribe_source = source[:30]
        save_audited(subscriber, by=None, update_fields=["status", "unsubscribed_at", "unsubscribe_source"], validate=False)
    for contact in Contact.objects.filter(email__iexact=address):
        consent_withdraw(contact=contact, network=network, purpose=Consent.Purpose.NEWSLETTER, source=Consent.Source.EMAIL, by=None)
    # Deliveries not yet sent to this address are cancelled: the withdrawal takes effect at once.

    Delivery.objects.filter(infobrief__network=network, email=address, status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]).update(
        status=Delivery.Status.CANCELLED, last_error="unsubscribed"
    )
    return created


# --- rendering ------------------------------------------------------------------------


def _image_url(entry: Entry) -> str:
    if not entry.image:
        return ""
    return settings.SITE_URL + reverse("newsletter_public:entry_image", kwargs={"network_slug": entry.network.slug, "key": entry.image_key})


def sections(infobrief: Infobrief) -> list[dict]:
    placed = list(infobrief.placements.select_related("entry__network").order_by("position", "pk"))
    out = []
    for key, title, kinds in SECTIONS:
        entries = [p.entry for p in placed if p.entry.kind in kinds]
        if entries:
            out.append({"key": key, "title": title, "entries": [{"entry": e, "html": render_markdown(e.body), "image_url": _image_url(e)} for e in entries]})
    return out


# Placeholders the shared rendering leaves for each recipient; they cannot occur in escaped user text (no "\x00").
_UNSUBSCRIBE = "\x00unsubscribe\x00"
_GREETING = "\x00greeting\x00"


def render_shared(infobrief: Infobrief, *, test: bool = False) -> dict[str, str]:
    """Render the Infobrief once (Markdown, sections, template); each recipient then only gets their link and greeting."""
    network = infobrief.network
    template = newsletter_settings(network)
    context = {
        "infobrief": infobrief,
        "network": network,
        "template": template,
        "sections": sections(infobrief),
        "intro_html": render_markdown(infobrief.intro),
        "greeting": _GREETING,
        "unsubscribe_url": _UNSUBSCRIBE,
        "archive_url": settings.SITE_URL + reverse("newsletter_public:archive_issue", kwargs={"network_slug": network.slug, "pk": infobrief.pk}),
        "logo_url": settings.SITE_URL + reverse("newsletter_public:logo", kwargs={"network_slug": network.slug}) if template.logo else "",
        "test": test,
    }
    with translation.override("de"):
        subject = " ".join(infobrief.subject.split())  # one line: no header injection through the subject
        return {
            "subject": f"[TEST] {subject}" if test else subject,
            "html": render_to_string("newsletters/email.html", context),
            "text": render_to_string("newsletters/email.txt", context),
            # The template's own address, else the network office's (verbund.mail.network_reply_to).
            "reply_to": template.reply_to or next(iter(network_reply_to(network)), ""),
        }


def personalise(shared: dict[str, str], *, network: Network, email: str, name: str = "") -> dict[str, str]:
    """One recipient's copy: their unsubscribe link and greeting put into the shared rendering (HTML-escaped in the HTML part)."""

    unsubscribe, greeting = personal_parts(network=network, email=email, name=name)
    return {
        "subject": shared["subject"],
        "html": personal_html(shared["html"], unsubscribe=unsubscribe, greeting=greeting),
        "text": personal_text(shared["text"], unsubscribe=unsubscribe, greeting=greeting),
        "unsubscribe_url": unsubscribe,
        "reply_to": shared["reply_to"],
    }


# The markers in the shared rendering that `personal_text`/`personal_html` replace (newsletters.prepared keeps their lines apart).
PERSONAL_MARKERS = (_UNSUBSCRIBE, _GREETING)


def personal_parts(*, network: Network, email: str, name: str = "") -> tuple[str, str]:
    """A recipient's unsubscribe link and greeting line ("" without a name)."""
    name = " ".join(name.split())
    with translation.override("de"):
        greeting = _("Guten Tag %(name)s,") % {"name": name} if name else ""
    return unsubscribe_url(network, email), greeting


def personal_text(text: str, *, unsubscribe: str, greeting: str) -> str:
    return text.replace(_UNSUBSCRIBE, unsubscribe).replace(_GREETING, greeting)


def personal_html(html: str, *, unsubscribe: str, greeting: str) -> str:
    return html.replace(_UNSUBSCRIBE, escape(unsubscribe)).replace(_GREETING, escape(greeting))


def render(infobrief: Infobrief, *, email: str, name: str = "", test: bool = False) -> dict[str, str]:
    """Subject, HTML and plain text as one recipient sees them (their unsubscribe link included)."""
    return personalise(render_shared(infobrief, test=test), network=infobrief.network, email=email, name=name)


# --- composing ----------------------------------------------------------------------


@transaction.atomic
def entry_place(*, infobrief: Infobrief, entry: Entry, by: User) -> InfobriefEntry:
    if not infobrief.editable:
        raise ValidationError(_("Dieser Infobrief wird schon versendet und kann nicht mehr geändert werden."))
    if entry.network_id != infobrief.network_id:
        raise ValidationError(_("Dieser Beitrag gehört zu einem anderen Verbund."))
    position = (infobrief.placements.aggregate(m=Max("position"))["m"] or 0) + 1
    placement, _created = InfobriefEntry.objects.get_or_create(infobrief=infobrief, entry=entry, defaults={"position": position})
    return placement


@transaction.atomic
def entries_from_meetings(*, infobrief: Infobrief, by: User, days: int = 120) -> int:
    """Fill the dates section from the network's upcoming meetings (one entry per meeting, reused). Returns how many were added."""
    if not infobrief.editable:
        raise ValidationError(_("Dieser Infobrief wird schon versendet und kann nicht mehr geändert werden."))
    now = timezone.now()
    added = 0
    for meeting in Meeting.objects.for_network(infobrief.network).upcoming().filter(starts_at__lte=now + timedelta(days=days)):
        place = ", ".join(part for part in [meeting.venue_name, meeting.venue_address] if part)
        entry, _created = Entry.objects.update_or_create(
            network=infobrief.network,
            meeting=meeting,
            defaults={
                "kind": Entry.Kind.TRADE_FAIR if meeting.kind == Meeting.Kind.TRADE_FAIR else Entry.Kind.DATE,
                "title": meeting.title,
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "place": place[:200],
                "body": meeting.description[:5000],
                "created_by": by,
                "link": settings.SITE_URL + reverse("public_events:meeting", args=[meeting.network.slug, meeting.pk]) if meeting.is_public else "",
            },
        )
        if not infobrief.placements.filter(entry=entry).exists():
            entry_place(infobrief=infobrief, entry=entry, by=by)
            added += 1
    return added


def upcoming_dates(network: Network, *, days: int = 365):
    """Deadlines and dates of the network's entries for the portal and the iCal feed (meetings come from events)."""
    today = timezone.localdate()
    return list(
        Entry.objects.for_network(network)
        .filter(meeting__isnull=True)
        .filter(Q(kind__in=[Entry.Kind.DATE, Entry.Kind.TRADE_FAIR], starts_at__date__gte=today) | Q(kind=Entry.Kind.FUNDING_CALL, deadline__gte=today))
        .order_by("deadline", "starts_at")
    )
