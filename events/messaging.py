"""Mails about a meeting to the people in it: what the office sends from the meeting page, and what a change sends by itself.

From the meeting page the office sends a reminder now, the documentation (a link and,
up to a size, the PDF attached) or a message to everyone registered; each asks first
with the number of recipients. Moving a meeting (time or place) sends an update with
the same calendar UID and a higher SEQUENCE to everyone registered or invited;
cancelling it sends METHOD:CANCEL. Every sending is a MeetingMessage with one row per
recipient, marked when its mail went out: the per-person record of what was sent when.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events import documents
from events.ics import CANCEL, REQUEST, Attendee, itip
from events.invitations import cancel_url, registration_from_link
from events.models import InvitationRecipient, Meeting, MeetingDocument, MeetingMessage, MeetingMessageRecipient, Registration
from events.tokens import make_token
from members.models import Contact
from verbund.background import enqueue_on_commit
from verbund.mail import attach_text, mail_send_later, network_reply_to, render_mail, rows_send
from verbund.models import User

logger = logging.getLogger(__name__)

Kind = MeetingMessage.Kind
DOCUMENTATION_LINK = "documentation-download"
DOCUMENTATION_LINK_MAX_AGE = 60 * 60 * 24 * 400
RESEND_GUARD = timedelta(minutes=10)
# Fields of a meeting whose change moves the entry in people's calendars.
WHEN_AND_WHERE = ("starts_at", "ends_at", "venue_name", "venue_address", "room")

# Who a sending reaches, by its kind: the people holding a seat, or also those waiting.
STATUSES: dict[str, tuple[str, ...]] = {
    Kind.REMINDER: (Registration.Status.REGISTERED,),
    Kind.DOCUMENTATION: (Registration.Status.REGISTERED, Registration.Status.ATTENDED),
    Kind.MESSAGE: (Registration.Status.REGISTERED, Registration.Status.WAITLISTED, Registration.Status.ATTENDED),
    Kind.UPDATE: (Registration.Status.REGISTERED, Registration.Status.WAITLISTED),
    Kind.CANCELLATION: (Registration.Status.REGISTERED, Registration.Status.WAITLISTED),
}
TEMPLATES: dict[str, str] = {
    Kind.REMINDER: "meeting-reminder",
    Kind.DOCUMENTATION: "meeting-documentation",
    Kind.MESSAGE: "meeting-message",
    Kind.UPDATE: "meeting-update",
    Kind.CANCELLATION: "meeting-cancelled",
}


@dataclass
class Person:
    email: str
    name: str
    registration: Registration | None = None
    contact: Contact | None = None


@dataclass
class Audience:
    people: list[Person] = field(default_factory=list)
    without_address: int = 0
    undeliverable: list[str] = field(default_factory=list)  # addresses a mail server refused (marked on the contact)


def message_audience(*, meeting: Meeting, kind: str, registration_ids: Iterable[int] | None = None) -> Audience:
    """The people a sending of this kind reaches (one per address), and how many are left out for want of an address.

    Updates and cancellations also reach everyone invited who has not cancelled. `registration_ids` (a message to
    the people picked on the Teilnehmende tab) narrows it to those registrations of this meeting that are not
    cancelled, whatever else their status.
    """
    audience = Audience()
    seen: set[str] = set()
    if registration_ids is None:
        registrations = meeting.registrations.filter(status__in=STATUSES[kind])
    else:
        registrations = meeting.registrations.filter(pk__in=list(registration_ids)).exclude(status=Registration.Status.CANCELLED)
    registrations = registrations.select_related("contact__organisation").order_by("pk")
    for registration in registrations:
        address = registration.email.strip()
        if not address:
            audience.without_address += 1
        elif registration.contact is not None and registration.contact.email_undeliverable_at is not None:
            audience.undeliverable.append(address)
        elif address.lower() not in seen:
            seen.add(address.lower())
            audience.people.append(Person(address, registration.display_name, registration, registration.contact))
    if kind in {Kind.UPDATE, Kind.CANCELLATION} and registration_ids is None:
        declined = {r.email.strip().lower() for r in meeting.registrations.filter(status=Registration.Status.CANCELLED).select_related("contact")}
        invited = InvitationRecipient.objects.filter(invitation__meeting=meeting, sent_at__isnull=False).select_related("contact").order_by("pk")
        for recipient in invited:
            address = recipient.email.strip()
            if recipient.contact is not None and recipient.contact.email_undeliverable_at is not None:
                continue
            if address.lower() not in seen and address.lower() not in declined:
                seen.add(address.lower())
                name = recipient.contact.full_name if recipient.contact else ""
                audience.people.append(Person(address, name, None, recipient.contact))
    return audience


def current_documentation(meeting: Meeting) -> MeetingDocument | None:
    """The documentation PDF if it is rendered and still matches the meeting; None otherwise."""
    document = MeetingDocument.objects.filter(meeting=meeting, kind=MeetingDocument.Kind.DOCUMENTATION, status=MeetingDocument.Status.DONE).first()
    if document is None or not document.file or document.input_hash != documents.inputs_hash(meeting, MeetingDocument.Kind.DOCUMENTATION):
        return None
    return document


def message_check(*, meeting: Meeting, kind: str) -> None:
    """Raise ValidationError (German, for the page) when a sending of this kind makes no sense now."""
    if kind not in {Kind.REMINDER, Kind.DOCUMENTATION, Kind.MESSAGE}:
        raise ValidationError(_("Diese Nachricht kann nicht von Hand gesendet werden."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Dieses Treffen ist abgesagt."))
    if kind == Kind.REMINDER and meeting.has_started():
        raise ValidationError(_("Das Treffen hat schon begonnen – eine Erinnerung kommt zu spät."))
    if kind == Kind.DOCUMENTATION and current_documentation(meeting) is None:
        raise ValidationError(_("Die Dokumentation ist noch nicht erstellt oder nicht mehr aktuell. Bitte erst die Dokumentation (PDF) erstellen."))


@transaction.atomic
def meeting_message_send(
    *, meeting: Meeting, by: User | None, kind: str, subject: str = "", body: str = "", registration_ids: Iterable[int] | None = None
) -> MeetingMessage:
    """Send a reminder, the documentation or a message to the people of a meeting; one row per address, sent after commit.

    `registration_ids` sends a message to the people picked on the Teilnehmende tab only (see message_audience).
    Raises ValidationError when the sending makes no sense (see message_check) or reaches nobody.
    """
    meeting = Meeting.objects.select_for_update().select_related("network").get(pk=meeting.pk)
    if by is not None:  # the office's own sendings; updates and cancellations come from meeting_changes_announce
        message_check(meeting=meeting, kind=kind)
    if kind == Kind.MESSAGE and not (subject.strip() and body.strip()):
        raise ValidationError(_("Bitte Betreff und Nachricht angeben."))
    audience = message_audience(meeting=meeting, kind=kind, registration_ids=registration_ids)
    addresses = {person.email.lower() for person in audience.people}
    recent = meeting.messages.filter(
        kind=kind, subject=" ".join(subject.split())[:200], body=body.strip()[:20_000], created_at__gte=timezone.now() - RESEND_GUARD
    ).prefetch_related("recipients")
    if by is not None and any({row.email.lower() for row in sending.recipients.all()} == addresses for sending in recent):
        # A double click or the browser's "send again" after going back: the same mail went out to the same people a
        # moment ago (the same text to another choice of people is a new sending).
        raise ValidationError(_("Diese Nachricht wurde eben schon gesendet. Bitte im Protokoll nachsehen, bevor Sie sie erneut senden."))
    if not audience.people:
        raise ValidationError(_("Niemand hat eine E-Mail-Adresse, an die diese Nachricht gehen könnte."))
    message = MeetingMessage.objects.create(
        meeting=meeting,
        kind=kind,
        subject=" ".join(subject.split())[:200],
        body=body.strip()[:20_000],
        sequence=meeting.ics_sequence,
        attach_document=kind == Kind.DOCUMENTATION,
        created_by=by,
    )
    MeetingMessageRecipient.objects.bulk_create(
        [MeetingMessageRecipient(message=message, registration=p.registration, contact=p.contact, name=p.name[:200], email=p.email) for p in audience.people]
    )
    if kind == Kind.REMINDER:
        # The automatic reminder (reminders_send) must not follow a manual one.
        meeting.registrations.filter(pk__in=[p.registration.pk for p in audience.people if p.registration]).update(reminded_at=timezone.now())
    enqueue_on_commit("events.tasks.send_meeting_message_task", message.pk)
    return message


def meeting_changes_announce(*, meeting: Meeting, changed: list[str], by: User | None, reinstated: bool = False) -> MeetingMessage | None:
    """After meeting_update: a change of time or place, the cancellation or taking it back raises the calendar SEQUENCE
    and tells people (an update puts a cancelled entry back into their calendars).

    Runs inside the caller's transaction; the mails go out after commit. Returns the sending, or None when nobody is told.
    """
    cancelled = "status" in changed and meeting.status == Meeting.Status.CANCELLED
    moved = (reinstated or any(name in changed for name in WHEN_AND_WHERE)) and meeting.status != Meeting.Status.CANCELLED
    if not (cancelled or moved):
        return None
    Meeting.objects.filter(pk=meeting.pk).update(ics_sequence=F("ics_sequence") + 1)
    meeting.refresh_from_db(fields=["ics_sequence"])
    if meeting.ends_at < timezone.now():
        return None  # a correction of the record of a past meeting is no news for anyone's calendar
    try:
        return meeting_message_send(meeting=meeting, by=None, kind=Kind.CANCELLATION if cancelled else Kind.UPDATE)
    except ValidationError:  # nobody to tell
        return None


def documentation_url(registration: Registration) -> str:
    """A personal link to the documentation PDF for people without a portal login (guests)."""
    meeting = registration.meeting
    token = make_token(DOCUMENTATION_LINK, {"m": meeting.pk, "r": registration.pk})
    return settings.SITE_URL + reverse("public_events:documentation", kwargs={"network_slug": meeting.network.slug, "pk": meeting.pk, "token": token})


def registration_from_documentation_link(meeting: Meeting, token: str) -> Registration | None:
    registration = registration_from_link(meeting, token, purpose=DOCUMENTATION_LINK, max_age=DOCUMENTATION_LINK_MAX_AGE)
    return registration if registration is not None and registration.status in STATUSES[Kind.DOCUMENTATION] else None


def _build(message: MeetingMessage, recipient: MeetingMessageRecipient, attachment: tuple[str, bytes] | None) -> EmailMessage:
    meeting = message.meeting
    registration = recipient.registration
    context: dict[str, Any] = {
        "meeting": meeting,
        "network": meeting.network,
        "message": message,
        "name": recipient.name,
        "registration": registration,
        "cancel_url": cancel_url(registration) if registration is not None and message.kind in {Kind.REMINDER, Kind.UPDATE, Kind.MESSAGE} else "",
        "portal_url": settings.SITE_URL + reverse("portal_events:meeting", args=[meeting.pk]),
        "has_login": bool(recipient.contact and recipient.contact.user_id),
        "attached": attachment is not None,
    }
    if message.kind == Kind.DOCUMENTATION and registration is not None:
        context["documentation_url"] = documentation_url(registration)
    mail = render_mail(TEMPLATES[message.kind], to=[recipient.email], context=context, reply_to=network_reply_to(meeting.network))
    if message.kind in {Kind.REMINDER, Kind.UPDATE, Kind.CANCELLATION}:
        # The meeting as it now stands, for the calendar: same UID, the SEQUENCE of this sending.
        meeting.ics_sequence = message.sequence
        accepted = registration is not None and registration.status != Registration.Status.WAITLISTED
        method = CANCEL if message.kind == Kind.CANCELLATION else REQUEST
        text, content_type = itip(meeting, method=method, attendee=Attendee(recipient.email, recipient.name, accepted=accepted))
        attach_text(mail, f"treffen-{meeting.pk}.ics", text, content_type)
    if attachment is not None:
        mail.attach(attachment[0], attachment[1], "application/pdf")
    return mail


def meeting_message_deliver(*, message_id: int) -> int:
    """Send the unsent rows of a sending (a redelivered task skips marked rows). Returns how many went out."""
    message = MeetingMessage.objects.select_related("meeting__network").filter(pk=message_id).first()
    if message is None:
        return 0
    attachment = None
    if message.attach_document and (document := current_documentation(message.meeting)) is not None:
        if document.file.size <= settings.MEETING_DOCUMENTATION_ATTACH_MAX_BYTES:
            with document.file.open("rb") as handle:
                attachment = (f"dokumentation-{message.meeting.starts_at:%Y-%m-%d}.pdf", handle.read())
    rows = MeetingMessageRecipient.objects.filter(message=message).select_related("registration__contact", "contact")
    return rows_send(rows=rows, build=lambda recipient: _build(message, recipient, attachment))


def message_counts(message: MeetingMessage) -> dict[str, int]:
    rows = [(r.sent_at, r.error) for r in message.recipients.all()]  # uses the log page's prefetch
    return {
        "total": len(rows),
        "sent": sum(1 for sent, _error in rows if sent),
        "failed": sum(1 for sent, error in rows if not sent and error),
    }


# --- confirmations of the member's own steps --------------------------------------------


def registration_mail(*, registration: Registration, template: str) -> bool:
    """A meeting mail to one registered person after commit, with the meeting as an iTIP REQUEST (CANCEL when she withdrew).

    False without an address. Replies go to the network office.
    """
    if not registration.email:
        return False
    meeting = registration.meeting
    context = {"registration": registration, "meeting": meeting, "network": meeting.network, "cancel_url": cancel_url(registration)}
    message = render_mail(template, to=[registration.email], context=context, reply_to=network_reply_to(meeting.network))
    withdrawn = registration.status == Registration.Status.CANCELLED
    attendee = Attendee(registration.email, registration.display_name, accepted=registration.status != Registration.Status.WAITLISTED)
    text, content_type = itip(meeting, method=CANCEL if withdrawn else REQUEST, attendee=attendee)
    attach_text(message, f"treffen-{meeting.pk}.ics", text, content_type)
    mail_send_later(message=message)
    return True


def registrations_confirm(*, registrations: list[Registration], before: set[int]) -> int:
    """Confirm registrations made now (not the ones in `before`, which were active already). Returns how many mails."""
    return sum(registration_mail(registration=r, template="meeting-confirmed") for r in registrations if r.pk not in before)
