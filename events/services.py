"""Writes for meetings: scheduling, the programme, registrations with waitlist, minutes and action items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
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
    CONSENT_FIELDS,
    MEETING_FIELDS,
    MINUTE_FIELDS,
    ActionItem,
    AgendaItem,
    Meeting,
    MinuteEntry,
    Registration,
)
from members.models import Contact, Membership
from members.services import TRASH_DAYS
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
    was_cancelled = meeting.status == Meeting.Status.CANCELLED
    changed = MEETING_FIELDS.apply(meeting, data)
    if changed:
        _save(meeting, by=by, update_fields=[*changed, "updated_at"])
        # A new time or place, the cancellation or its reversal: calendars get an update (same UID, next SEQUENCE) or a CANCEL.
        messaging.meeting_changes_announce(meeting=meeting, changed=changed, by=by, reinstated=was_cancelled and meeting.status != Meeting.Status.CANCELLED)
    return meeting


# --- the programme ---------------------------------------------------------------


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _same_slot(item: AgendaItem, other: AgendaItem) -> bool:
    """Talks in a row in one slot (11:30–12:30 three times) share start and end: one after the other, not overlapping."""
    return item.starts_at == other.starts_at and item.ends_at == other.ends_at


def _validate_agenda_item(item: AgendaItem, *, within_meeting: bool = True) -> None:
    """Inside the meeting's hours (on its first day) and not overlapping other items unless one is parallel.

    Items without an end and items of the same slot (same start and end) follow each other and never overlap.
    `within_meeting=False` skips the first rule: an undo brings back what was there even if the meeting moved since.
    """
    meeting = item.meeting
    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    start = _minutes(item.starts_at)
    end = _minutes(item.ends_at) if item.ends_at else start
    if item.ends_at and end <= start:
        raise ValidationError({"ends_at": _("Ein Programmpunkt muss nach seinem Beginn enden.")})
    same_day = local_start.date() == local_end.date()
    if within_meeting and (start < _minutes(local_start.time()) or (same_day and end > _minutes(local_end.time()))):
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
        if _same_slot(item, other):
            continue
        if start < _minutes(other.ends_at) and _minutes(other.starts_at) < end:
            raise ValidationError(
                {
                    "starts_at": _("Überschneidet sich mit „%(title)s“ (%(start)s–%(end)s). Als parallel markieren, wenn das gewollt ist.")
                    % {"title": other.title, "start": f"{other.starts_at:%H:%M}", "end": f"{other.ends_at:%H:%M}"}
                }
            )


@transaction.atomic
def agenda_item_save(*, meeting: Meeting, by: User, data: dict[str, Any], item: AgendaItem | None = None) -> AgendaItem:
    """Add an item or change any of its AGENDA_ITEM_FIELDS. The programme orders itself by time; a new item comes
    last among the items of its start time. Raises ValidationError (outside the meeting, overlap)."""
    if item is None:
        position = (AgendaItem.with_deleted.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0) + 1
        item = AgendaItem(meeting=meeting, position=position)
        AGENDA_ITEM_FIELDS.apply(item, data)
        _validate_agenda_item(item)
        _save(item, by=by)
        return item
    changed = AGENDA_ITEM_FIELDS.apply(item, data)
    if {"starts_at", "ends_at", "parallel"} & set(changed):
        # Only a new time is checked: a typo fixed in the title of an item the moved meeting left outside stays possible.
        _validate_agenda_item(item)
    if changed:
        _save(item, by=by, update_fields=changed)
    return item


def agenda_neighbours(item: AgendaItem, items: list[AgendaItem]) -> tuple[AgendaItem | None, AgendaItem | None]:
    """The items of the same start time just before and after `item` in `items` (the programme in its order)."""
    ties = [other for other in items if other.starts_at == item.starts_at]
    index = next(i for i, other in enumerate(ties) if other.pk == item.pk)
    return (ties[index - 1] if index > 0 else None, ties[index + 1] if index + 1 < len(ties) else None)


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, direction: str) -> None:
    """Swap an item with its neighbour of the same start time ("up" or "down"): the position only breaks ties.

    Raises ValidationError when there is no such neighbour (the time decides the order, so change the time).
    """
    items = list(item.meeting.agenda_items.select_for_update())
    before, after = agenda_neighbours(item, items)
    other = before if direction == "up" else after
    if other is None:
        raise ValidationError(_("Die Reihenfolge ergibt sich aus der Uhrzeit. Zum Verschieben bitte die Zeit ändern."))
    ties = [i for i in items if i.starts_at == item.starts_at]
    a, b = ties.index(next(i for i in ties if i.pk == item.pk)), ties.index(other)
    ties[a], ties[b] = ties[b], ties[a]
    # Positions are renumbered within the slot so two equal positions never leave the order to the primary key.
    base = min(i.position for i in ties)
    for offset, tie in enumerate(ties):
        if tie.position != base + offset:
            tie.position = base + offset
            _save(tie, by=by, update_fields=["position"], validate=False)


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by: User) -> AgendaItem:
    """Soft delete: the item disappears everywhere but keeps its summary; its minutes and attachments are unlinked
    and remembered, so `agenda_item_restore` brings all of it back."""
    minutes = list(item.minutes.all())
    attachments = list(item.attachments.values_list("pk", flat=True))
    for entry in minutes:
        entry.agenda_item = None
        _save(entry, by=by, update_fields=["agenda_item"], validate=False)
    item.attachments.update(agenda_item=None)
    item.deleted_at = timezone.now()
    item.detached = {"minutes": [entry.pk for entry in minutes], "attachments": attachments}
    _save(item, by=by, update_fields=["deleted_at", "detached"], validate=False)
    return item


@transaction.atomic
def agenda_item_restore(*, item: AgendaItem, by: User) -> AgendaItem:
    """Undo a deletion: the item returns with its summary, and its minutes and attachments are linked again
    (those that were not moved elsewhere in the meantime). Raises ValidationError when its time is taken now."""
    if item.deleted_at is None:
        return item
    item.deleted_at = None
    _validate_agenda_item(item, within_meeting=False)
    detached = item.detached or {}
    for entry in item.meeting.minutes.filter(pk__in=detached.get("minutes", []), agenda_item__isnull=True):
        entry.agenda_item = item
        _save(entry, by=by, update_fields=["agenda_item"], validate=False)
    item.meeting.attachments.filter(pk__in=detached.get("attachments", []), agenda_item__isnull=True).update(agenda_item=item)
    item.detached = {}
    _save(item, by=by, update_fields=["deleted_at", "detached"], validate=False)
    return item


# --- registrations ---------------------------------------------------------------


def _seats_taken(meeting: Meeting) -> int:
    return meeting.registrations.holding_a_seat().count()


def _record_consent(registration: Registration, *, by: User | None, participant_list: bool, photos: bool, source: str, recorded_at: date | None) -> list[str]:
    """Set the consents with where they came from, when and by whom; nothing is recorded when nothing was said."""
    if not (source or participant_list or photos):
        return []
    registration.consent_participant_list = participant_list
    registration.consent_photos = photos
    registration.consent_source = source
    registration.consent_recorded_at = recorded_at or timezone.localdate()
    registration.consent_recorded_by = by
    return ["consent_participant_list", "consent_photos", "consent_source", "consent_recorded_at", "consent_recorded_by"]


@transaction.atomic
def registration_register(
    *,
    meeting: Meeting,
    by: User | None,
    contact: Contact | None = None,
    guest: dict[str, str] | None = None,
    consent_participant_list: bool = False,
    consent_photos: bool = False,
    consent_source: str = "",
    consent_recorded_at: date | None = None,
    by_manager: bool = False,
    round_table_guest: bool = False,
) -> Registration:
    """Register a member contact (or, for managers, a guest). A full meeting puts people on the waitlist.

    The consents are recorded with their source (`Registration.ConsentSource`: the portal, the online sign-up,
    or what the office was told) and date (today unless given). The office's consent for someone already
    registered updates theirs.

    Raises ValidationError after the deadline (managers may still add people), for a contact of an
    organisation that is not a current member of the meeting's network, and for cancelled meetings.
    The one exception to the membership rule is `round_table_guest`: a round table (Meeting.Kind.ROUND_TABLE) may,
    on a manager's word, register a person (not archived) of an organisation from outside its network — the caller
    vouches for them (cooperation: the contact of a confirmed provider from another network the manager runs).
    Every other meeting refuses the flag.
    """

    def record_consent(registration: Registration) -> list[str]:
        return _record_consent(
            registration, by=by, participant_list=consent_participant_list, photos=consent_photos, source=consent_source, recorded_at=consent_recorded_at
        )

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)  # serialises seat counting
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Dieses Treffen ist abgesagt."))
    if not by_manager and not meeting.registration_open():
        raise ValidationError(_("Die Anmeldefrist ist abgelaufen."))
    existing = None
    if contact is not None:
        if round_table_guest:
            if not (by_manager and meeting.kind == Meeting.Kind.ROUND_TABLE and contact.archived_at is None):
                raise ValidationError(_("Gäste aus anderen Verbünden lädt nur das Büro zu einem Runden Tisch ein."))
        elif not Membership.objects.current().filter(network=meeting.network, organisation=contact.organisation).exists():
            raise ValidationError(_("Diese Person gehört zu keiner Mitgliedsorganisation des Verbunds."))
        existing = Registration.objects.filter(meeting=meeting, contact=contact).first()
        if existing and existing.status != Registration.Status.CANCELLED:
            if by_manager and (changed := record_consent(existing)):
                _save(existing, by=by, update_fields=changed)
            return existing
    elif not guest or not (guest.get("name") or "").strip():
        raise ValidationError(_("Bitte den Namen der Person angeben."))
    full = meeting.capacity is not None and _seats_taken(meeting) >= meeting.capacity
    status = Registration.Status.WAITLISTED if full else Registration.Status.REGISTERED
    registration = existing or Registration(meeting=meeting, contact=contact)
    registration.status = status
    registration.consent_participant_list = consent_participant_list
    registration.consent_photos = consent_photos
    record_consent(registration)
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
    """A member registers itself and colleagues in one step (consent source: the portal): all of them or, on a refusal, none.

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
            consent_source=Registration.ConsentSource.PORTAL,
        )
        for contact in contacts
    ]
    messaging.registrations_confirm(registrations=registrations, before=active_before)
    return registrations


@transaction.atomic
def registration_consent_record(*, registration: Registration, by: User, data: dict[str, Any]) -> Registration:
    """The office records (or changes) what a person agreed to (CONSENT_FIELDS): a "yes" at the door, a withdrawal by mail.

    A consent needs its source; the date defaults to today. Withdrawing (both false) keeps the row and records when;
    the history keeps what was agreed before. Raises ValidationError without a source for a consent.
    """
    data = CONSENT_FIELDS.take(data)
    participant_list, photos = bool(data.get("consent_participant_list")), bool(data.get("consent_photos"))
    source = data.get("consent_source") or ""
    if (participant_list or photos) and not source:
        raise ValidationError({"consent_source": _("Bitte angeben, wie das Einverständnis gegeben wurde.")})
    withdrawn = (registration.consent_participant_list and not participant_list) or (registration.consent_photos and not photos)
    changed = _record_consent(registration, by=by, participant_list=participant_list, photos=photos, source=source, recorded_at=data.get("consent_recorded_at"))
    if not changed and withdrawn:  # neither consent nor source given: record the withdrawal itself
        registration.consent_participant_list = registration.consent_photos = False
        registration.consent_recorded_at = data.get("consent_recorded_at") or timezone.localdate()
        registration.consent_recorded_by = by
        changed = ["consent_participant_list", "consent_photos", "consent_recorded_at", "consent_recorded_by"]
    if changed:
        _save(registration, by=by, update_fields=changed)
    return registration


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
def registrations_mark_attended(*, meeting: Meeting, by: User, ids: Iterable[int] | None = None) -> tuple[list[int], int]:
    """Mark the meeting's registered people present in one step ("Alle/Ausgewählte als anwesend markieren").

    Only registrations holding a seat and not marked yet (REGISTERED) change; waitlisted, cancelled and no-show
    ones keep their status and are counted as skipped (a no-show was marked on purpose: one by one it can be
    changed), people already present are neither. `ids` limits it to those registrations of this meeting (ids of
    other meetings match nothing); None means all. Returns the ids marked, for the undo, and the number skipped.
    """
    rows = meeting.registrations.select_for_update().order_by("pk")
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    marked: list[int] = []
    skipped = 0
    for registration in rows:
        if registration.status == Registration.Status.REGISTERED:
            registration.status = Registration.Status.ATTENDED
            _save(registration, by=by, update_fields=["status", "updated_at"])
            marked.append(registration.pk)
        elif registration.status != Registration.Status.ATTENDED:
            skipped += 1
    return marked, skipped


@transaction.atomic
def registrations_attendance_undo(*, meeting: Meeting, by: User, ids: Iterable[int]) -> int:
    """Undo `registrations_mark_attended`: those of `ids` (of this meeting) still marked present are registered again.

    Returns how many changed back; someone checked out or cancelled meanwhile is left as they are now.
    """
    undone = 0
    for registration in meeting.registrations.select_for_update().filter(pk__in=list(ids), status=Registration.Status.ATTENDED).order_by("pk"):
        registration.status = Registration.Status.REGISTERED
        _save(registration, by=by, update_fields=["status", "updated_at"])
        undone += 1
    return undone


@transaction.atomic
def registration_walk_in(*, meeting: Meeting, by: User, contact: Contact | None = None, guest: dict[str, str] | None = None, **consent: Any) -> Registration:
    """Someone at the door without a registration: registered (with the consents given there) and marked present, even over capacity."""
    registration = registration_register(meeting=meeting, by=by, contact=contact, guest=guest, by_manager=True, **consent)
    return registration_check_in(registration=registration, by=by, attended=True)


# --- minutes and action items -------------------------------------------------------


def _check_agenda_item(meeting: Meeting, agenda_item: AgendaItem | None) -> None:
    if agenda_item is not None and (agenda_item.meeting_id != meeting.pk or agenda_item.deleted_at is not None):
        raise ValidationError({"agenda_item": _("Der Programmpunkt gehört zu einem anderen Treffen.")})


@transaction.atomic
def minute_add(*, meeting: Meeting, by: User, data: dict[str, Any]) -> MinuteEntry:
    """A Kurzprotokoll entry (MINUTE_FIELDS), at the end; its programme item must be one of this meeting's."""
    data = MINUTE_FIELDS.take(data)
    _check_agenda_item(meeting, data.get("agenda_item"))
    position = (MinuteEntry.with_deleted.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0) + 1
    entry = MinuteEntry(meeting=meeting, position=position, created_by=by, **data)
    _save(entry, by=by)
    return entry


@transaction.atomic
def minute_update(*, entry: MinuteEntry, by: User, data: dict[str, Any]) -> MinuteEntry:
    """Change an entry's MINUTE_FIELDS: its text, its kind, or the programme item it belongs to (moving it there)."""
    data = MINUTE_FIELDS.take(data)
    if "agenda_item" in data:
        _check_agenda_item(entry.meeting, data["agenda_item"])
    changed = MINUTE_FIELDS.apply(entry, data)
    if changed:
        _save(entry, by=by, update_fields=changed)
    return entry


@transaction.atomic
def minute_move(*, entry: MinuteEntry, by: User, direction: str) -> None:
    """Swap an entry with the previous ("up") or next ("down") entry of the Kurzprotokoll; at either end nothing happens."""
    entries = list(entry.meeting.minutes.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(entries) if other.pk == entry.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(entries):
        return
    entries[index], entries[target] = entries[target], entries[index]
    for position, other in enumerate(entries, start=1):
        if other.position != position:
            other.position = position
            _save(other, by=by, update_fields=["position"], validate=False)


@transaction.atomic
def minute_delete(*, entry: MinuteEntry, by: User) -> MinuteEntry:
    """Soft delete; `minute_restore` undoes it."""
    entry.deleted_at = timezone.now()
    _save(entry, by=by, update_fields=["deleted_at"], validate=False)
    return entry


@transaction.atomic
def minute_restore(*, entry: MinuteEntry, by: User) -> MinuteEntry:
    """Undo a deletion; an entry whose programme item is gone meanwhile comes back without one."""
    entry.deleted_at = None
    fields = ["deleted_at"]
    if entry.agenda_item is not None and entry.agenda_item.deleted_at is not None:
        entry.agenda_item = None
        fields.append("agenda_item")
    _save(entry, by=by, update_fields=fields, validate=False)
    return entry


def _check_owner(network: Network, owner: Contact | None) -> None:
    if owner is not None and not Contact.objects.current_in(network).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Die verantwortliche Person gehört zu keiner Mitgliedsorganisation dieses Verbunds.")})


@transaction.atomic
def action_item_create(*, network: Network, by: User, data: dict[str, Any], meeting: Meeting | None = None) -> ActionItem:
    """A Verabredung (ACTION_ITEM_FIELDS); its owner must work for a current member of the network.

    A due date in the past is accepted (minutes are often typed in after the fact); the view warns about it."""
    data = ACTION_ITEM_FIELDS.take(data)
    _check_owner(network, data.get("owner"))
    item = ActionItem(network=network, meeting=meeting, created_by=by, **data)
    _save(item, by=by)
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, by: User, data: dict[str, Any]) -> ActionItem:
    """Change what, who and until when (ACTION_ITEM_FIELDS); the owner must work for a current member."""
    data = ACTION_ITEM_FIELDS.take(data)
    if "owner" in data and data["owner"] != item.owner:
        _check_owner(item.network, data["owner"])
    changed = ACTION_ITEM_FIELDS.apply(item, data)
    if changed:
        _save(item, by=by, update_fields=changed)
    return item


@transaction.atomic
def action_item_complete(*, item: ActionItem, by: User, done: bool = True) -> ActionItem:
    item.done_at = timezone.now() if done else None
    _save(item, by=by, update_fields=["done_at"])
    return item


@transaction.atomic
def action_item_delete(*, item: ActionItem, by: User) -> ActionItem:
    """Soft delete; `action_item_restore` undoes it."""
    item.deleted_at = timezone.now()
    _save(item, by=by, update_fields=["deleted_at"], validate=False)
    return item


@transaction.atomic
def action_item_restore(*, item: ActionItem, by: User) -> ActionItem:
    item.deleted_at = None
    _save(item, by=by, update_fields=["deleted_at"], validate=False)
    return item


def meeting_at(day, hour: int, minute: int = 0) -> datetime:
    """A timezone-aware local datetime (for seeds and tests)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def meeting_content_purge(*, now: datetime | None = None) -> int:
    """Delete for good what was removed from meeting pages (programme items, minutes, action items) more than
    the trash period (members.services.TRASH_DAYS, the one setting TRASH_RETENTION_DAYS) ago: "Rückgängig" is for mistakes, not an archive of names and texts. Returns how many rows."""
    cutoff = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    purged = 0
    for model in (MinuteEntry, ActionItem, AgendaItem):
        purged += model.with_deleted.filter(deleted_at__lt=cutoff).delete()[1].get(model._meta.label, 0)
    return purged
