"""Invitations to a meeting: choose an audience, send personal mails with the meeting as .ics, reply and cancel by link.

An invitation is one row per recipient, created in one transaction with the
invitation; a Celery task sends them over one SMTP connection and marks each
row when its mail went out (a redelivered task skips marked rows). Each mail
carries a personal signed link to register without logging in; each
registration confirmation carries a signed link to cancel. Links are signed
per purpose (events/tokens.py): a link made for one thing opens nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.ics import REQUEST, Attendee, itip
from events.models import InvitationRecipient, Meeting, MeetingInvitation, Registration
from events.tokens import make_token, read_token
from members.models import Contact, GovernancePosition, Membership
from verbund.background import enqueue_on_commit
from verbund.mail import attach_text, network_reply_to, render_mail, rows_send
from verbund.models import User

logger = logging.getLogger(__name__)

REPLY = "invitation-reply"
CANCEL = "registration-cancel"
SIGNUP = "public-signup"
REPLY_MAX_AGE = int(timedelta(days=120).total_seconds())
CANCEL_MAX_AGE = int(timedelta(days=400).total_seconds())
SIGNUP_MAX_AGE = int(timedelta(hours=48).total_seconds())


# --- links ---------------------------------------------------------------------------


def reply_url(meeting: Meeting, contact: Contact) -> str:
    token = make_token(REPLY, {"m": meeting.pk, "c": contact.pk})
    return settings.SITE_URL + reverse("public_events:reply", kwargs={"network_slug": meeting.network.slug, "pk": meeting.pk, "token": token})


def contact_from_reply(meeting: Meeting, token: str) -> Contact | None:
    data = read_token(REPLY, token, max_age=REPLY_MAX_AGE)
    if not isinstance(data, dict) or data.get("m") != meeting.pk or data.get("c") is None:
        return None
    return Contact.objects.filter(pk=data["c"], archived_at__isnull=True).select_related("organisation", "user").first()


def cancel_url(registration: Registration) -> str:
    meeting = registration.meeting
    token = make_token(CANCEL, {"m": meeting.pk, "r": registration.pk})
    return settings.SITE_URL + reverse("public_events:cancel", kwargs={"network_slug": meeting.network.slug, "pk": meeting.pk, "token": token})


def registration_from_link(meeting: Meeting, token: str, *, purpose: str, max_age: int) -> Registration | None:
    """The registration a personal link of this purpose was made for, if it belongs to this meeting; None otherwise."""
    data = read_token(purpose, token, max_age=max_age)
    if not isinstance(data, dict) or data.get("m") != meeting.pk or data.get("r") is None:
        return None
    return meeting.registrations.select_related("contact__organisation", "meeting__network").filter(pk=data["r"]).first()


def registration_from_cancel(meeting: Meeting, token: str) -> Registration | None:
    return registration_from_link(meeting, token, purpose=CANCEL, max_age=CANCEL_MAX_AGE)


def signup_url(meeting: Meeting, data: dict) -> str:
    token = make_token(SIGNUP, {"m": meeting.pk, **data})
    return settings.SITE_URL + reverse("public_events:confirm", kwargs={"network_slug": meeting.network.slug, "pk": meeting.pk, "token": token})


def signup_from_token(meeting: Meeting, token: str) -> dict | None:
    data = read_token(SIGNUP, token, max_age=SIGNUP_MAX_AGE)
    if not isinstance(data, dict) or data.get("m") != meeting.pk or not data.get("email") or not data.get("name"):
        return None
    return data


# --- audience ------------------------------------------------------------------------


def audience_contacts(
    *,
    meeting: Meeting,
    audience: str,
    membership_role: str = "",
    governance_function: str = "",
    contact_ids=(),
) -> QuerySet[Contact]:
    """Contacts (with an address, not in the trash) of the network's current member organisations, narrowed by the audience."""
    members = Membership.objects.current().filter(network=meeting.network)
    contacts = (
        Contact.objects.filter(organisation__in=members.values("organisation"), archived_at__isnull=True).exclude(email="").exclude_exited(meeting.network)
    )
    if audience == MeetingInvitation.Audience.PRIMARY:
        contacts = contacts.filter(is_primary=True)
    elif audience == MeetingInvitation.Audience.MEMBERSHIP_ROLE:
        contacts = contacts.filter(organisation__in=members.filter(role=membership_role).values("organisation"))
    elif audience == MeetingInvitation.Audience.GOVERNANCE:
        today = timezone.localdate()
        holders = GovernancePosition.objects.filter(network=meeting.network, function=governance_function).filter(Q(until__isnull=True) | Q(until__gte=today))
        contacts = contacts.filter(pk__in=holders.values("contact"))
    elif audience == MeetingInvitation.Audience.SELECTED:
        ids = [int(i) for i in contact_ids if str(i).isdigit()]
        contacts = contacts.filter(pk__in=ids)
    elif audience != MeetingInvitation.Audience.ALL:
        return Contact.objects.none()
    return contacts.select_related("organisation").order_by("organisation__name", "last_name", "first_name")


@dataclass
class Preview:
    recipients: list[Contact] = field(default_factory=list)
    already_invited: list[Contact] = field(default_factory=list)
    already_registered: list[Contact] = field(default_factory=list)
    duplicate_addresses: list[Contact] = field(default_factory=list)
    without_address: int = 0


def invitation_preview(*, meeting: Meeting, audience: str, membership_role: str = "", governance_function: str = "", contact_ids=()) -> Preview:
    """Who would get the mail, and who is left out and why."""
    preview = Preview()
    chosen = audience_contacts(
        meeting=meeting,
        audience=audience,
        membership_role=membership_role,
        governance_function=governance_function,
        contact_ids=contact_ids,
    )
    invited = {e.lower() for e in InvitationRecipient.objects.filter(invitation__meeting=meeting).values_list("email", flat=True)}
    registered = set(meeting.registrations.exclude(status=Registration.Status.CANCELLED).exclude(contact=None).values_list("contact_id", flat=True))
    seen: set[str] = set()
    for contact in chosen:
        address = contact.email.strip().lower()
        if contact.pk in registered:
            preview.already_registered.append(contact)
        elif address in invited:
            preview.already_invited.append(contact)
        elif address in seen:
            preview.duplicate_addresses.append(contact)
        else:
            seen.add(address)
            preview.recipients.append(contact)
    if audience != MeetingInvitation.Audience.SELECTED:
        members = Membership.objects.current().filter(network=meeting.network)
        preview.without_address = (
            Contact.objects.filter(organisation__in=members.values("organisation"), archived_at__isnull=True, email="").exclude_exited(meeting.network).count()
        )
    return preview


@transaction.atomic
def invitation_create(
    *,
    meeting: Meeting,
    by: User,
    audience: str,
    membership_role: str = "",
    governance_function: str = "",
    contact_ids=(),
    message: str = "",
) -> MeetingInvitation:
    """Create the invitation with one row per recipient and send it after commit. Raises ValidationError."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Dieses Treffen ist abgesagt."))
    if meeting.has_started():
        raise ValidationError(_("Das Treffen hat schon begonnen."))
    preview = invitation_preview(
        meeting=meeting,
        audience=audience,
        membership_role=membership_role,
        governance_function=governance_function,
        contact_ids=contact_ids,
    )
    if not preview.recipients:
        raise ValidationError(_("Niemand in diesem Empfängerkreis kann eingeladen werden."))
    invitation = MeetingInvitation.objects.create(
        meeting=meeting,
        audience=audience,
        membership_role=membership_role,
        governance_function=governance_function,
        message=message.strip()[:5000],
        created_by=by,
    )
    InvitationRecipient.objects.bulk_create([InvitationRecipient(invitation=invitation, contact=c, email=c.email.strip()) for c in preview.recipients])
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.INVITED
        meeting._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        meeting.save(update_fields=["status", "updated_at"])
    invitation_id = invitation.pk
    enqueue_on_commit("events.tasks.send_invitations_task", invitation_id)
    return invitation


def invitation_counts(invitation: MeetingInvitation) -> dict[str, int]:
    rows = list(invitation.recipients.values_list("sent_at", "error"))
    return {
        "total": len(rows),
        "sent": sum(1 for sent, _error in rows if sent),
        "failed": sum(1 for sent, error in rows if not sent and error),
        "pending": sum(1 for sent, error in rows if not sent and not error),
    }


# --- sending -------------------------------------------------------------------------


def _invitation_message(recipient: InvitationRecipient, invitation: MeetingInvitation) -> EmailMultiAlternatives:
    meeting = invitation.meeting
    contact = recipient.contact
    message = render_mail(
        "meeting-invitation",
        to=[recipient.email],
        context={
            "meeting": meeting,
            "network": meeting.network,
            "invitation": invitation,
            "contact": contact,
            "agenda": list(meeting.agenda_items.all()),
            "reply_url": reply_url(meeting, contact) if contact else "",
            "portal_url": settings.SITE_URL + reverse("portal_events:meeting", args=[meeting.pk]),
        },
        reply_to=network_reply_to(meeting.network),
    )
    # iTIP REQUEST: the office invites this person; answering happens through the personal link (RSVP=FALSE).
    text, content_type = itip(meeting, method=REQUEST, attendee=Attendee(recipient.email, contact.full_name if contact else ""))
    attach_text(message, f"treffen-{meeting.pk}.ics", text, content_type)
    return message


def invitation_send(*, invitation_id: int) -> int:
    """Send the unsent rows of an invitation in batches over one connection (verbund.mail.rows_send).

    The Infobrief (newsletters) marks row by row for its stricter promise; invitations
    are few and rarely sent twice.
    """
    invitation = MeetingInvitation.objects.select_related("meeting__network").filter(pk=invitation_id).first()
    if invitation is None:
        return 0
    rows = InvitationRecipient.objects.filter(invitation=invitation).select_related("contact")
    return rows_send(rows=rows, build=lambda recipient: _invitation_message(recipient, invitation))
