"""What needs doing today ("Heute zu tun"): the to-dos of one network, or of all networks a manager runs.

`todos(networks, user=…)` is the one implementation for both start pages. Every kind is one query over all the
networks at once (`network__in`, counted and grouped in the database; the meeting kinds share one), so a start page
costs the same number of queries for one network with 50,000 members as for twenty networks. Each item links to the
page where it is resolved and is gone once it is; "new" things (a shared company check) and failed sends drop out
after a while (`NEW_SHARE_DAYS`, `RECENT_DAYS`). A long kind lists its most urgent `ITEMS_PER_KIND` and counts the
rest.

Funding applications of practice projects (`funding_deadlines`): a project still an idea or in preparation whose
application deadline (`Project.funding_deadline`) lies within the next `FUNDING_DEADLINE_DAYS` (21) days shows on the
start page of its parent network and of the project network itself; a deadline already passed stays, marked late,
until the project moves on (running, finished or dropped) or the deadline is changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cooperation.models import ContactLogEntry
from cooperation.models.projects import Project
from events.models import ActionItem, InvitationRecipient, Meeting, MeetingMessageRecipient, Registration
from health.models import MemberReport, ReportPeriod, ReportRequest, Survey, SurveyInvitation, SurveyResponse
from members.imports import DRAFT_HOURS
from members.models import Contact
from members.selectors import current_member_q
from newsletters.models import Delivery, Entry, Infobrief, InfobriefEntry
from qualification.models import CheckShare, Course
from verbund.formatting import format_date, format_number
from verbund.models import BackgroundJob, ManagerRole, Network, User

UPCOMING_DAYS = 42  # "the next six weeks": meetings, their consents, funding deadlines
DUE_SOON_DAYS = 7  # action items due within a week count as due this week
RECENT_DAYS = 30  # failed sends and undeliverable addresses of the last month
NEW_SHARE_DAYS = 14  # a company check shared with the office is new for two weeks
ITEMS_PER_KIND = 5  # the most urgent ones are listed, the rest counted
FUNDING_DEADLINE_DAYS = 21  # a project's funding application: three weeks to finish it
APPLYING = [Project.Status.IDEA, Project.Status.PREPARING]  # the statuses in which an application is still to be made

OVERDUE, SOON = "overdue", "soon"  # urgency: sorts first and shows as a badge
SEAT_STATUSES = [Registration.Status.REGISTERED, Registration.Status.ATTENDED]
ANNOUNCED = [Infobrief.Status.SCHEDULED, Infobrief.Status.SENDING, Infobrief.Status.SENT]


@dataclass(frozen=True, kw_only=True)
class Todo:
    """One thing to do: what, where it is resolved, in which network, when it is due and how many it concerns."""

    label: str
    url: str
    network: Network
    detail: str = ""
    count: int | None = None
    due: date | datetime | None = None
    urgency: str = ""  # OVERDUE, SOON or ""
    badge: str = ""  # the urgency in words, shown beside the item

    @property
    def tone(self) -> str:
        return {OVERDUE: "danger", SOON: "warning"}.get(self.urgency, "info")

    @property
    def when_iso(self) -> str:
        """The due date for <time datetime>: to the second (HTML allows at most three decimals)."""
        if isinstance(self.due, datetime):
            return timezone.localtime(self.due).replace(microsecond=0).isoformat()
        return self.due.isoformat() if self.due is not None else ""

    @property
    def when(self) -> str:
        """The due date as shown: a deadline "bis 12.03.2026", a moment (a meeting's start) "12.03.2026, 14:00"."""
        if self.due is None:
            return ""
        if isinstance(self.due, datetime):
            return format_date(self.due, "datetime_short")
        return _("bis %(date)s") % {"date": format_date(self.due, "date_short")}


@dataclass(kw_only=True)
class TodoGroup:
    kind: str
    title: str
    items: list[Todo]
    total: int  # all items of the kind, also those not listed

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class _Found:
    items: list[Todo] = field(default_factory=list)
    total: int = 0


def _capped(queryset: QuerySet[Any], make: Callable[[Any], Todo | None]) -> _Found:
    """The first ITEMS_PER_KIND rows of `queryset` as items and the number of all its rows, in one query."""
    rows = list(queryset.annotate(todo_total=Window(Count("pk")))[:ITEMS_PER_KIND])
    items = [item for row in rows if (item := make(row)) is not None]
    return _Found(items, rows[0].todo_total if rows else 0)


def _listed(items: list[Todo]) -> _Found:
    """Items collected in Python (from a query already bounded): the most urgent first, then by due date."""
    order = {OVERDUE: 0, SOON: 1}
    items = sorted(items, key=lambda t: (order.get(t.urgency, 2), _sortable(t.due)))
    return _Found(items[:ITEMS_PER_KIND], len(items))


def _sortable(due: date | datetime | None) -> datetime:
    if due is None:
        return datetime.max.replace(tzinfo=timezone.get_current_timezone())
    if isinstance(due, datetime):
        return due
    return timezone.make_aware(datetime.combine(due, datetime.min.time()))


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """The number of rows of a correlated subquery. Subqueries, not joins: several counts of one row never multiply.

    COUNT as a plain function, not an aggregate, so Django adds no GROUP BY: the subquery is one row, its count.
    """
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _n(value: int) -> str:
    return format_number(value)


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


class _Collector:
    def __init__(self, networks: Sequence[Network], user: User, now: datetime) -> None:
        self.networks = {network.pk: network for network in networks}
        self.pks = list(self.networks)
        self.user = user
        self.now = now
        self.today = timezone.localdate(now)

    def network(self, pk: int) -> Network:
        return self.networks[pk]

    # --- meetings: one query for upcoming meetings, drafts, reminders and consents ---------------------------

    @cached_property
    def future_meetings(self) -> list[Any]:  # Meetings with the counts annotated below
        """Meetings not over yet and not cancelled, with their seat, waitlist, reminder and consent counts."""
        registrations = Registration.objects.filter(meeting=OuterRef("pk"))
        return list(
            Meeting.objects.filter(network__in=self.pks, ends_at__gte=self.now)
            .exclude(status=Meeting.Status.CANCELLED)
            .annotate(
                seats_taken=_count_of(registrations.filter(status__in=SEAT_STATUSES)),
                waitlisted=_count_of(registrations.filter(status=Registration.Status.WAITLISTED)),
                unreminded=_count_of(registrations.filter(status=Registration.Status.REGISTERED, reminded_at__isnull=True)),
                # No decision on the participant list yet: no "yes", and nothing recorded (a "no" has a date).
                consent_missing=_count_of(registrations.filter(status__in=SEAT_STATUSES, consent_participant_list=False, consent_recorded_at__isnull=True)),
            )
            .order_by("starts_at", "pk")
        )

    @property
    def window_end(self) -> datetime:
        return self.now + timedelta(days=UPCOMING_DAYS)

    def meetings(self) -> _Found:
        items = []
        for meeting in self.future_meetings:
            if meeting.starts_at > self.window_end:
                continue
            network = self.network(meeting.network_id)
            if meeting.capacity is not None:
                seats = ngettext("%(taken)s von %(capacity)s Platz belegt", "%(taken)s von %(capacity)s Plätzen belegt", meeting.capacity) % {
                    "taken": _n(meeting.seats_taken),
                    "capacity": _n(meeting.capacity),
                }
            else:
                seats = ngettext("%(n)s Anmeldung", "%(n)s Anmeldungen", meeting.seats_taken) % {"n": _n(meeting.seats_taken)}
            if meeting.waitlisted:
                seats += " · " + _("%(n)s auf der Warteliste") % {"n": _n(meeting.waitlisted)}
            not_invited = meeting.status == Meeting.Status.PLANNED
            items.append(
                Todo(
                    label=meeting.title,
                    url=_url("events:invite", network.slug, meeting.pk)
                    if not_invited
                    else _url("events:meeting", network.slug, meeting.pk) + "?tab=participants",
                    network=network,
                    detail=seats,
                    count=meeting.seats_taken,
                    due=meeting.starts_at,
                    urgency=SOON if not_invited else "",
                    badge=_("Einladung noch nicht versendet") if not_invited else "",
                )
            )
        return _Found(items[:ITEMS_PER_KIND], len(items))  # in date order: the agenda of the next weeks

    def reminders(self) -> _Found:
        """The rule of events.services.reminders_send: N days before (the meeting's own N), registered, not reminded."""
        items = []
        for meeting in self.future_meetings:
            if meeting.reminder_days is None or not meeting.unreminded or meeting.starts_at <= self.now:
                continue
            if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.INVITED):
                continue
            if timezone.localdate(meeting.starts_at) - self.today > timedelta(days=meeting.reminder_days):
                continue
            network = self.network(meeting.network_id)
            items.append(
                Todo(
                    label=meeting.title,
                    url=_url("events:message_send", network.slug, meeting.pk, "reminder"),
                    network=network,
                    detail=ngettext("%(n)s angemeldete Person noch nicht erinnert", "%(n)s angemeldete Personen noch nicht erinnert", meeting.unreminded)
                    % {"n": _n(meeting.unreminded)},
                    count=meeting.unreminded,
                    due=meeting.starts_at,
                    urgency=SOON,
                    badge=_("Erinnerung fällig"),
                )
            )
        return _listed(items)

    def consents(self) -> _Found:
        items = []
        for meeting in self.future_meetings:
            if meeting.starts_at > self.window_end or not meeting.consent_missing:
                continue
            network = self.network(meeting.network_id)
            items.append(
                Todo(
                    label=meeting.title,
                    url=_url("events:meeting", network.slug, meeting.pk) + "?tab=participants#participants",
                    network=network,
                    detail=ngettext(
                        "%(n)s angemeldete Person ohne Angabe zur Teilnehmendenliste",
                        "%(n)s angemeldete Personen ohne Angabe zur Teilnehmendenliste",
                        meeting.consent_missing,
                    )
                    % {"n": _n(meeting.consent_missing)},
                    count=meeting.consent_missing,
                    due=meeting.starts_at,
                )
            )
        return _listed(items)

    def drafts(self) -> _Found:
        """Infobrief drafts, and meetings in planning (no invitation yet) beyond the next weeks' list."""
        infobriefe = _capped(
            Infobrief.objects.filter(network__in=self.pks, status=Infobrief.Status.DRAFT).order_by("-updated_at", "-pk"),
            lambda infobrief: Todo(
                label=_("Infobrief „%(subject)s“") % {"subject": infobrief.subject},
                url=_url("newsletters:infobrief", self.network(infobrief.network_id).slug, infobrief.pk),
                network=self.network(infobrief.network_id),
                detail=_("Entwurf, zuletzt bearbeitet am %(date)s") % {"date": _date(infobrief.updated_at)},
            ),
        )
        planned = [m for m in self.future_meetings if m.status == Meeting.Status.PLANNED and m.starts_at > self.window_end]
        meetings = [
            Todo(
                label=_("Treffen „%(title)s“") % {"title": meeting.title},
                url=_url("events:invite", self.network(meeting.network_id).slug, meeting.pk),
                network=self.network(meeting.network_id),
                detail=_("In Planung, noch nicht eingeladen"),
                due=meeting.starts_at,
            )
            for meeting in planned
        ]
        items = infobriefe.items + meetings
        return _Found(items[:ITEMS_PER_KIND], infobriefe.total + len(meetings))

    # --- action items ------------------------------------------------------------------------------------

    def action_items(self) -> _Found:
        def make(item: ActionItem) -> Todo:
            network = self.network(item.network_id)
            overdue = item.due_on is not None and item.due_on < self.today
            if item.meeting_id is not None:
                url = _url("events:meeting", network.slug, item.meeting_id) + f"?tab=minutes#action-item-{item.pk}"
            else:
                url = _url("manage:network_home", network.slug) + "#open-items"
            parts = [item.owner.full_name] if item.owner is not None else []
            if item.meeting is not None:
                parts.append(item.meeting.title)
            return Todo(
                label=item.title,
                url=url,
                network=network,
                detail=" · ".join(parts),
                due=item.due_on,
                urgency=OVERDUE if overdue else SOON,
                badge=_("überfällig") if overdue else _("diese Woche fällig"),
            )

        return _capped(
            ActionItem.objects.filter(network__in=self.pks, done_at__isnull=True, due_on__lte=self.today + timedelta(days=DUE_SOON_DAYS))
            .select_related("meeting", "owner")
            .order_by("due_on", "pk"),
            make,
        )

    # --- contact log: the office's next steps (cooperation.outreach) ------------------------------------------

    def next_steps(self) -> _Found:
        """Next steps of the contact log due today or overdue and not done; resolved ("Erledigt") on the log page."""

        def make(entry: Any) -> Todo:
            network = self.network(entry.network_id)
            overdue = entry.next_step_due < self.today
            return Todo(
                label=entry.next_step,
                url=_url("outreach:log", network.slug) + "?open=on",
                network=network,
                detail=entry.organisation.name,
                due=entry.next_step_due,
                urgency=OVERDUE if overdue else SOON,
                badge=_("überfällig") if overdue else _("heute fällig"),
            )

        return _capped(
            ContactLogEntry.objects.filter(network__in=self.pks, next_step_done_at__isnull=True, next_step_due__lte=self.today)
            .select_related("organisation")
            .order_by("next_step_due", "pk"),
            make,
        )

    # --- Infobrief entries ----------------------------------------------------------------------------------

    def funding_calls(self) -> _Found:
        announced = InfobriefEntry.objects.filter(entry=OuterRef("pk"), infobrief__status__in=ANNOUNCED)

        def make(entry: Any) -> Todo:  # an Entry with `announced`
            network = self.network(entry.network_id)
            parts = [entry.funder] if entry.funder else []
            if not entry.announced:
                parts.append(_("noch in keinem Infobrief"))
            soon = entry.deadline is not None and entry.deadline <= self.today + timedelta(days=DUE_SOON_DAYS)
            return Todo(
                label=entry.title,
                url=_url("newsletters:entry_edit", network.slug, entry.pk),
                network=network,
                detail=" · ".join(parts),
                due=entry.deadline,
                urgency=SOON if soon else "",
                badge=_("Frist in dieser Woche") if soon else "",
            )

        return _capped(
            Entry.objects.filter(
                network__in=self.pks,
                kind=Entry.Kind.FUNDING_CALL,
                deadline__gte=self.today,
                deadline__lte=self.today + timedelta(days=UPCOMING_DAYS),
            )
            .annotate(announced=Exists(announced))
            .order_by("deadline", "pk"),
            make,
        )

    # --- practice projects: funding applications (cooperation.projects) -------------------------------------------

    def funding_deadlines(self) -> _Found:
        """Projects (of a managed parent, or managed themselves) still applying whose deadline is near or passed."""

        def make(project: Any) -> Todo:
            late = project.funding_deadline < self.today
            soon = project.funding_deadline <= self.today + timedelta(days=DUE_SOON_DAYS)
            if project.parent_id in self.networks:  # the project page lives in the parent's area
                network = self.network(project.parent_id)
                url = _url("projects:detail", network.slug, project.pk)
            else:
                network = self.network(project.network_id)
                url = _url("manage:network_home", network.slug)
            return Todo(
                label=project.network.name,
                url=url,
                network=network,
                detail=project.funding_programme,
                due=project.funding_deadline,
                urgency=OVERDUE if late else SOON if soon else "",
                badge=_("Frist abgelaufen") if late else _("Frist in dieser Woche") if soon else "",
            )

        return _capped(
            Project.objects.filter(
                Q(parent__in=self.pks) | Q(network__in=self.pks),
                status__in=APPLYING,
                network__archived_at__isnull=True,
                funding_deadline__lte=self.today + timedelta(days=FUNDING_DEADLINE_DAYS),
            )
            .select_related("network")
            .order_by("funding_deadline", "pk"),
            make,
        )

    # --- failed sends ----------------------------------------------------------------------------------------

    def failed_sends(self) -> _Found:
        """Infobriefe with failed or held-back deliveries (hard bounces end a delivery as failed) or a paused sending;
        meetings whose invitations or messages did not reach everyone; contacts whose address was refused lately."""
        since = self.now - timedelta(days=RECENT_DAYS)
        items: list[Todo] = []
        infobriefe = (
            Infobrief.objects.filter(network__in=self.pks)
            .filter(Q(status=Infobrief.Status.PAUSED) | Q(send_started_at__gte=since) | Q(sent_at__gte=since))
            .annotate(failed=_count_of(Delivery.objects.filter(infobrief=OuterRef("pk"), status__in=[Delivery.Status.FAILED, Delivery.Status.PARKED])))
            .filter(Q(failed__gt=0) | Q(status=Infobrief.Status.PAUSED))
            .order_by("-send_started_at", "-pk")
        )
        for infobrief in infobriefe:
            network = self.network(infobrief.network_id)
            paused = infobrief.status == Infobrief.Status.PAUSED
            detail = _("%(n)s nicht zugestellt") % {"n": _n(infobrief.failed)} if infobrief.failed else ""
            items.append(
                Todo(
                    label=_("Infobrief „%(subject)s“") % {"subject": infobrief.subject},
                    url=_url("newsletters:progress", network.slug, infobrief.pk),
                    network=network,
                    detail=detail,
                    count=infobrief.failed,
                    urgency=OVERDUE,
                    badge=_("Versand angehalten") if paused else _("Zustellung fehlgeschlagen"),
                )
            )
        for model, relation, page, badge in (
            (InvitationRecipient, "invitation", "events:invite", _("Einladung nicht zugestellt")),
            (MeetingMessageRecipient, "message", "events:messages", _("Nachricht nicht zugestellt")),
        ):
            failed = (
                model.objects.filter(**{f"{relation}__meeting__network__in": self.pks, f"{relation}__created_at__gte": since}, sent_at__isnull=True)
                .exclude(error="")
                .values(f"{relation}__meeting", f"{relation}__meeting__title", f"{relation}__meeting__network")
                .annotate(n=Count("pk"))
                .order_by(f"{relation}__meeting")
            )
            for row in failed:
                network = self.network(row[f"{relation}__meeting__network"])
                items.append(
                    Todo(
                        label=row[f"{relation}__meeting__title"],
                        url=_url(page, network.slug, row[f"{relation}__meeting"]),
                        network=network,
                        detail=ngettext("%(n)s Empfänger:in nicht erreicht", "%(n)s Empfänger:innen nicht erreicht", row["n"]) % {"n": _n(row["n"])},
                        count=row["n"],
                        urgency=OVERDUE,
                        badge=badge,
                    )
                )
        undeliverable = (
            Contact.objects.filter(
                current_member_q("organisation__memberships__"),
                organisation__memberships__network__in=self.pks,
                archived_at__isnull=True,
                email_undeliverable_at__gte=since,
            )
            # One row per contact and network it is a member's contact in (the join on the memberships).
            .annotate(in_network=F("organisation__memberships__network"), organisation_name=F("organisation__name"))
            .order_by("-email_undeliverable_at", "pk")
        )
        contacts = _capped(undeliverable, self._undeliverable)
        return _Found((items + contacts.items)[:ITEMS_PER_KIND], len(items) + contacts.total)

    def _undeliverable(self, contact: Contact) -> Todo:
        network = self.network(contact.in_network)  # type: ignore[attr-defined]  # annotated above
        return Todo(
            label=contact.full_name or contact.email,
            url=_url("directory:contact_edit", network.slug, contact.pk),
            network=network,
            detail=_("%(email)s (%(organisation)s): Adresse unzustellbar") % {"email": contact.email, "organisation": contact.organisation_name},  # type: ignore[attr-defined]
            urgency=SOON,
            badge=_("Adresse prüfen"),
        )

    # --- qualification --------------------------------------------------------------------------------------

    def shared_checks(self) -> _Found:
        def make(share: CheckShare) -> Todo:
            network = self.network(share.round.network_id)
            return Todo(
                label=share.round.organisation.name,
                url=_url("qualification:check_round", network.slug, share.round_id),
                network=network,
                detail=_("%(check)s, freigegeben am %(date)s") % {"check": share.round.template.title, "date": _date(share.granted_at)},
            )

        return _capped(
            CheckShare.objects.filter(
                round__network__in=self.pks, with_managers=True, withdrawn_at__isnull=True, granted_at__gte=self.now - timedelta(days=NEW_SHARE_DAYS)
            )
            .select_related("round__organisation", "round__template")
            .order_by("-granted_at", "-pk"),
            make,
        )

    def course_proposals(self) -> _Found:
        def make(course: Course) -> Todo:
            network = self.network(course.network_id)
            return Todo(
                label=course.title,
                url=_url("qualification:course", network.slug, course.pk),
                network=network,
                detail=_("Vorschlag für %(year)s: planen oder verwerfen") % {"year": course.year},
            )

        return _capped(Course.objects.filter(network__in=self.pks, status=Course.Status.PROPOSED).order_by("year", "created_at", "pk"), make)

    # --- members ----------------------------------------------------------------------------------------------

    def imports(self) -> _Found:
        """This user's uploads not confirmed yet (drafts belong to who uploaded them; they are discarded after DRAFT_HOURS)."""

        def make(job: BackgroundJob) -> Todo:
            network = self.network(job.network_id)
            return Todo(
                label=job.title,
                url=_url("io:import_preview", network.slug, job.pk),
                network=network,
                detail=_("Hochgeladen am %(date)s, noch nicht bestätigt") % {"date": _datetime(job.created_at)},
                due=job.created_at + timedelta(hours=DRAFT_HOURS),
                urgency=SOON,
                badge=_("wird sonst verworfen"),
            )

        return _capped(
            BackgroundJob.objects.filter(
                network__in=self.pks,
                user=self.user,
                kind=BackgroundJob.Kind.IMPORT,
                status=BackgroundJob.Status.PENDING,
                params__confirmed=False,
                created_at__gte=self.now - timedelta(hours=DRAFT_HOURS),
            )
            .only("pk", "network", "title", "created_at")  # not the uploaded rows in `params`
            .order_by("created_at", "pk"),
            make,
        )

    # --- health: cadence, surveys, member reports ----------------------------------------------------------

    def cadence(self) -> _Found:
        """Meetings held (started, not cancelled) in the last twelve months against the planned number per year."""
        held = Q(meetings__starts_at__gte=self.now - timedelta(days=365), meetings__starts_at__lte=self.now) & ~Q(meetings__status=Meeting.Status.CANCELLED)
        items = []
        for network in Network.objects.filter(pk__in=self.pks, meetings_per_year__gt=0).annotate(held=Count("meetings", filter=held)).order_by("name"):
            assert network.meetings_per_year is not None  # filtered above
            if network.held >= network.meetings_per_year:
                continue
            items.append(
                Todo(
                    label=_("In den letzten zwölf Monaten fanden %(held)s von %(planned)s geplanten Treffen statt.")
                    % {"held": _n(network.held), "planned": _n(network.meetings_per_year)},
                    url=_url("events:meeting_create", network.slug),
                    network=self.network(network.pk),
                    detail=_("Nächstes Treffen anlegen"),
                    count=network.meetings_per_year - network.held,
                )
            )
        return _Found(items[:ITEMS_PER_KIND], len(items))

    def surveys(self) -> _Found:
        def make(survey: Any) -> Todo:  # a Survey with `answers` and `invited`
            network = self.network(survey.network_id)
            closed_late = survey.closes_on is not None and survey.closes_on < self.today
            return Todo(
                label=(_("„%(title)s“") if str(survey.year) in survey.title else _("„%(title)s“ (%(year)s)")) % {"title": survey.title, "year": survey.year},
                url=_url("health_surveys:detail", network.slug, survey.pk),
                network=network,
                detail=ngettext("%(answers)s Antwort von %(invited)s Eingeladenen", "%(answers)s Antworten von %(invited)s Eingeladenen", survey.answers)
                % {"answers": _n(survey.answers), "invited": _n(survey.invited)},
                count=survey.answers,
                due=survey.closes_on,
                urgency=OVERDUE if closed_late else "",
                badge=_("Antwortfrist abgelaufen: abschließen") if closed_late else "",
            )

        return _capped(
            Survey.objects.filter(network__in=self.pks, status=Survey.Status.OPEN)
            .annotate(
                answers=_count_of(SurveyResponse.objects.filter(survey=OuterRef("pk"))),
                invited=_count_of(SurveyInvitation.objects.filter(survey=OuterRef("pk"), sent_at__isnull=False)),
            )
            .order_by("closes_on", "pk"),
            make,
        )

    def reports(self) -> _Found:
        """Periods of active report requests past their due date with reports still missing (asked members without a
        submitted report for the period)."""
        asked = ReportRequest.organisations.through.objects.filter(reportrequest=OuterRef("request"))
        submitted = MemberReport.objects.filter(period=OuterRef(OuterRef("pk")), organisation=OuterRef("organisation"), submitted_at__isnull=False)

        def make(period: Any) -> Todo:  # a ReportPeriod with `asked` and `missing`
            network = self.network(period.request.network_id)
            return Todo(
                label=_("„%(title)s“ %(period)s") % {"title": period.request.title, "period": period},
                url=_url("health_reports:period", network.slug, period.pk),
                network=network,
                detail=ngettext("%(missing)s von %(asked)s Berichten fehlt", "%(missing)s von %(asked)s Berichten fehlen", period.missing)
                % {"missing": _n(period.missing), "asked": _n(period.asked)},
                count=period.missing,
                due=period.due_on,
                urgency=OVERDUE,
                badge=_("überfällig"),
            )

        return _capped(
            ReportPeriod.objects.filter(request__network__in=self.pks, request__active=True, due_on__lt=self.today)
            .select_related("request")
            .annotate(asked=_count_of(asked), missing=_count_of(asked.exclude(Exists(submitted))))
            .filter(missing__gt=0)
            .order_by("due_on", "pk"),
            make,
        )


def _date(value: datetime) -> str:
    return format_date(timezone.localtime(value), "date_short")


def _datetime(value: datetime) -> str:
    return format_date(timezone.localtime(value), "datetime_short")


# The kinds in the order the start pages show them: what is late or blocks others first.
KINDS: list[tuple[str, Any, Callable[[_Collector], _Found]]] = [
    ("action_items", gettext_lazy("Verabredungen: überfällig oder diese Woche fällig"), _Collector.action_items),
    ("next_steps", gettext_lazy("Nächste Schritte aus dem Kontaktprotokoll"), _Collector.next_steps),
    ("failed_sends", gettext_lazy("Fehlgeschlagene Sendungen"), _Collector.failed_sends),
    ("reminders", gettext_lazy("Erinnerungen fällig"), _Collector.reminders),
    ("meetings", gettext_lazy("Treffen in den nächsten sechs Wochen"), _Collector.meetings),
    ("consents", gettext_lazy("Einverständnis zur Teilnehmendenliste fehlt"), _Collector.consents),
    ("imports", gettext_lazy("Importe warten auf Bestätigung"), _Collector.imports),
    ("reports", gettext_lazy("Mitgliederberichte überfällig"), _Collector.reports),
    ("funding_deadlines", gettext_lazy("Förderanträge der Projekte: Frist naht oder ist abgelaufen"), _Collector.funding_deadlines),
    ("funding_calls", gettext_lazy("Förderfristen der nächsten Wochen"), _Collector.funding_calls),
    ("course_proposals", gettext_lazy("Kursvorschläge warten auf Entscheidung"), _Collector.course_proposals),
    ("shared_checks", gettext_lazy("Neu freigegebene Unternehmens-Checks"), _Collector.shared_checks),
    ("surveys", gettext_lazy("Laufende Umfragen"), _Collector.surveys),
    ("drafts", gettext_lazy("Entwürfe"), _Collector.drafts),
    ("cadence", gettext_lazy("Treffen hinter dem geplanten Turnus"), _Collector.cadence),
]


def todos(networks: Sequence[Network], *, user: User, now: datetime | None = None) -> list[TodoGroup]:
    """The to-dos of `networks` (the ones `user` manages: imports are this user's own), grouped by kind in a fixed
    order, only the kinds with something to do. A constant number of queries whatever the networks hold."""
    if not networks:
        return []
    collector = _Collector(networks, user, now or timezone.now())
    groups = []
    for kind, title, collect in KINDS:
        found = collect(collector)
        if found.total:
            groups.append(TodoGroup(kind=kind, title=str(title), items=found.items, total=found.total))
    return groups


def network_todos(network: Network, *, user: User, now: datetime | None = None) -> list[TodoGroup]:
    """A network's start page."""
    return todos([network], user=user, now=now)


def manager_todos(user: User, *, now: datetime | None = None) -> list[TodoGroup]:
    """The manager's start page: every active network where the user's role may change things (observers only read)."""
    return todos(managed_networks(user), user=user, now=now)


def managed_networks(user: User) -> list[Network]:
    roles = ManagerRole.objects.filter(user=user, network__archived_at__isnull=True).select_related("network").order_by("network__name")
    return [role.network for role in roles if role.role_enum.can_manage]
