"""Writes of the training programme: proposals become courses, sessions, enrolments with a waitlist, attendance, documentation.

A proposal is a topic over the threshold (matrix.proposals) without a course of
the year yet. The manager accepts it (a planned course), merges several topics
into one course, or drops it (a course in status "dropped" remembers that, so the
proposal does not come back). Enrolments are counted in people: an enrolment
that does not fit the free seats goes onto the waitlist whole; when seats free
up, the waitlist moves up in order, each enrolment that now fits.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Contact, Organisation
from qualification import matrix
from qualification.models import (
    COURSE_FIELDS,
    Attendance,
    Course,
    CourseFile,
    CourseSession,
    Enrolment,
    Topic,
)
from verbund.mail import mail_send_later, render_mail
from verbund.models import Network, User
from verbund.services import save_audited
from verbund.uploads import clean_pdf, download_name

OPEN_FOR_ENROLMENT = [Course.Status.PLANNED, Course.Status.CONFIRMED]
MAX_FILES_PER_COURSE = 50

# Which status may follow which (the manager's buttons offer exactly these).
TRANSITIONS: dict[str, list[str]] = {
    Course.Status.PROPOSED: [Course.Status.PLANNED, Course.Status.DROPPED],
    Course.Status.PLANNED: [Course.Status.CONFIRMED, Course.Status.CANCELLED],
    Course.Status.CONFIRMED: [Course.Status.HELD, Course.Status.CANCELLED, Course.Status.PLANNED],
    Course.Status.HELD: [Course.Status.CONFIRMED],  # a mistake can be undone
    Course.Status.CANCELLED: [Course.Status.PLANNED],
    Course.Status.DROPPED: [Course.Status.PROPOSED],
}


def _topics_of(network: Network, topic_ids: list[int], keep: Collection[int] = frozenset()) -> list[Topic]:
    """The network's active topics of these ids; `keep`: archived ones a course already has stay allowed."""
    ids = {int(pk) for pk in topic_ids}
    topics = list(Topic.objects.filter(network=network, pk__in=ids).filter(Q(archived_at__isnull=True) | Q(pk__in=keep)))
    if not ids or len(topics) != len(ids):
        raise ValidationError(_("Bitte nur Themen dieses Verbunds wählen (mindestens eines)."))
    return topics


def open_proposals(network: Network, year: int, rows: list[matrix.TopicAggregate] | None = None) -> list[matrix.TopicAggregate]:
    """Topics over the threshold that no course of the year (in any status, dropped included) covers yet.

    `rows`: the network's aggregate when the caller has it already.
    """
    handled = set(Course.objects.filter(network=network, year=year).values_list("topics", flat=True))
    rows = matrix.aggregate(network) if rows is None else rows
    return [row for row in rows if row.proposed and row.topic.pk not in handled]


@transaction.atomic
def course_from_topics(
    *,
    network: Network,
    topic_ids: list[int],
    by: User,
    year: int,
    title: str = "",
    status: str = Course.Status.PLANNED,
    format: str = "",
) -> Course:
    """Accept one proposal or merge several into one course; with status "dropped", drop them."""
    topics = _topics_of(network, topic_ids)
    if status not in (Course.Status.PLANNED, Course.Status.PROPOSED, Course.Status.DROPPED):
        raise ValidationError(_("Unbekannter Status."))
    rows = {row.topic.pk: row for row in matrix.aggregate(network)}
    if not format:  # the format most organisations asked for
        wished = sum((rows[t.pk].formats for t in topics if t.pk in rows), start=Counter())
        format = wished.most_common(1)[0][0] if wished else ""
    course = Course(network=network, title=(title.strip() or " / ".join(t.title for t in topics))[:200], format=format, status=status, year=year, created_by=by)
    save_audited(course, by=by)
    course.topics.set(topics)
    return course


@transaction.atomic
def course_drop(*, network: Network, topic_id: int, by: User, year: int) -> Course:
    return course_from_topics(network=network, topic_ids=[topic_id], by=by, year=year, status=Course.Status.DROPPED)


@transaction.atomic
def course_set_status(*, course: Course, status: str, by: User) -> Course:
    course = Course.objects.select_for_update().get(pk=course.pk)
    if status not in TRANSITIONS.get(course.status, []):
        if status not in Course.Status.values:
            raise ValidationError(_("Unbekannter Status."))
        raise ValidationError(
            _("Der Status „%(old)s“ kann nicht zu „%(new)s“ wechseln.") % {"old": course.get_status_display(), "new": Course.Status(status).label}
        )
    if status == Course.Status.HELD and not course.sessions.filter(starts_at__lte=timezone.now()).exists():
        raise ValidationError(_("Ein Kurs gilt erst als durchgeführt, wenn mindestens ein Termin begonnen hat."))
    if status == Course.Status.HELD and not course.enrolments.filter(status=Enrolment.Status.ENROLLED).exists():
        raise ValidationError(_("Ein Kurs ohne Anmeldungen kann nicht als durchgeführt gelten."))
    course.status = status
    save_audited(course, by=by, update_fields=["status"])
    return course


@transaction.atomic
def course_create(*, network: Network, by: User, data: dict[str, Any]) -> Course:
    """A planned course (COURSE_FIELDS) with topics of this network's catalogue."""
    data = COURSE_FIELDS.take(data)
    topics = data.pop("topics", [])
    course = Course(network=network, created_by=by, status=Course.Status.PLANNED, **data)
    save_audited(course, by=by)
    course.topics.set(_topics_of(network, [t.pk for t in topics]))
    return course


@transaction.atomic
def session_delete(*, session: CourseSession, by: User) -> None:
    """Remove a date of a course. Refused once attendance was recorded for it (the indicators count it)."""
    if session.attendances.filter(present__gt=0).exists():
        raise ValidationError(_("Für diesen Termin ist Anwesenheit erfasst; er kann nicht gelöscht werden."))
    session._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    session.delete()


@transaction.atomic
def session_add(*, course: Course, by: User, starts_at: datetime, ends_at: datetime, place: str = "") -> CourseSession:
    session = CourseSession(course=course, starts_at=starts_at, ends_at=ends_at, place=place.strip())
    if ends_at <= starts_at:
        raise ValidationError(_("Das Ende muss nach dem Beginn liegen."))
    if abs(timezone.localtime(starts_at).year - course.year) > 1:
        raise ValidationError(_("Der Termin muss im Kursjahr %(year)s liegen (oder im Jahr davor oder danach).") % {"year": course.year})
    if ends_at - starts_at > timedelta(days=14):
        raise ValidationError(_("Ein Termin dauert höchstens 14 Tage; legen Sie mehrere Termine an."))
    if course.sessions.filter(starts_at=starts_at).exists():
        raise ValidationError(_("Zu diesem Beginn gibt es schon einen Termin."))
    save_audited(session, by=by)
    return session


def seats_taken(course: Course) -> int:
    return Enrolment.objects.filter(course=course, status=Enrolment.Status.ENROLLED).aggregate(n=Sum("head_count"))["n"] or 0


def seats_free(course: Course) -> int | None:
    """None when the course has no seat limit."""
    return None if course.seats is None else max(course.seats - seats_taken(course), 0)


@transaction.atomic
def enrol(
    *,
    course: Course,
    organisation: Organisation,
    by: User,
    contact: Contact | None = None,
    head_count: int = 1,
) -> Enrolment:
    """Enrol a named employee (head count 1) or a number of people of one organisation.

    Refuses courses not open for enrolment, organisations that are not current
    members, contacts of another organisation, head counts below 1 or above the
    course's seats. Fits the free seats → enrolled, else waitlisted (whole).
    """
    course = Course.objects.select_for_update().get(pk=course.pk)  # one enrolment at a time per course: no overbooking
    if course.status not in OPEN_FOR_ENROLMENT:
        raise ValidationError(_("Für diesen Kurs ist keine Anmeldung möglich."))
    if not Organisation.objects.current_members_of(course.network).filter(pk=organisation.pk).exists():
        raise ValidationError(_("Nur Mitglieder des Verbunds können sich anmelden."))
    if contact is not None:
        if contact.organisation_id != organisation.pk or contact.archived_at is not None:
            raise ValidationError(_("Diese Person gehört nicht zu Ihrer Organisation."))
        head_count = 1
    if not isinstance(head_count, int) or head_count < 1:
        raise ValidationError(_("Bitte mindestens eine Person anmelden."))
    if course.seats is not None and head_count > course.seats:
        raise ValidationError(_("Der Kurs hat insgesamt %(seats)s Plätze, zu wenige für %(n)s Personen.") % {"seats": course.seats, "n": head_count})
    free = seats_free(course)
    status = Enrolment.Status.ENROLLED if free is None or head_count <= free else Enrolment.Status.WAITLISTED
    if contact is not None:
        existing = Enrolment.objects.filter(course=course, contact=contact).first()
        if existing is not None and existing.status != Enrolment.Status.CANCELLED:
            raise ValidationError(_("%(name)s ist bereits angemeldet.") % {"name": contact.full_name})
        if existing is not None:  # signed up again after cancelling: the same row, at the end of the queue
            existing.status, existing.head_count, existing.enrolled_by, existing.created_at = status, 1, by, timezone.now()
            save_audited(existing, by=by, update_fields=["status", "head_count", "enrolled_by", "created_at"])
            enrolment_mail(enrolment=existing)
            return existing
    enrolment = Enrolment(course=course, organisation=organisation, contact=contact, head_count=head_count, status=status, enrolled_by=by)
    save_audited(enrolment, by=by)
    enrolment_mail(enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrol_many(*, course: Course, organisation: Organisation, by: User, contacts=(), head_count: int | None = None) -> list[Enrolment]:
    """Named colleagues (a seat each) and/or a head count in one go: all of them or, on the first refusal, none."""
    made = [enrol(course=course, organisation=organisation, by=by, contact=contact) for contact in contacts]
    if head_count:
        made.append(enrol(course=course, organisation=organisation, by=by, head_count=head_count))
    return made


def enrolment_mail(*, enrolment: Enrolment, promoted: bool = False) -> int:
    """Tell the named person and whoever enrolled them (once each) after commit: enrolled, waitlisted, or moved up."""

    course = enrolment.course
    addresses: list[str] = []
    for address in (enrolment.contact.email if enrolment.contact is not None else "", enrolment.enrolled_by.email if enrolment.enrolled_by is not None else ""):
        if address and address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    url = settings.SITE_URL.rstrip("/") + reverse("qualification_portal:course", args=[course.network.slug, course.pk])
    context = {
        "enrolment": enrolment,
        "course": course,
        "network": course.network,
        "promoted": promoted,
        "url": url,
        "sessions": list(course.sessions.order_by("starts_at")),
        "who": enrolment_label(enrolment),
    }
    for address in addresses:
        mail_send_later(message=render_mail("course-enrolment", to=[address], context=context))
    return len(addresses)


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, by: User) -> list[Enrolment]:
    """Cancel and move the waitlist up; returns the enrolments that got a seat."""
    Course.objects.select_for_update().get(pk=enrolment.course_id)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.CANCELLED:
        return []
    enrolment.status = Enrolment.Status.CANCELLED
    save_audited(enrolment, by=by, update_fields=["status"])
    return promote(course=enrolment.course, by=by)


def promote(*, course: Course, by: User | None) -> list[Enrolment]:
    """Give free seats to the waitlist in order; an enrolment that does not fit waits, a smaller one after it may move up."""
    free = seats_free(course)
    promoted = []
    for waiting in Enrolment.objects.filter(course=course, status=Enrolment.Status.WAITLISTED).order_by("created_at", "pk"):
        if free is not None and waiting.head_count > free:
            continue
        waiting.status = Enrolment.Status.ENROLLED
        save_audited(waiting, by=by, update_fields=["status"])
        enrolment_mail(enrolment=waiting, promoted=True)
        promoted.append(waiting)
        if free is not None:
            free -= waiting.head_count
    return promoted


@transaction.atomic
def course_update(*, course: Course, by: User, data: dict) -> list[Enrolment]:
    """Change a course's facts; more seats move the waitlist up (returns who moved up), fewer than already taken are refused."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    seats = data.get("seats", course.seats)
    taken = seats_taken(course)
    if seats is not None and seats < 1:
        raise ValidationError({"seats": _("Bitte mindestens einen Platz angeben (leer lassen: unbegrenzt).")})
    if seats is not None and seats < taken:
        raise ValidationError({"seats": _("Es sind schon %(n)s Personen angemeldet; die Zahl der Plätze kann nicht darunter liegen.") % {"n": taken}})
    COURSE_FIELDS.apply(course, data)
    save_audited(course, by=by)
    if "topics" in data:
        keep = set(course.topics.values_list("pk", flat=True))
        course.topics.set(_topics_of(course.network, [t.pk for t in data["topics"]], keep))
    return promote(course=course, by=by)


@transaction.atomic
def attendance_save(*, session: CourseSession, by: User, present: dict[int, int]) -> None:
    """People present per enrolment at one session: 0 … the enrolment's head count, only enrolled ones of this course."""
    if session.starts_at > timezone.now():
        raise ValidationError(_("Anwesenheit lässt sich erst ab Beginn des Termins erfassen."))
    enrolments = {e.pk: e for e in Enrolment.objects.filter(course_id=session.course_id, status=Enrolment.Status.ENROLLED)}
    errors = []
    for pk, count in present.items():
        enrolment = enrolments.get(pk)
        if enrolment is None:
            errors.append(_("Eine Anmeldung gehört nicht zu diesem Kurs."))
        elif not isinstance(count, int) or not 0 <= count <= enrolment.head_count:
            errors.append(_("%(who)s: anwesend können 0 bis %(n)s sein.") % {"who": enrolment_label(enrolment), "n": enrolment.head_count})
    if errors:
        raise ValidationError(errors)
    for pk, count in present.items():
        Attendance.objects.update_or_create(session=session, enrolment_id=pk, defaults={"present": count})


def enrolment_label(enrolment: Enrolment) -> str:
    if enrolment.contact is not None:
        return f"{enrolment.contact.full_name} ({enrolment.organisation.name})"
    return ngettext("%(org)s, %(n)s Person", "%(org)s, %(n)s Personen", enrolment.head_count) % {"org": enrolment.organisation.name, "n": enrolment.head_count}


@transaction.atomic
def documentation_save(*, course: Course, by: User, text: str, publish: bool) -> Course:
    """Notes of the seminar; published to the network's members only after the course was held."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if publish and course.status != Course.Status.HELD:
        raise ValidationError(_("Die Dokumentation wird erst nach dem Kurs veröffentlicht (Status „Durchgeführt“)."))
    course.documentation = text.strip()
    course.documentation_published_at = (course.documentation_published_at or timezone.now()) if publish else None
    save_audited(course, by=by, update_fields=["documentation", "documentation_published_at"])
    return course


@transaction.atomic
def file_add(*, course: Course, by: User, upload, title: str) -> CourseFile:
    if course.files.count() >= MAX_FILES_PER_COURSE:
        raise ValidationError(_("Ein Kurs kann höchstens %(n)s Dateien haben.") % {"n": MAX_FILES_PER_COURSE})
    data = clean_pdf(upload)
    item = CourseFile(course=course, title=(title.strip() or _("Unterlage"))[:200], size=len(data), uploaded_by=by)
    item.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    try:
        item.full_clean()
        item.save()
    except Exception:
        item.file.delete(save=False)
        raise
    return item


def file_name(item: CourseFile) -> str:
    return download_name(item.title, item.pk, fallback="unterlage")


def file_delete(*, item: CourseFile) -> None:
    item.file.delete(save=False)
    item.delete()
