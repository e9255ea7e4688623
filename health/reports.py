"""Periodic member reports: the office asks a group of members for a short report each quarter or year.

A `ReportRequest` names the group (organisations that are current members of the network), the prompts and the
cadence. Its periods are computed here (`period_span`): a quarter or a calendar year, due `due_days` after its end.
A period becomes a `ReportPeriod` row when it is opened (`period_open`): by the office ("Jetzt anfragen") or by the
periodic task `report_periods_tick`, which opens a period OPEN_BEFORE_END_DAYS before it ends and reminds those who
have not submitted, at most every REMIND_INTERVAL_DAYS, from REMIND_BEFORE_DUE_DAYS before until
REMIND_UNTIL_AFTER_DUE_DAYS after the due date. Both claims (opening, reminding) are conditional updates of the
period row, so a second run, or two workers at once, send nothing twice.

Who gets the mails: the organisation's contacts with a portal login (they can fill in the form); an organisation
without any gets the mail at its primary contact, who can ask the office for access (Reply-To is the office).
Contacts whose address a mail server refused, and people the network ended its relation to, are left out.

A member writes its report in the portal (`member_report_save` keeps a draft the office does not see,
`member_report_submit` sends it). A submitted report can be corrected until the due date; after that it is closed
and changes go through the office. A period that is overdue can still be submitted. Each answer keeps the prompt's
text as it was, so later changes of the prompts never change what a member wrote.

`reports_for_year` is the read API for the annual report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from health.models import REPORT_REQUEST_FIELDS, MemberReport, ReportPeriod, ReportRequest
from members.models import Contact, Membership, Organisation
from verbund.mail import mail_send_later, network_reply_to
from verbund.models import Network, User
from verbund.services import save_audited

OPEN_BEFORE_END_DAYS = 14  # the task asks for a period's report two weeks before the period ends
REMIND_BEFORE_DUE_DAYS = 7  # the first reminder a week before the due date …
REMIND_INTERVAL_DAYS = 14  # … then at most one every two weeks (counted from the last mail: the request or a reminder) …
REMIND_UNTIL_AFTER_DUE_DAYS = 21  # … until three weeks after the due date; the office can still remind by hand
MANUAL_REMIND_GAP = timedelta(hours=24)  # the button refuses a second reminder within a day (double clicks, two managers)

MAX_PROMPTS = 20
MAX_PROMPT_LENGTH = 300
MAX_ANSWER_LENGTH = 5000
MAX_DUE_DAYS = 365


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSpan:
    """A period of a cadence: a quarter (quarter 1–4) or a calendar year (quarter None)."""

    year: int
    quarter: int | None
    starts_on: date
    ends_on: date

    def due_on(self, due_days: int) -> date:
        return self.ends_on + timedelta(days=due_days)

    @property
    def label(self) -> str:
        return period_label(self.year, self.quarter)


def period_label(year: int, quarter: int | None) -> str:
    """ "2026" or "2. Quartal 2026"."""
    if quarter is None:
        return str(year)
    return _("%(quarter)s. Quartal %(year)s") % {"quarter": quarter, "year": year}


def period_span(cadence: str, day: date) -> PeriodSpan:
    """The period of `cadence` that contains `day`."""
    if cadence == ReportRequest.Cadence.QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        starts_on = date(day.year, 3 * quarter - 2, 1)
        next_start = date(day.year + 1, 1, 1) if quarter == 4 else date(day.year, 3 * quarter + 1, 1)
        return PeriodSpan(day.year, quarter, starts_on, next_start - timedelta(days=1))
    return PeriodSpan(day.year, None, date(day.year, 1, 1), date(day.year, 12, 31))


def period_previous(cadence: str, span: PeriodSpan) -> PeriodSpan:
    return period_span(cadence, span.starts_on - timedelta(days=1))


def periods_of_year(cadence: str, year: int) -> list[PeriodSpan]:
    if cadence == ReportRequest.Cadence.QUARTERLY:
        return [period_span(cadence, date(year, month, 1)) for month in (1, 4, 7, 10)]
    return [period_span(cadence, date(year, 1, 1))]


def span_of(period: ReportPeriod) -> PeriodSpan:
    return PeriodSpan(period.year, period.quarter, period.starts_on, period.ends_on)


def open_candidates(request: ReportRequest, *, today: date | None = None) -> list[PeriodSpan]:
    """What the office can ask for now: the period before the current one and the current one, those not yet asked for."""
    today = today or timezone.localdate()
    current = period_span(request.cadence, today)
    opened = set(request.periods.filter(opened_at__isnull=False).values_list("starts_on", flat=True))
    return [span for span in (period_previous(request.cadence, current), current) if span.starts_on not in opened]


def auto_open_on(request: ReportRequest, span: PeriodSpan) -> date:
    """The day the periodic task asks for the period's report."""
    return span.ends_on - timedelta(days=OPEN_BEFORE_END_DAYS)


def next_auto_open(request: ReportRequest, *, today: date | None = None, opened: set[date] | None = None) -> tuple[PeriodSpan, date] | None:
    """The next period the task will open on its own and when (None for a paused request).

    `opened`: the start days of the request's asked periods, when the caller has them (a list page), else they are read.
    """
    if not request.active:
        return None
    today = today or timezone.localdate()
    if opened is None:
        opened = set(request.periods.filter(opened_at__isnull=False).values_list("starts_on", flat=True))
    span = period_span(request.cadence, today)
    for _step in range(3):
        if span.starts_on not in opened:
            return span, max(auto_open_on(request, span), today)
        span = period_span(request.cadence, span.ends_on + timedelta(days=1))
    return None


# --- scoping ---------------------------------------------------------------------------------


def requests_for_network(network: Network) -> QuerySet[ReportRequest]:
    """The one way to a network's report requests (manager pages)."""
    return ReportRequest.objects.filter(network=network)


def periods_for_network(network: Network) -> QuerySet[ReportPeriod]:
    """The opened periods of a network's requests (manager pages)."""
    return ReportPeriod.objects.filter(request__network=network, opened_at__isnull=False).select_related("request__network")


def periods_for_member(organisation: Organisation) -> QuerySet[ReportPeriod]:
    """Opened periods an organisation is asked for: it is in the request's group and a current member of its network.

    An organisation that left the network, or was taken out of the group, sees none of them (404).
    """
    networks = Network.objects.joined_by(organisation)
    return ReportPeriod.objects.filter(opened_at__isnull=False, request__network__in=networks, request__organisations=organisation).select_related(
        "request__network"
    )


def group_members(request: ReportRequest) -> QuerySet[Organisation]:
    """The organisations of the request's group that are current members of its network now."""
    return request.organisations.filter(pk__in=Organisation.objects.current_members_of(request.network).values("pk"))


def group_member_ids(request_ids: Iterable[int]) -> dict[int, set[int]]:
    """`group_members` of several requests in one query: {request id: organisation ids}."""
    through = ReportRequest.organisations.through
    current = Membership.objects.current().filter(network_id=OuterRef("reportrequest__network_id"), organisation_id=OuterRef("organisation_id"))
    rows = through.objects.filter(reportrequest_id__in=list(request_ids), organisation__archived_at__isnull=True).filter(Exists(current))
    found: dict[int, set[int]] = {}
    for request_id, organisation_id in rows.values_list("reportrequest_id", "organisation_id"):
        found.setdefault(request_id, set()).add(organisation_id)
    return found


def asked_organisations(period: ReportPeriod) -> list[Organisation]:
    """Who the period's report is asked of: the group's current members, and whoever submitted for it (even if gone since)."""
    submitted = MemberReport.objects.filter(period=period, submitted_at__isnull=False).values("organisation_id")
    return list(Organisation.objects.filter(Q(pk__in=group_members(period.request).values("pk")) | Q(pk__in=submitted)).order_by("name", "pk"))


def pick_organisations(network: Network, *, kind: str = "", role: str = "") -> QuerySet[Organisation]:
    """The quick pick of a group: current members of one kind (e.g. Kommune/Verwaltung) or with one role in the network."""
    members = Organisation.objects.current_members_of(network)
    if kind:
        members = members.filter(kind=kind)
    if role:
        members = members.filter(memberships__in=Membership.objects.current().filter(network=network, role=role))
    if not kind and not role:
        return members.none()
    return members.distinct()


# --- requests --------------------------------------------------------------------------------


def _clean_prompts(prompts: str) -> str:
    lines = [line.strip() for line in (prompts or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationError({"prompts": _("Bitte mindestens eine Frage angeben (eine je Zeile).")})
    if len(lines) > MAX_PROMPTS:
        raise ValidationError({"prompts": _("Höchstens %(n)s Fragen, es sind %(count)s.") % {"n": MAX_PROMPTS, "count": len(lines)}})
    too_long = [line for line in lines if len(line) > MAX_PROMPT_LENGTH]
    if too_long:
        raise ValidationError(
            {"prompts": _("Eine Frage darf höchstens %(n)s Zeichen haben: „%(start)s…“") % {"n": MAX_PROMPT_LENGTH, "start": too_long[0][:40]}}
        )
    if len(set(lines)) != len(lines):
        raise ValidationError({"prompts": _("Jede Frage darf nur einmal vorkommen.")})
    return "\n".join(lines)


def _group(network: Network, chosen: Iterable[Organisation], add_kind: str, add_role: str) -> list[Organisation]:
    """The ticked organisations plus the quick pick; each must be a current member of the network."""
    chosen = list(chosen)
    allowed = set(Organisation.objects.current_members_of(network).values_list("pk", flat=True))
    foreign = [org for org in chosen if org.pk not in allowed]
    if foreign:
        raise ValidationError({"organisations": _("%(name)s ist kein aktuelles Mitglied dieses Verbunds.") % {"name": foreign[0].name}})
    picked = list(pick_organisations(network, kind=add_kind, role=add_role))
    return list({org.pk: org for org in [*chosen, *picked]}.values())


@transaction.atomic
def report_request_create(*, network: Network, by: User, data: dict[str, Any], add_kind: str = "", add_role: str = "") -> ReportRequest:
    """A new report request. The group is `data["organisations"]` plus the quick pick (`add_kind`, `add_role`);
    every organisation must be a current member of the network (ValidationError otherwise)."""
    data = dict(REPORT_REQUEST_FIELDS.take(data))
    data["prompts"] = _clean_prompts(data.get("prompts", ""))
    group = _group(network, data.pop("organisations", None) or [], add_kind, add_role)
    request = ReportRequest(network=network, created_by=by)
    REPORT_REQUEST_FIELDS.apply(request, data)
    _check_due_days(request)
    save_audited(request, by=by)
    request.organisations.set(group)
    return request


@transaction.atomic
def report_request_update(*, request: ReportRequest, by: User, data: dict[str, Any], add_kind: str = "", add_role: str = "") -> ReportRequest:
    """Change a request. The cadence is fixed once a period was asked for (the periods would overlap);
    a new due time applies to periods asked for afterwards."""
    request = ReportRequest.objects.select_for_update().get(pk=request.pk)
    data = dict(REPORT_REQUEST_FIELDS.take(data))
    if "prompts" in data:
        data["prompts"] = _clean_prompts(data["prompts"])
    if "cadence" in data and data["cadence"] != request.cadence and request.periods.exists():
        raise ValidationError(
            {"cadence": _("Der Turnus lässt sich nicht mehr ändern, weil schon ein Zeitraum angefragt wurde. Legen Sie dafür eine neue Anfrage an.")}
        )
    group = None
    if "organisations" in data or add_kind or add_role:
        # Without a new list the pick adds to the group as it is (members who left stay out of it anyway: group_members).
        chosen = data.pop("organisations") if "organisations" in data else list(group_members(request))
        group = _group(request.network, chosen or [], add_kind, add_role)
    changed = REPORT_REQUEST_FIELDS.apply(request, data)
    _check_due_days(request)
    save_audited(request, by=by, update_fields=changed)
    if group is not None:
        request.organisations.set(group)
    return request


def _check_due_days(request: ReportRequest) -> None:
    if not 1 <= request.due_days <= MAX_DUE_DAYS:
        raise ValidationError({"due_days": _("Die Frist muss zwischen 1 und %(n)s Tagen liegen.") % {"n": MAX_DUE_DAYS}})


# --- opening and reminding ---------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    organisation: Organisation
    contact: Contact


def recipients(request: ReportRequest, organisations: Iterable[Organisation]) -> list[Recipient]:
    """Who is mailed for these organisations: their contacts with a portal login; without any, the primary contact.

    Only contacts current in the network with a deliverable address.
    """
    orgs = {org.pk: org for org in organisations}
    contacts = (
        Contact.objects.current_in(request.network)
        .filter(organisation_id__in=orgs, email_undeliverable_at__isnull=True)
        .exclude(email="")
        .select_related("user")
        .order_by("organisation_id", "-is_primary", "last_name", "pk")
    )
    by_org: dict[int, list[Contact]] = {}
    for contact in contacts:
        by_org.setdefault(contact.organisation_id, []).append(contact)
    found: list[Recipient] = []
    for org_id, people in by_org.items():
        with_login = [c for c in people if c.user_id is not None and c.user is not None and c.user.is_active]
        chosen = with_login or [c for c in people if c.is_primary]
        found += [Recipient(orgs[org_id], contact) for contact in chosen]
    return found


def portal_url(period: ReportPeriod) -> str:
    return settings.SITE_URL + reverse("reports_portal:report", args=[period.pk])


def _send(period: ReportPeriod, kind: str, to: Sequence[Recipient], *, today: date) -> int:
    """Queue one mail per person (after the commit); `kind` is "open" or "reminder"."""
    request = period.request
    reply_to = network_reply_to(request.network)
    for recipient in to:
        context = {
            "contact": recipient.contact,
            "organisation": recipient.organisation,
            "request": request,
            "period": period,
            "period_label": period_label(period.year, period.quarter),
            "network": request.network,
            "url": portal_url(period),
            "has_login": recipient.contact.user_id is not None,
            "overdue": period.due_on < today,
        }
        mail_send_later(message=_render(kind, to=[recipient.contact.email], context=context, reply_to=reply_to))
    return len(to)


def _render(kind: str, *, to: list[str], context: dict[str, Any], reply_to: list[str]) -> EmailMultiAlternatives:
    """The triplet templates/health/mail/report_<kind>-subject.txt, -body.txt, -body.html (as verbund.mail.render_mail)."""
    subject = " ".join(render_to_string(f"health/mail/report_{kind}-subject.txt", context).split())  # one line: no header injection
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"health/mail/report_{kind}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
    )
    message.attach_alternative(render_to_string(f"health/mail/report_{kind}-body.html", context), "text/html")
    return message


def outstanding(period: ReportPeriod) -> list[Organisation]:
    """The asked organisations that have not submitted (a draft is not a report)."""
    submitted = set(MemberReport.objects.filter(period=period, submitted_at__isnull=False).values_list("organisation_id", flat=True))
    return [org for org in group_members(period.request).order_by("name", "pk") if org.pk not in submitted]


@transaction.atomic
def period_open(*, request: ReportRequest, span: PeriodSpan, by: User | None, now: datetime | None = None) -> ReportPeriod:
    """Ask the group for the report of one period: create the period (due `due_days` after its end) and mail the contacts.

    Raises ValidationError when the request is paused, has no group, the period lies in the future or was asked for
    already (also when another run got there first: nothing is sent twice).
    """
    now = now or timezone.now()
    if not request.active:
        raise ValidationError(_("Die Anfrage ist pausiert. Aktivieren Sie sie, um einen Zeitraum anzufragen."))
    if span != period_span(request.cadence, span.starts_on):
        raise ValidationError(_("Das ist kein Zeitraum dieses Turnus."))
    if span.starts_on > timezone.localdate(now):
        raise ValidationError(_("Ein Zeitraum in der Zukunft kann noch nicht angefragt werden."))
    group = list(group_members(request))
    if not group:
        raise ValidationError(_("Die Anfrage hat noch keine berichtenden Mitglieder."))
    try:
        with transaction.atomic():
            period, _created = ReportPeriod.objects.get_or_create(
                request=request,
                starts_on=span.starts_on,
                defaults={"year": span.year, "quarter": span.quarter, "ends_on": span.ends_on, "due_on": span.due_on(request.due_days)},
            )
    except IntegrityError:  # a concurrent run created it between the lookup and the insert
        period = ReportPeriod.objects.get(request=request, starts_on=span.starts_on)
    if not ReportPeriod.objects.filter(pk=period.pk, opened_at__isnull=True).update(opened_at=now):
        raise ValidationError(_("Dieser Zeitraum ist schon angefragt."))
    period.opened_at = now
    period.request = request
    _send(period, "open", recipients(request, group), today=timezone.localdate(now))
    return period


def _remind(period: ReportPeriod, *, now: datetime, since: datetime) -> int | None:
    """Claim the period's reminder (no mail since `since`) and mail the outstanding organisations. None when not claimed."""
    last_mail = Q(reminded_at__isnull=True) | Q(reminded_at__lte=since)
    if not ReportPeriod.objects.filter(last_mail, pk=period.pk, opened_at__lte=since).update(reminded_at=now):
        return None
    period.reminded_at = now
    missing = outstanding(period)
    return _send(period, "reminder", recipients(period.request, missing), today=timezone.localdate(now))


@transaction.atomic
def period_remind(*, period: ReportPeriod, by: User, now: datetime | None = None) -> int:
    """The office's reminder to all who have not submitted; returns how many people were mailed.

    Refused (ValidationError) when everyone has submitted or a mail went out less than a day ago.
    """
    now = now or timezone.now()
    if not outstanding(period):
        raise ValidationError(_("Alle haben ihren Bericht eingereicht – niemand muss erinnert werden."))
    sent = _remind(period, now=now, since=now - MANUAL_REMIND_GAP)
    if sent is None:
        raise ValidationError(_("Es wurde innerhalb der letzten 24 Stunden schon angefragt oder erinnert. Bitte später noch einmal."))
    return sent


def reminder_due(period: ReportPeriod, today: date) -> bool:
    """Whether today lies in the automatic reminder window of the period (the interval is checked when claiming)."""
    return period.due_on - timedelta(days=REMIND_BEFORE_DUE_DAYS) <= today <= period.due_on + timedelta(days=REMIND_UNTIL_AFTER_DUE_DAYS)


def report_periods_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic task: open the periods that are due and send the reminders that are due. Idempotent.

    A period is opened automatically OPEN_BEFORE_END_DAYS before its end (or later, up to its due date), unless it
    ended before the request was created. Returns {"opened": periods opened, "reminded": mails of reminders}.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    opened = reminded = 0
    active = ReportRequest.objects.filter(active=True, network__archived_at__isnull=True).select_related("network").order_by("pk")
    for request in active:
        current = period_span(request.cadence, today)
        created_on = timezone.localdate(request.created_at)
        for span in (period_previous(request.cadence, current), current):
            if span.ends_on < created_on or not auto_open_on(request, span) <= today <= span.due_on(request.due_days):
                continue
            if request.periods.filter(starts_on=span.starts_on, opened_at__isnull=False).exists():
                continue
            try:
                period_open(request=request, span=span, by=None, now=now)
            except ValidationError:
                continue  # no group yet, or another run was first
            opened += 1
    since = now - timedelta(days=REMIND_INTERVAL_DAYS)
    periods = (
        ReportPeriod.objects.filter(request__active=True, request__network__archived_at__isnull=True, opened_at__isnull=False)
        .filter(due_on__gte=today - timedelta(days=REMIND_UNTIL_AFTER_DUE_DAYS), due_on__lte=today + timedelta(days=REMIND_BEFORE_DUE_DAYS))
        .select_related("request__network")
        .order_by("pk")
    )
    for period in periods:
        if not reminder_due(period, today) or not outstanding(period):
            continue
        with transaction.atomic():
            reminded += _remind(period, now=now, since=since) or 0
    return {"opened": opened, "reminded": reminded}


# --- the member's report -------------------------------------------------------------------------


def member_report_for(period: ReportPeriod, organisation: Organisation) -> MemberReport | None:
    return MemberReport.objects.filter(period=period, organisation=organisation).first()


def may_correct(period: ReportPeriod, *, today: date | None = None) -> bool:
    """A submitted report can be corrected until the due date (inclusive)."""
    return (today or timezone.localdate()) <= period.due_on


def prefilled_answers(period: ReportPeriod, report: MemberReport | None) -> list[str]:
    """The texts for the form's current prompts: a stored answer to the same prompt text; failing that, the answer at the
    same position when its prompt is no longer asked (a reworded prompt keeps the draft)."""
    prompts = period.request.prompt_list()
    stored = [(str(a.get("prompt", "")), str(a.get("text", ""))) for a in (report.answers if report else []) if isinstance(a, dict)]
    by_prompt = dict(stored)
    texts = []
    for index, prompt in enumerate(prompts):
        if prompt in by_prompt:
            texts.append(by_prompt[prompt])
        elif index < len(stored) and stored[index][0] not in prompts:
            texts.append(stored[index][1])
        else:
            texts.append("")
    return texts


def _check_reporter(period: ReportPeriod, organisation: Organisation, by: User) -> None:
    contact = getattr(by, "contact", None)
    if contact is None or contact.organisation_id != organisation.pk or contact.archived_at is not None:
        raise ValidationError(_("Nur Ansprechpartner:innen der Organisation können ihren Bericht abgeben."))
    if not periods_for_member(organisation).filter(pk=period.pk).exists():
        raise ValidationError(_("Ihre Organisation ist für diesen Bericht nicht angefragt."))


def _answers(period: ReportPeriod, texts: Sequence[str]) -> list[dict[str, str]]:
    prompts = period.request.prompt_list()
    if len(texts) != len(prompts):
        raise ValidationError(_("Die Fragen haben sich inzwischen geändert. Bitte laden Sie die Seite neu."))
    answers = []
    for prompt, text in zip(prompts, texts, strict=True):
        text = (text or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_ANSWER_LENGTH:
            raise ValidationError(
                _("Die Antwort auf „%(prompt)s“ ist zu lang: höchstens %(n)s Zeichen, es sind %(count)s.")
                % {"prompt": prompt, "n": f"{MAX_ANSWER_LENGTH:,}".replace(",", "."), "count": f"{len(text):,}".replace(",", ".")}
            )
        answers.append({"prompt": prompt, "text": text})
    return answers


def _locked(period: ReportPeriod, organisation: Organisation) -> MemberReport:
    report = MemberReport.objects.select_for_update().filter(period=period, organisation=organisation).first()
    return report or MemberReport(period=period, organisation=organisation)


@transaction.atomic
def member_report_save(*, period: ReportPeriod, organisation: Organisation, answers: Sequence[str], by: User) -> MemberReport:
    """Keep a draft (only the organisation sees it). Refused once the report is submitted: a change is a correction."""
    _check_reporter(period, organisation, by)
    stored = _answers(period, answers)
    report = _locked(period, organisation)
    if report.submitted_at is not None:
        raise ValidationError(_("Der Bericht ist schon eingereicht. Änderungen senden Sie mit „Korrektur einreichen“."))
    report.answers = stored
    save_audited(report, by=by, update_fields=None if report.pk is None else ["answers"])
    return report


@transaction.atomic
def member_report_submit(*, period: ReportPeriod, organisation: Organisation, answers: Sequence[str], by: User, now: datetime | None = None) -> MemberReport:
    """Submit (or, until the due date, correct) the organisation's report. At least one answer must have text."""
    now = now or timezone.now()
    _check_reporter(period, organisation, by)
    stored = _answers(period, answers)
    if not any(answer["text"] for answer in stored):
        raise ValidationError(_("Bitte beantworten Sie mindestens eine Frage, bevor Sie den Bericht einreichen."))
    report = _locked(period, organisation)
    if report.submitted_at is not None and not may_correct(period, today=timezone.localdate(now)):
        raise ValidationError(
            _("Die Frist ist abgelaufen; der eingereichte Bericht lässt sich nicht mehr ändern. Bitte wenden Sie sich an die Geschäftsstelle.")
        )
    report.answers = stored
    report.submitted_at = now
    report.submitted_by = by
    save_audited(report, by=by, update_fields=None if report.pk is None else ["answers", "submitted_at", "submitted_by"])
    return report


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodStatus:
    period: ReportPeriod
    asked: int
    submitted: int

    @property
    def missing(self) -> int:
        return max(self.asked - self.submitted, 0)

    @property
    def overdue(self) -> bool:
        return self.missing > 0 and self.period.due_on < timezone.localdate()


def period_statuses(periods: Sequence[ReportPeriod]) -> dict[int, PeriodStatus]:
    """n of m submitted per period (keyed by the period's pk), in a fixed number of queries."""
    if not periods:
        return {}
    group = group_member_ids({p.request_id for p in periods})
    submitted: dict[int, set[int]] = {}
    for period_id, org_id in MemberReport.objects.filter(period__in=periods, submitted_at__isnull=False).values_list("period_id", "organisation_id"):
        submitted.setdefault(period_id, set()).add(org_id)
    return {
        p.pk: PeriodStatus(p, asked=len(group.get(p.request_id, set()) | submitted.get(p.pk, set())), submitted=len(submitted.get(p.pk, set())))
        for p in periods
    }


@dataclass(frozen=True)
class Answer:
    prompt: str
    text: str


@dataclass(frozen=True)
class SubmittedReport:
    organisation_id: int
    organisation: str
    submitted_at: datetime
    answers: list[Answer]


@dataclass(frozen=True)
class PeriodReports:
    period: ReportPeriod
    label: str  # "2026" or "2. Quartal 2026"
    asked: int  # organisations asked (the group's current members plus those who submitted)
    reports: list[SubmittedReport]  # submitted reports only, by organisation name


@dataclass(frozen=True)
class RequestReports:
    request: ReportRequest
    periods: list[PeriodReports]  # the year's opened periods, in order


def reports_for_year(network: Network, year: int) -> list[RequestReports]:
    """The submitted member reports of one year, per request and period, for the annual report.

    Requests with at least one opened period in `year` (paused ones too), by title; their periods of that year in
    time order; in each the submitted reports (drafts never) with the answers as they were submitted. A constant
    number of queries (four).
    """
    submitted = MemberReport.objects.filter(submitted_at__isnull=False).select_related("organisation").order_by("organisation__name", "pk")
    periods = list(
        ReportPeriod.objects.filter(request__network=network, year=year, opened_at__isnull=False)
        .select_related("request__network")
        .prefetch_related(Prefetch("reports", queryset=submitted, to_attr="submitted_reports"))
        .order_by("request__title", "request_id", "starts_on")
    )
    statuses = period_statuses(periods)
    found: dict[int, RequestReports] = {}
    for period in periods:
        entry = found.setdefault(period.request_id, RequestReports(request=period.request, periods=[]))
        reports = [
            SubmittedReport(
                organisation_id=r.organisation_id,
                organisation=r.organisation.name,
                submitted_at=r.submitted_at,
                answers=[Answer(str(a.get("prompt", "")), str(a.get("text", ""))) for a in r.answers if isinstance(a, dict)],
            )
            for r in period.submitted_reports  # set by the Prefetch above
            if r.submitted_at is not None
        ]
        entry.periods.append(PeriodReports(period=period, label=period_label(period.year, period.quarter), asked=statuses[period.pk].asked, reports=reports))
    return list(found.values())


def submitter_name(report: MemberReport | None) -> str:
    """Who submitted: the person's name as a contact, else the login's address (a login without a contact)."""
    if report is None or report.submitted_by is None:
        return ""
    contact = getattr(report.submitted_by, "contact", None)
    return contact.full_name if contact is not None else report.submitted_by.email


def csv_prompts(period: ReportPeriod, reports: Sequence[MemberReport]) -> list[str]:
    """The columns of a period's export: the prompts as submitted (first appearance), then current ones nobody answered yet."""
    seen: dict[str, None] = {}
    for report in reports:
        for answer in report.answers:
            if isinstance(answer, dict):
                seen.setdefault(str(answer.get("prompt", "")), None)
    for prompt in period.request.prompt_list():
        seen.setdefault(prompt, None)
    return list(seen)


def due_text(period: ReportPeriod) -> str:
    days = (period.due_on - timezone.localdate()).days
    if days < 0:
        return ngettext("seit %(n)s Tag überfällig", "seit %(n)s Tagen überfällig", -days) % {"n": -days}
    return _("fällig am %(date)s") % {"date": date_format(period.due_on, "SHORT_DATE_FORMAT")}
