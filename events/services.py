"""Writes for meetings: scheduling, the programme, registrations with waitlist, minutes and action items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events import messaging
from events.models import (
    ACTION_ITEM_FIELDS,
    AGENDA_ITEM_COPIED_FIELDS,
    AGENDA_ITEM_FIELDS,
    MEETING_FIELDS,
    MINUTE_FIELDS,
    ActionItem,
    AgendaItem,
    Meeting,
    MinuteEntry,
    Registration,
)
from members.models import Contact, Membership
from verbund.models import Network, User
from verbund.services import save_audited

_save = save_audited


def _check_times(data: dict[str, Any]) -> None:
    starts, ends, deadline = data.get("starts_at"), data.get("ends_at"), data.get("registration_deadline")
    if starts and ends and ends <= starts:
        raise ValidationError({"ends_at": _("Das Ende muss nach dem Beginn liegen.")})
    if starts and deadline and deadline > starts:
        raise ValidationError({"registration_deadline": _("Der Anmeldeschluss muss vor dem Beginn liegen.")})


@transaction.atomic
def meeting_create(*, network: Network, by: User, data: dict[str, Any]) -> Meeting:
    """A new meeting from MEETING_FIELDS values; a meeting of a series starts with the programme of its last one."""
    data = MEETING_FIELDS.take(data)
    _check_times(data)
    meeting = Meeting(network=network, **data)
    if meeting.series is not None and meeting.series.network_id != network.pk:
        raise ValidationError({"series": _("Diese Reihe gehört zu einem anderen Verbund.")})
    _save(meeting, by=by)
    if meeting.series_id:
        _copy_agenda_from_last_of_series(meeting, by=by)
    return meeting


def _copy_agenda_from_last_of_series(meeting: Meeting, *, by: User) -> None:
    """A new meeting of a series starts with the programme of the series' latest earlier meeting."""
    previous = Meeting.objects.filter(series=meeting.series, starts_at__lt=meeting.starts_at).exclude(pk=meeting.pk).order_by("-starts_at").first()
    if previous is None:
        return
    for item in previous.agenda_items.all():
        # The programme's frame, not what was said: speakers and summaries belong to the earlier meeting.
        copy = AgendaItem(meeting=meeting, position=item.position, **AGENDA_ITEM_FIELDS.values(item, AGENDA_ITEM_COPIED_FIELDS))
        _save(copy, by=by)


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, data: dict[str, Any]) -> Meeting:
    """Change the MEETING_FIELDS given in `data` (an unknown key raises TypeError); only changed fields are saved."""
    data = MEETING_FIELDS.take(data)
    _check_times(MEETING_FIELDS.values(meeting, ("starts_at", "ends_at", "registration_deadline")) | data)
    changed = MEETING_FIELDS.apply(meeting, data)
    if changed:
        _save(meeting, by=by, update_fields=[*changed, "updated_at"])
        # A new time or place, or the cancellation: calendars get an update (same UID, next SEQUENCE) or a CANCEL.
        messaging.meeting_changes_announce(meeting=meeting, changed=changed, by=by)
    return meeting


# --- the programme ---------------------------------------------------------------


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _validate_agenda_item(item: AgendaItem) -> None:
    """Inside the meeting's hours (on its first day) and not overlapping other items unless one is parallel."""
    meeting = item.meeting
    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    start = _minutes(item.starts_at)
    end = _minutes(item.ends_at) if item.ends_at else start
    if item.ends_at and end <= start:
        raise ValidationError({"ends_at": _("Ein Programmpunkt muss nach seinem Beginn enden.")})
    same_day = local_start.date() == local_end.date()
    if start < _minutes(local_start.time()) or (same_day and end > _minutes(local_end.time())):
        raise ValidationError(
            {
                "starts_at": _("Der Programmpunkt liegt außerhalb des Treffens (%(start)s–%(end)s Uhr).")
                % {"start": f"{local_start:%H:%M}", "end": f"{local_end:%H:%M}"}
            }
        )
    if item.parallel or not item.ends_at:
        return
    for other in meeting.agenda_items.exclude(pk=item.pk).filter(parallel=False, ends_at__isnull=False):
        assert other.ends_at is not None  # filtered above
        if start < _minutes(other.ends_at) and _minutes(other.starts_at) < end:
            raise ValidationError(
                {
                    "starts_at": _("Überschneidet sich mit „%(title)s“ (%(start)s–%(end)s). Als parallel markieren, wenn das gewollt ist.")
                    % {"title": other.title, "start": f"{other.starts_at:%H:%M}", "end": f"{other.ends_at:%H:%M}"}
                }
            )


@transaction.atomic
def agenda_item_save(*, meeting: Meeting, by: User, data: dict[str, Any], item: AgendaItem | None = None) -> AgendaItem:
    """Add an item (at the end) or change one; the programme is then ordered by time."""
    if item is None:
        position = (meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
        item = AgendaItem(meeting=meeting, position=position)
    AGENDA_ITEM_FIELDS.apply(item, data)
    _validate_agenda_item(item)
    _save(item, by=by)
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, direction: str) -> None:
    """Swap an item with its neighbour ("up" or "down") in the order shown."""
    items = list(item.meeting.agenda_items.select_for_update().order_by("position", "starts_at", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
            other.save(update_fields=["position"])


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by: User) -> None:
    item._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    item.delete()


# --- registrations ---------------------------------------------------------------


def _seats_taken(meeting: Meeting) -> int:
    return meeting.registrations.holding_a_seat().count()


@transaction.atomic
def registration_register(
    *,
    meeting: Meeting,
    by: User | None,
    contact: Contact | None = None,
    guest: dict[str, str] | None = None,
    consent_participant_list: bool = False,
    consent_photos: bool = False,
    by_manager: bool = False,
) -> Registration:
    """Register a member contact (or, for managers, a guest). A full meeting puts people on the waitlist.

    Raises ValidationError after the deadline (managers may still add people), for a contact of an
    organisation that is not a current member of the meeting's network, and for cancelled meetings.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)  # serialises seat counting
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Dieses Treffen ist abgesagt."))
    if not by_manager and not meeting.registration_open():
        raise ValidationError(_("Die Anmeldefrist ist abgelaufen."))
    existing = None
    if contact is not None:
        if not Membership.objects.current().filter(network=meeting.network, organisation=contact.organisation).exists():
            raise ValidationError(_("Diese Person gehört zu keiner Mitgliedsorganisation des Verbunds."))
        existing = Registration.objects.filter(meeting=meeting, contact=contact).first()
        if existing and existing.status != Registration.Status.CANCELLED:
            return existing
    elif not guest or not (guest.get("name") or "").strip():
        raise ValidationError(_("Bitte den Namen der Person angeben."))
    full = meeting.capacity is not None and _seats_taken(meeting) >= meeting.capacity
    status = Registration.Status.WAITLISTED if full else Registration.Status.REGISTERED
    registration = existing or Registration(meeting=meeting, contact=contact)
    registration.status = status
    registration.consent_participant_list = consent_participant_list
    registration.consent_photos = consent_photos
    registration.registered_by = by
    if guest:
        registration.guest_name = guest.get("name", "").strip()[:200]
        registration.guest_email = (guest.get("email") or "").strip()[:254]
        registration.guest_organisation = (guest.get("organisation") or "").strip()[:200]
    _save(registration, by=by)
    return registration


@transaction.atomic
def registration_register_many(
    *,
    meeting: Meeting,
    contacts: Iterable[Contact],
    by: User,
    consent_participant_list: bool = False,
    consent_photos: bool = False,
) -> list[Registration]:
    """A member registers itself and colleagues in one step: all of them or, on a refusal, none.

    Everyone newly registered (or put on the waitlist) gets a confirmation with the meeting for the calendar.
    """
    contacts = list(contacts)
    active_before = set(meeting.registrations.filter(contact__in=contacts).exclude(status=Registration.Status.CANCELLED).values_list("pk", flat=True))
    registrations = [
        registration_register(
            meeting=meeting,
            contact=contact,
            by=by,
            consent_participant_list=consent_participant_list,
            consent_photos=consent_photos,
        )
        for contact in contacts
    ]
    messaging.registrations_confirm(registrations=registrations, before=active_before)
    return registrations


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User | None) -> Registration | None:
    """Cancel a registration and promote the first on the waitlist. Returns the promoted registration, if any."""
    registration = Registration.objects.select_related("meeting").select_for_update().get(pk=registration.pk)
    if registration.meeting.has_started():
        raise ValidationError(_("Das Treffen hat schon begonnen."))
    held_a_seat = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    _save(registration, by=by, update_fields=["status", "updated_at"])
    # The person learns it, and her calendar drops the entry (iTIP CANCEL).
    messaging.registration_mail(registration=registration, template="meeting-registration-cancelled")
    if not held_a_seat:
        return None
    first = registration.meeting.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk").first()
    if first is None:
        return None
    first.status = Registration.Status.REGISTERED
    _save(first, by=by, update_fields=["status", "updated_at"])
    messaging.registration_mail(registration=first, template="meeting-promoted")
    return first


def reminders_send(*, now=None) -> int:
    """Remind registered people N days before (N per meeting). Each registration is reminded once."""
    now = now or timezone.now()
    sent = 0
    for meeting in Meeting.objects.filter(
        starts_at__gt=now, reminder_days__isnull=False, status__in=[Meeting.Status.PLANNED, Meeting.Status.INVITED]
    ).select_related("network"):
        assert meeting.reminder_days is not None  # filtered above
        if timezone.localdate(meeting.starts_at) - timezone.localdate(now) > timedelta(days=meeting.reminder_days):
            continue
        for registration in meeting.registrations.filter(status=Registration.Status.REGISTERED, reminded_at__isnull=True).select_related("contact"):
            with transaction.atomic():
                # Claimed by a conditional update: two beat runs never remind twice.
                if Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(reminded_at=now):
                    sent += messaging.registration_mail(registration=registration, template="meeting-reminder")
    return sent


@transaction.atomic
def registration_check_in(*, registration: Registration, by: User, attended: bool = True) -> Registration:
    registration.status = Registration.Status.ATTENDED if attended else Registration.Status.NO_SHOW
    _save(registration, by=by, update_fields=["status", "updated_at"])
    return registration


@transaction.atomic
def registration_walk_in(*, meeting: Meeting, by: User, contact: Contact | None = None, guest: dict[str, str] | None = None) -> Registration:
    """Someone at the door without a registration: registered and marked present, even over capacity."""
    registration = registration_register(meeting=meeting, by=by, contact=contact, guest=guest, by_manager=True)
    return registration_check_in(registration=registration, by=by, attended=True)


# --- minutes and action items -------------------------------------------------------


@transaction.atomic
def minute_add(*, meeting: Meeting, by: User, data: dict[str, Any]) -> MinuteEntry:
    """A Kurzprotokoll entry (MINUTE_FIELDS), at the end; its programme item must be one of this meeting's."""
    data = MINUTE_FIELDS.take(data)
    agenda_item = data.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError(_("Der Programmpunkt gehört zu einem anderen Treffen."))
    position = (meeting.minutes.aggregate(m=Max("position"))["m"] or 0) + 1
    entry = MinuteEntry(meeting=meeting, position=position, created_by=by, **data)
    _save(entry, by=by)
    return entry


@transaction.atomic
def action_item_create(*, network: Network, by: User, data: dict[str, Any], meeting: Meeting | None = None) -> ActionItem:
    """A Verabredung (ACTION_ITEM_FIELDS); its owner must work for a current member of the network."""
    data = ACTION_ITEM_FIELDS.take(data)
    owner = data.get("owner")
    if owner is not None and not Contact.objects.current_in(network).filter(pk=owner.pk).exists():
        raise ValidationError(_("Die verantwortliche Person gehört zu keiner Mitgliedsorganisation dieses Verbunds."))
    item = ActionItem(network=network, meeting=meeting, created_by=by, **data)
    _save(item, by=by)
    return item


@transaction.atomic
def action_item_complete(*, item: ActionItem, by: User, done: bool = True) -> ActionItem:
    item.done_at = timezone.now() if done else None
    _save(item, by=by, update_fields=["done_at"])
    return item


def meeting_at(day, hour: int, minute: int = 0) -> datetime:
    """A timezone-aware local datetime (for seeds and tests)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
