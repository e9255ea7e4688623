"""A network's indicators for one year, each with its definition and period: pure reads over the other apps' data.

`network_indicators(network, year)` answers one network (with the qualification indicators of
`qualification.indicators`); `indicators_for(networks, year)` answers many with a number of queries that does not
grow with the number of networks (the portfolio). Both return `NetworkIndicators`; `figures()` flattens one into
rows (CSV, the annual report). Rates are None when their denominator is 0 ("nicht berechenbar"), never 0 % or an
error.

Periods: a past year runs from 1 January to 31 December; the current year from 1 January to today ("Stand").
Counts "at the end of the year" are taken on the period's last day. A future year is refused (ValueError).

Members over time are rebuilt per membership from its status changes (members.MembershipStatusChange): a membership
counts on a day when its status in force that day is current (active or paused). Where the recorded steps do not
end in the membership's present status (older rows, changes made outside the services), its dates are read instead
(`joined_on`, else the day it was recorded; `left_on`). Either way the rebuilt state of today is the present status, so
the count today is `members.selectors.member_count()` — the one definition of the member count.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperation import indicators as cooperation_indicators
from events.models import ActionItem, Meeting, MeetingDocument, Registration
from members.models import Consent, EconomicActivity, GovernancePosition, Membership, MembershipStatusChange, Organisation
from newsletters.models import Bounce, Delivery, Infobrief, Subscriber, Suppression
from qualification import indicators as qualification_indicators
from qualification.models import Course
from verbund.formatting import format_date, format_number, format_percent
from verbund.models import CURRENT_MEMBERSHIP_STATUSES, FundingSource, ManagerRole, Network

# The own-funding share below which the financing section warns (and the cluster criterion is not met).
SELF_FINANCING_MIN = Decimal(30)
# Municipalities and sectors beyond this many are summed up as "übrige".
TOP_N = 8
# The first year the picker offers at most this many years back.
MAX_YEARS_BACK = 15
LONG_AGO = date(1900, 1, 1)

DEFINITIONS: dict[str, Promise] = {
    "members_start": gettext_lazy("Mitglieder zu Jahresbeginn: Mitgliedschaften, die am Tag vor Beginn des Zeitraums aktiv oder ruhend waren."),
    "members_end": gettext_lazy(
        "Mitglieder zum Stichtag: Mitgliedschaften, die am letzten Tag des Zeitraums aktiv oder ruhend waren (im laufenden Jahr: heute – "
        "dieselbe Zahl wie überall im Portal). Ohne Mitgliedschaften im Papierkorb und Organisationen im Papierkorb."
    ),
    "joins": gettext_lazy("Eintritte: Wechsel in den Status aktiv oder ruhend aus Interessent, ausgetreten oder neu angelegt, mit Wirkung im Zeitraum."),
    "leaves": gettext_lazy("Austritte: Wechsel aus aktiv oder ruhend in ausgetreten oder Interessent, mit Wirkung im Zeitraum."),
    "growth": gettext_lazy("Veränderung: (Mitglieder zum Stichtag − Mitglieder zu Jahresbeginn) ÷ Mitglieder zu Jahresbeginn."),
    "months": gettext_lazy("Mitglieder am Ende jedes Monats (im laufenden Monat: heute), Ein- und Austritte je Monat."),
    "helix": gettext_lazy(
        "Triple Helix: Art der Mitgliedsorganisationen zum Stichtag nach heutigem Stammdatenstand. Unternehmen: Unternehmen und Beratungen; "
        "Wissenschaft: Hochschulen und Forschung; Verwaltung: Kommunen und Verwaltungen; Sonstige: Verbände, Kammern, Multiplikatoren."
    ),
    "size": gettext_lazy(
        "Größenklasse der Unternehmen unter den Mitgliedern (EU-Empfehlung 2003/361/EG: Beschäftigte und Umsatz oder Bilanzsumme); "
        "„unbekannt“ ohne Angabe der Beschäftigten."
    ),
    "sme_share": gettext_lazy("KMU-Anteil: Kleinst-, kleine und mittlere Unternehmen ÷ Unternehmen mit bekannter Größenklasse."),
    "sector": gettext_lazy(
        "Wirtschaftszweig (Abschnitt der WZ) der Mitgliedsorganisationen zum Stichtag; die größten Abschnitte einzeln, der Rest als „übrige“."
    ),
    "municipality": gettext_lazy("Ort der Mitgliedsorganisationen zum Stichtag; die häufigsten Orte einzeln, der Rest als „übrige“."),
    "meetings_held": gettext_lazy("Durchgeführte Treffen: Treffen mit Beginn im Zeitraum, die begonnen haben und nicht abgesagt sind."),
    "meetings_planned": gettext_lazy(
        "Geplante Taktung: „Geplante Treffen pro Jahr“ aus dem Profil des Verbunds; im laufenden Jahr anteilig bis heute (abgerundet)."
    ),
    "cadence": gettext_lazy("Taktquote: durchgeführte Treffen ÷ geplante Treffen pro Jahr."),
    "attended": gettext_lazy("Teilnahmen: Anmeldungen mit Status „Teilgenommen“ bei durchgeführten Treffen."),
    "attendance_rate": gettext_lazy(
        "Teilnahmequote: Teilnahmen ÷ Anmeldungen (angemeldet, teilgenommen, nicht erschienen) der durchgeführten Treffen, "
        "bei denen die Anwesenheit erfasst ist (mindestens eine Person als teilgenommen oder nicht erschienen markiert)."
    ),
    "participating_members": gettext_lazy(
        "Beteiligte Mitglieder: Mitgliedsorganisationen (zum Stichtag), von denen mindestens eine Person an einem durchgeführten Treffen teilgenommen hat, "
        "÷ Mitglieder zum Stichtag."
    ),
    "open_items": gettext_lazy("Offene Verabredungen am Stichtag: bis dahin angelegt und an dem Tag nicht erledigt."),
    "overdue_items": gettext_lazy("Überfällige Verabredungen am Stichtag: offen und mit einer Frist vor dem Stichtag."),
    "infobriefe_sent": gettext_lazy("Versendete Infobriefe: Ausgaben, deren Versand im Zeitraum abgeschlossen wurde."),
    "deliveries": gettext_lazy("Zustellungen: vom Mailserver angenommene Mails dieser Ausgaben; Empfänger:innen: verschiedene Adressen darunter."),
    "delivery_rate": gettext_lazy(
        "Zustellquote: angenommene Mails ÷ (angenommene + abgelehnte + aufgegebene) Mails dieser Ausgaben. Öffnungen und Klicks werden nicht gemessen."
    ),
    "unsubscribes": gettext_lazy(
        "Abmeldungen: verschiedene Adressen, die im Zeitraum den Infobrief abbestellt haben (Abmeldelink, Widerruf der Einwilligung, Abmeldung als Abonnent:in)."
    ),
    "bounces": gettext_lazy("Rückläufer: im Zeitraum eingegangene Unzustellbarkeitsmeldungen (dauerhaft und vorübergehend)."),
    "funding_total": gettext_lazy("Finanzierung: Summe der Finanzierungsquellen des Jahres aus dem Profil des Verbunds, nach Art."),
    "self_financing": gettext_lazy(
        "Eigenfinanzierungsquote: (Mitgliedsbeiträge + kostenpflichtige Dienstleistungen) ÷ Summe aller Finanzierungsquellen des Jahres."
    ),
    "self_financing_trend": gettext_lazy("Entwicklung: Veränderung der Eigenfinanzierungsquote gegenüber dem letzten Vorjahr mit Angaben, in Prozentpunkten."),
    "courses_held": gettext_lazy("Durchgeführte Kurse: Kurse des Jahres mit Status „Durchgeführt“ (wie in den Kennzahlen der Qualifizierung)."),
}


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator in per cent with one decimal; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


# --- the memberships whose history is counted -----------------------------------------------------------------------


def _counted_memberships(network_ids: Iterable[int]) -> QuerySet[Membership]:
    """Every membership whose history is counted: the trashed ones and those of trashed organisations stay out, as in the
    one member count (members.selectors.current_member_q)."""
    return Membership.objects.filter(network_id__in=list(network_ids), archived_at__isnull=True, organisation__archived_at__isnull=True)


# --- the period ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    start: date
    end: date  # 31 December, or today in the current year
    is_current: bool

    @classmethod
    def of(cls, year: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        if year > today.year:
            raise ValueError(f"{year} lies in the future")
        end = min(date(year, 12, 31), today)
        return cls(year=year, start=date(year, 1, 1), end=end, is_current=end == today and year == today.year)

    @property
    def label(self) -> str:
        """Short, for tables and files: "01.01.–31.12.2024"."""
        return f"{self.start:%d.%m.}–{format_date(self.end, 'date_short')}"

    @property
    def long_label(self) -> str:
        """For headings: "1. Januar bis 31. Dezember 2024", in the current year with "(laufendes Jahr)"."""
        text = _("%(start)s bis %(end)s") % {"start": format_date(self.start, "date"), "end": format_date(self.end, "date")}
        return _("%(period)s (laufendes Jahr)") % {"period": text} if self.is_current else text

    @property
    def day_label(self) -> str:
        return _("Stichtag %(day)s") % {"day": format_date(self.end, "date_short")}

    def aware_bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, end of the last day) as aware datetimes; in the current year the end is now."""
        start = timezone.make_aware(datetime.combine(self.start, time.min))
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))
        return start, min(end, timezone.now()) if self.is_current else end


def years_available(network: Network, today: date | None = None) -> list[int]:
    """The years the picker offers, newest first: from the network's first recorded year (founding, joins, funding) to this one."""
    today = today or timezone.localdate()
    first = [today.year]
    if network.founded_on:
        first.append(network.founded_on.year)
    joined = Membership.objects.filter(network=network, joined_on__isnull=False).order_by("joined_on").values_list("joined_on", flat=True).first()
    if joined:
        first.append(joined.year)
    funded = FundingSource.objects.filter(network=network).order_by("year").values_list("year", flat=True).first()
    if funded:
        first.append(funded)
    start = max(min(first), today.year - MAX_YEARS_BACK, 2000)
    return list(range(today.year, start - 1, -1))


# --- results -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    percent: Decimal | None


@dataclass(frozen=True)
class MonthPoint:
    month: date  # the first day of the month
    members: int  # at the end of the month (or of the period)
    joins: int
    leaves: int


@dataclass(frozen=True)
class MemberIndicators:
    start: int
    end: int
    joins: int
    leaves: int
    growth: Decimal | None
    months: list[MonthPoint]


@dataclass(frozen=True)
class Composition:
    total: int
    helix: list[Share]
    helix_types: int  # how many of companies, science, administration are there
    size_classes: list[Share]
    sme_share: Decimal | None
    sectors: list[Share]
    municipalities: list[Share]


@dataclass(frozen=True)
class MeetingIndicators:
    held: int
    public_held: int
    documented: int
    planned: int | None  # per year, from the profile
    due: int | None  # planned pro rata up to the period's end
    cadence: Decimal | None
    behind: bool | None
    registered: int  # of the held meetings with recorded attendance
    attended: int
    attendance_rate: Decimal | None
    recorded_meetings: int
    participating_members: int
    participation: Decimal | None
    open_items: int
    overdue_items: int


@dataclass(frozen=True)
class InfobriefIndicators:
    sent: int
    deliveries: int
    recipients: int
    failed: int
    delivery_rate: Decimal | None
    unsubscribes: int
    bounces: int


@dataclass(frozen=True)
class FundingYear:
    year: int
    amounts: list[tuple[str, str, Decimal]]  # (kind, label, amount) for every kind, in the order of FundingSource.Kind
    total: Decimal
    own: Decimal
    ratio: Decimal | None

    @property
    def public(self) -> Decimal:
        return sum((amount for kind, _label, amount in self.amounts if kind == FundingSource.Kind.PUBLIC_PROGRAMME), Decimal(0))


@dataclass(frozen=True)
class FinancingIndicators:
    year: FundingYear
    history: list[FundingYear]  # every year with entries up to the chosen one (and it), oldest first
    previous: FundingYear | None  # the last earlier year with entries
    ratio_change: Decimal | None  # percentage points against `previous`
    warnings: list[str]


@dataclass(frozen=True)
class ProfileIndicators:
    """What the cluster criteria read beside the figures: management, goals, rules, bodies, courses."""

    has_management: bool
    has_goals: bool
    has_rules: bool
    governance_functions: list[str]  # the functions held on the period's last day
    courses_held: int


@dataclass(frozen=True)
class NetworkIndicators:
    network: Network
    period: Period
    members: MemberIndicators
    composition: Composition
    meetings: MeetingIndicators
    infobrief: InfobriefIndicators
    financing: FinancingIndicators
    profile: ProfileIndicators
    qualification: qualification_indicators.Indicators | None = None  # only from network_indicators()
    cooperation: list[cooperation_indicators.Indicator] | None = None  # only from network_indicators()

    @property
    def definitions(self) -> dict[str, Promise]:
        return DEFINITIONS


# --- entry points --------------------------------------------------------------------------------------------------


def network_indicators(network: Network, year: int, *, today: date | None = None) -> NetworkIndicators:
    """All indicators of one network and year, the qualification indicators included. Raises ValueError for a future year."""
    found = indicators_for([network], year, today=today)[network.pk]
    return replace(
        found,
        qualification=qualification_indicators.indicators(network, year),
        cooperation=cooperation_indicators.indicators(network, found.period.start, found.period.end),
    )


def indicators_for(networks: Sequence[Network], year: int, *, today: date | None = None) -> dict[int, NetworkIndicators]:
    """The indicators of many networks by id, in a fixed number of queries (the qualification ones left out)."""
    period = Period.of(year, today)
    today = today or timezone.localdate()
    ids = [n.pk for n in networks]
    members, ends = _members(ids, period, today)
    compositions = _compositions(ids, ends)
    meetings = _meetings(networks, period, ends)
    infobriefe = _infobriefe(ids, period)
    financing = _financing(ids, period)
    profiles = _profiles(networks, period)
    return {
        n.pk: NetworkIndicators(
            network=n,
            period=period,
            members=members[n.pk],
            composition=compositions[n.pk],
            meetings=meetings[n.pk],
            infobrief=infobriefe[n.pk],
            financing=financing[n.pk],
            profile=profiles[n.pk],
        )
        for n in networks
    }


# --- members over time ---------------------------------------------------------------------------------------------

Interval = tuple[date, date | None]  # [member from, member until): `until` is the first day no longer a member


def _is_current(status: str) -> bool:
    return status in CURRENT_MEMBERSHIP_STATUSES


def membership_intervals(
    *, status: str, joined_on: date | None, left_on: date | None, recorded_on: date, changes: Sequence[tuple[str, str, date]], today: date
) -> list[Interval]:
    """When one membership counted, as half-open intervals; `changes` are (from, to, effective_on) in the order they happened.

    The steps are used when they end in the present status; otherwise the dates. The result always agrees with the
    present status today: a current membership's last interval is open and began by today, a former one's ended by today.
    """
    intervals: list[Interval] = []
    if changes and _is_current(changes[-1][1]) == _is_current(status):
        first_step = changes[0][2]
        opened: date | None = None
        if _is_current(changes[0][0]):  # current before the first recorded step: since the join date, or since ever
            opened = joined_on if joined_on is not None and joined_on <= first_step else LONG_AGO
        for _from, to, effective_on in changes:
            if _is_current(to) and opened is None:
                opened = effective_on
            elif not _is_current(to) and opened is not None:
                if effective_on > opened:
                    intervals.append((opened, effective_on))
                opened = None
        if opened is not None:
            intervals.append((opened, None))
    elif _is_current(status):
        intervals.append((joined_on or recorded_on, None))
    elif status == Membership.Status.LEFT and joined_on is not None:
        end = left_on or today
        if end > joined_on:
            intervals.append((joined_on, end))
    # Agree with today's status whatever the recorded dates say (a join or leave dated in the future).
    if _is_current(status):
        if intervals and intervals[-1][1] is None:
            intervals[-1] = (min(intervals[-1][0], today), None)
        else:
            intervals.append((today, None))
    else:
        clamped: list[Interval] = []
        for start, until in intervals:
            closed = today if until is None or until > today else until
            if closed > start:
                clamped.append((start, closed))
        intervals = clamped
    return intervals


def _member_on(intervals: Iterable[Interval], day: date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in intervals)


def _members(ids: list[int], period: Period, today: date) -> tuple[dict[int, MemberIndicators], dict[int, set[int]]]:
    """Members over time per network, and the ids of the memberships counted on the period's last day."""
    rows = list(_counted_memberships(ids).values("pk", "network_id", "status", "joined_on", "left_on", "created_at"))
    steps: dict[int, list[tuple[str, str, date]]] = defaultdict(list)
    for change in (
        MembershipStatusChange.objects.filter(membership__in=_counted_memberships(ids))
        .order_by("membership_id", "effective_on", "created_at", "pk")
        .values_list("membership_id", "from_status", "to_status", "effective_on")
    ):
        steps[change[0]].append(change[1:])
    by_network: dict[int, list[tuple[int, list[Interval]]]] = defaultdict(list)
    for row in rows:
        recorded_on = timezone.localdate(row["created_at"])
        intervals = membership_intervals(
            status=row["status"], joined_on=row["joined_on"], left_on=row["left_on"], recorded_on=recorded_on, changes=steps[row["pk"]], today=today
        )
        by_network[row["network_id"]].append((row["pk"], intervals))

    month_ends = []
    for month in range(1, period.end.month + 1):
        first = date(period.year, month, 1)
        last = min(date(period.year, month, calendar.monthrange(period.year, month)[1]), period.end)
        month_ends.append((first, last))
    before = period.start - timedelta(days=1)
    results: dict[int, MemberIndicators] = {}
    at_end: dict[int, set[int]] = {}
    for network_id in ids:
        memberships = by_network.get(network_id, [])
        # Members on a day: intervals begun by then less those ended by then (every ended one had begun): two sorted lists.
        starts = sorted(opened for _pk, iv in memberships for opened, _closed in iv)
        ends = sorted(closed for _pk, iv in memberships for _opened, closed in iv if closed is not None)

        def members_on(day: date, starts: list[date] = starts, ends: list[date] = ends) -> int:
            return bisect_right(starts, day) - bisect_right(ends, day)

        start = members_on(before)
        end_ids = {pk for pk, iv in memberships if _member_on(iv, period.end)}
        joins_by_month: Counter[int] = Counter(opened.month for opened in starts if period.start <= opened <= period.end)
        leaves_by_month: Counter[int] = Counter(closed.month for closed in ends if period.start <= closed <= period.end)
        months = [
            MonthPoint(month=first, members=members_on(last), joins=joins_by_month[first.month], leaves=leaves_by_month[first.month])
            for first, last in month_ends
        ]
        joins, leaves = sum(joins_by_month.values()), sum(leaves_by_month.values())
        results[network_id] = MemberIndicators(
            start=start, end=len(end_ids), joins=joins, leaves=leaves, growth=rate(len(end_ids) - start, start), months=months
        )
        at_end[network_id] = end_ids
    return results, at_end


# --- composition ---------------------------------------------------------------------------------------------------

HELIX_GROUPS: dict[str, Any] = {
    "companies": (gettext_lazy("Unternehmen"), {Organisation.Kind.COMPANY, Organisation.Kind.CONSULTANCY}),
    "science": (gettext_lazy("Wissenschaft"), {Organisation.Kind.RESEARCH}),
    "administration": (gettext_lazy("Verwaltung"), {Organisation.Kind.ADMINISTRATION}),
    "others": (gettext_lazy("Sonstige"), {Organisation.Kind.ASSOCIATION, Organisation.Kind.MULTIPLIER}),
}
HELIX_TRIAD = ("companies", "science", "administration")
SME_CLASSES = {Organisation.SizeClass.MICRO, Organisation.SizeClass.SMALL, Organisation.SizeClass.MEDIUM}


def helix_group(kind: str) -> str:
    for key, (_label, kinds) in HELIX_GROUPS.items():
        if kind in kinds:
            return key
    return "others"


def _shares(counts: Counter[str], labels: dict[str, str], total: int, *, order: Sequence[str] | None = None, top: int | None = None) -> list[Share]:
    """Shares of `total` in the given order (every key, also with 0), or by count with the rest beyond `top` as "übrige"."""
    if order is not None:
        return [Share(key, labels[key], counts[key], rate(counts[key], total)) for key in order]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], labels.get(item[0], item[0]).casefold()))
    unknown = [(key, n) for key, n in ranked if key == ""]
    ranked = [(key, n) for key, n in ranked if key != ""]
    shown, rest = (ranked[:top], ranked[top:]) if top is not None else (ranked, [])
    shares = [Share(key, labels.get(key, key), n, rate(n, total)) for key, n in shown]
    if rest:
        n = sum(count for _key, count in rest)
        shares.append(Share("*", _("übrige (%(count)s)") % {"count": len(rest)}, n, rate(n, total)))
    for key, n in unknown:
        shares.append(Share(key, _("ohne Angabe"), n, rate(n, total)))
    return shares


def _compositions(ids: list[int], ends: dict[int, set[int]]) -> dict[int, Composition]:
    wanted = set().union(*ends.values()) if ends else set()
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Membership.objects.filter(pk__in=wanted).values(
            "pk",
            "network_id",
            "organisation__kind",
            "organisation__employees",
            "organisation__turnover",
            "organisation__balance_sheet_total",
            "organisation__municipality",
            "organisation__activity__version",
            "organisation__activity__section",
        )
    ]
    sections = {(r["organisation__activity__version"], r["organisation__activity__section"]) for r in rows if r["organisation__activity__section"]}
    section_titles = {}
    if sections:
        query = Q()
        for version, letter in sections:
            query |= Q(version=version, code=letter)
        section_titles = {(a.version, a.code): a.title for a in EconomicActivity.objects.filter(query, level=1)}
    by_network: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_network[row["network_id"]].append(row)
    size_labels = {str(c.value): str(c.label) for c in Organisation.SizeClass}
    result = {}
    for network_id in ids:
        members = by_network.get(network_id, [])
        total = len(members)
        helix: Counter[str] = Counter(helix_group(r["organisation__kind"]) for r in members)
        sizes: Counter[str] = Counter()
        for r in members:
            if helix_group(r["organisation__kind"]) == "companies":
                # The class as Organisation.size_class computes it, on an unsaved copy of the figures.
                figures = Organisation(
                    employees=r["organisation__employees"], turnover=r["organisation__turnover"], balance_sheet_total=r["organisation__balance_sheet_total"]
                )
                sizes[str(figures.size_class)] += 1
        companies = helix["companies"]
        known = companies - sizes[Organisation.SizeClass.UNKNOWN]
        sector_labels: dict[str, str] = {}
        sectors: Counter[str] = Counter()
        for r in members:
            letter = r["organisation__activity__section"] or ""
            key = f"{r['organisation__activity__version']}:{letter}" if letter else ""
            if key:
                title = section_titles.get((r["organisation__activity__version"], letter), "")
                sector_labels[key] = f"{letter} {title}".strip()
            sectors[key] += 1
        places: Counter[str] = Counter((r["organisation__municipality"] or "").strip() for r in members)
        result[network_id] = Composition(
            total=total,
            helix=_shares(helix, {k: str(v[0]) for k, v in HELIX_GROUPS.items()}, total, order=list(HELIX_GROUPS)),
            helix_types=sum(1 for key in HELIX_TRIAD if helix[key]),
            size_classes=_shares(sizes, size_labels, companies, order=[str(c.value) for c in Organisation.SizeClass]),
            sme_share=rate(sum(sizes[c] for c in SME_CLASSES), known),
            sectors=_shares(sectors, sector_labels, total, top=TOP_N),
            municipalities=_shares(places, {p: p for p in places}, total, top=TOP_N),
        )
    return result


# --- meetings, attendance, action items ----------------------------------------------------------------------------

SEAT_STATUSES = (Registration.Status.REGISTERED, Registration.Status.ATTENDED, Registration.Status.NO_SHOW)


def _meetings(networks: Sequence[Network], period: Period, ends: dict[int, set[int]]) -> dict[int, MeetingIndicators]:
    ids = [n.pk for n in networks]
    start, end = period.aware_bounds()
    held = list(
        Meeting.objects.filter(network_id__in=ids, starts_at__gte=start, starts_at__lt=end, starts_at__lte=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .values("pk", "network_id", "is_public")
    )
    held_ids = [m["pk"] for m in held]
    per_meeting = {
        row["meeting_id"]: row
        for row in Registration.objects.filter(meeting_id__in=held_ids)
        .values("meeting_id")
        .annotate(
            seats=Count("pk", filter=Q(status__in=SEAT_STATUSES)),
            attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
            no_show=Count("pk", filter=Q(status=Registration.Status.NO_SHOW)),
        )
    }
    documented = set(
        MeetingDocument.objects.filter(meeting_id__in=held_ids, kind=MeetingDocument.Kind.DOCUMENTATION, status=MeetingDocument.Status.DONE).values_list(
            "meeting_id", flat=True
        )
    )
    # Which member organisations came: attended registrations of a person of theirs, matched to the memberships counted at the end.
    came: dict[int, set[int]] = defaultdict(set)
    for network_id, organisation_id in (
        Registration.objects.filter(meeting_id__in=held_ids, status=Registration.Status.ATTENDED, contact__isnull=False)
        .values_list("meeting__network_id", "contact__organisation_id")
        .distinct()
    ):
        came[network_id].add(organisation_id)
    member_orgs: dict[int, set[int]] = defaultdict(set)
    wanted = set().union(*ends.values()) if ends else set()
    for network_id, organisation_id in Membership.objects.filter(pk__in=wanted).values_list("network_id", "organisation_id"):
        member_orgs[network_id].add(organisation_id)
    end_of_day = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    open_q = Q(created_at__lt=end_of_day) & (Q(done_at__isnull=True) | Q(done_at__gte=end_of_day))
    items: dict[int, dict[str, int]] = {
        row["network_id"]: {"open": row["open"], "overdue": row["overdue"]}
        for row in ActionItem.objects.filter(network_id__in=ids)
        .values("network_id")
        .annotate(open=Count("pk", filter=open_q), overdue=Count("pk", filter=open_q & Q(due_on__lt=period.end)))
    }
    days_in_year = 366 if calendar.isleap(period.year) else 365
    elapsed = (period.end - period.start).days + 1
    result = {}
    held_by_network: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for meeting in held:
        held_by_network[meeting["network_id"]].append(dict(meeting))
    for network in networks:
        mine = held_by_network[network.pk]
        recorded = [per_meeting[m["pk"]] for m in mine if m["pk"] in per_meeting and (per_meeting[m["pk"]]["attended"] or per_meeting[m["pk"]]["no_show"])]
        registered = sum(r["seats"] for r in recorded)
        attended_total = sum(per_meeting[m["pk"]]["attended"] for m in mine if m["pk"] in per_meeting)
        attended_recorded = sum(r["attended"] for r in recorded)
        planned = network.meetings_per_year or None
        due = planned * elapsed // days_in_year if planned else None
        participating = len(came[network.pk] & member_orgs[network.pk])
        members_at_end = len(ends.get(network.pk, set()))
        result[network.pk] = MeetingIndicators(
            held=len(mine),
            public_held=sum(1 for m in mine if m["is_public"]),
            documented=sum(1 for m in mine if m["pk"] in documented),
            planned=planned,
            due=due,
            cadence=rate(len(mine), planned) if planned else None,
            behind=(len(mine) < due) if due is not None else None,
            registered=registered,
            attended=attended_total,
            attendance_rate=rate(attended_recorded, registered),
            recorded_meetings=len(recorded),
            participating_members=participating,
            participation=rate(participating, members_at_end),
            open_items=items.get(network.pk, {}).get("open", 0),
            overdue_items=items.get(network.pk, {}).get("overdue", 0),
        )
    return result


# --- Infobrief reach -----------------------------------------------------------------------------------------------


def _infobriefe(ids: list[int], period: Period) -> dict[int, InfobriefIndicators]:
    start, end = period.aware_bounds()
    sent = Infobrief.objects.filter(network_id__in=ids, status=Infobrief.Status.SENT, sent_at__gte=start, sent_at__lt=end)
    issues = dict(sent.values("network_id").annotate(n=Count("pk")).values_list("network_id", "n"))
    deliveries = {
        row["infobrief__network_id"]: row
        for row in Delivery.objects.filter(infobrief__in=sent)
        .values("infobrief__network_id")
        .annotate(
            accepted=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            recipients=Count("email", filter=Q(status=Delivery.Status.SENT), distinct=True),
            refused=Count("pk", filter=Q(status__in=[Delivery.Status.FAILED, Delivery.Status.PARKED])),
        )
    }
    gone: dict[int, set[str]] = defaultdict(set)
    for network_id, email in Suppression.objects.filter(
        network_id__in=ids, reason=Suppression.Reason.UNSUBSCRIBED, created_at__gte=start, created_at__lt=end
    ).values_list("network_id", "email"):
        gone[network_id].add(email.lower())
    for network_id, contact_id, email in Consent.objects.filter(
        network_id__in=ids, purpose=Consent.Purpose.NEWSLETTER, withdrawn_at__gte=start, withdrawn_at__lt=end
    ).values_list("network_id", "contact_id", "contact__email"):
        gone[network_id].add(email.lower() if email else f"#{contact_id}")
    for network_id, email in Subscriber.objects.filter(network_id__in=ids, unsubscribed_at__gte=start, unsubscribed_at__lt=end).values_list(
        "network_id", "email"
    ):
        gone[network_id].add(email.lower())
    bounces = dict(
        Bounce.objects.filter(network_id__in=ids, received_at__gte=start, received_at__lt=end)
        .values("network_id")
        .annotate(n=Count("pk"))
        .values_list("network_id", "n")
    )
    result = {}
    for network_id in ids:
        row = deliveries.get(network_id, {"accepted": 0, "recipients": 0, "refused": 0})
        result[network_id] = InfobriefIndicators(
            sent=issues.get(network_id, 0),
            deliveries=row["accepted"],
            recipients=row["recipients"],
            failed=row["refused"],
            delivery_rate=rate(row["accepted"], row["accepted"] + row["refused"]),
            unsubscribes=len(gone[network_id]),
            bounces=bounces.get(network_id, 0),
        )
    return result


# --- financing -----------------------------------------------------------------------------------------------------


def _funding_year(year: int, amounts: dict[str, Decimal]) -> FundingYear:
    total = sum(amounts.values(), Decimal(0))
    own = sum((amount for kind, amount in amounts.items() if FundingSource.Kind(kind).is_own_funding), Decimal(0))
    return FundingYear(
        year=year,
        amounts=[(str(kind.value), str(kind.label), amounts.get(kind.value, Decimal(0))) for kind in FundingSource.Kind],
        total=total,
        own=own,
        ratio=rate(own, total),
    )


def _financing(ids: list[int], period: Period) -> dict[int, FinancingIndicators]:
    rows = list(FundingSource.objects.filter(network_id__in=ids).values("network_id", "year", "kind", "name", "amount", "period_end"))
    rows_by_network: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        rows_by_network[row["network_id"]].append(dict(row))
    result = {}
    for network_id in ids:
        mine = rows_by_network[network_id]
        by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for r in mine:
            by_year[r["year"]][r["kind"]] += r["amount"]
        this_year = _funding_year(period.year, by_year.get(period.year, {}))
        # The trend up to the chosen year: a past year's figures (its CSV, its annual report) name no later budget;
        # what is entered for the next year shows as a warning below.
        years = sorted({y for y in by_year if y <= period.year} | {period.year})
        history = [this_year if y == period.year else _funding_year(y, by_year[y]) for y in years]
        earlier = [h for h in history if h.year < period.year and h.total]
        previous = earlier[-1] if earlier else None
        change = this_year.ratio - previous.ratio if previous is not None and previous.ratio is not None and this_year.ratio is not None else None
        warnings: list[str] = []
        last_day = date(period.year + 1, 12, 31)
        public_rows = [r for r in mine if r["kind"] == FundingSource.Kind.PUBLIC_PROGRAMME]
        for r in sorted(public_rows, key=lambda r: (r["period_end"] or date.max, r["name"])):
            if r["period_end"] and period.start <= r["period_end"] <= last_day:
                name = r["name"] or str(FundingSource.Kind.PUBLIC_PROGRAMME.label)
                text = _("Die öffentliche Förderung „%(name)s“ endet am %(date)s.") % {"name": name, "date": format_date(r["period_end"], "date_short")}
                if text not in warnings:
                    warnings.append(text)
        following = by_year.get(period.year + 1)
        if this_year.public and following is not None and not following.get(FundingSource.Kind.PUBLIC_PROGRAMME):
            warnings.append(_("Für %(year)s ist keine öffentliche Förderung mehr eingetragen.") % {"year": period.year + 1})
        if this_year.ratio is not None and this_year.ratio < SELF_FINANCING_MIN:
            warnings.append(
                _(
                    "Die Eigenfinanzierungsquote liegt bei %(ratio)s und damit unter %(min)s. "
                    "Verbünde, die überwiegend öffentlich finanziert sind, geraten in Gefahr, wenn die Förderung endet: planen Sie die Anschlussfinanzierung."
                )
                % {"ratio": format_percent(this_year.ratio, 1), "min": format_percent(SELF_FINANCING_MIN)}
            )
        if change is not None and change < 0 and previous is not None:
            warnings.append(
                _("Die Eigenfinanzierungsquote ist gegenüber %(year)s um %(points)s Prozentpunkte gesunken.")
                % {"year": previous.year, "points": format_number(-change, 1)}
            )
        result[network_id] = FinancingIndicators(year=this_year, history=history, previous=previous, ratio_change=change, warnings=warnings)
    return result


# --- profile (what the cluster criteria read) ----------------------------------------------------------------------


def _profiles(networks: Sequence[Network], period: Period) -> dict[int, ProfileIndicators]:
    ids = [n.pk for n in networks]
    managing_roles = [role.value for role in ManagerRole.Role if role.can_manage]
    managed = set(ManagerRole.objects.filter(network_id__in=ids, role__in=managing_roles).values_list("network_id", flat=True))
    functions: dict[int, set[str]] = defaultdict(set)
    for network_id, function in (
        GovernancePosition.objects.filter(network_id__in=ids, contact__archived_at__isnull=True)
        .filter(Q(since__isnull=True) | Q(since__lte=period.end), Q(until__isnull=True) | Q(until__gte=period.end))
        .values_list("network_id", "function")
    ):
        functions[network_id].add(function)
    # The qualification indicators' "held" (qualification.indicators): courses of the year with status held; counted
    # here for many networks at once (tests/health/test_indicators.py pins both to the same number).
    courses = dict(
        Course.objects.filter(network_id__in=ids, year=period.year, status=Course.Status.HELD)
        .values("network_id")
        .annotate(n=Count("pk"))
        .values_list("network_id", "n")
    )
    order = [str(f.value) for f in GovernancePosition.Function]
    return {
        n.pk: ProfileIndicators(
            has_management=n.pk in managed,
            has_goals=bool(n.goals.strip()),
            has_rules=bool(n.rules_of_play.strip()),
            governance_functions=[f for f in order if f in functions[n.pk]],
            courses_held=courses.get(n.pk, 0),
        )
        for n in networks
    }


# --- flat rows: CSV and the annual report --------------------------------------------------------------------------


SECTIONS: dict[str, Promise] = {
    "members": gettext_lazy("Mitglieder"),
    "composition": gettext_lazy("Zusammensetzung"),
    "meetings": gettext_lazy("Treffen und Verabredungen"),
    "qualification": gettext_lazy("Qualifizierung"),
    "infobrief": gettext_lazy("Infobrief"),
    "financing": gettext_lazy("Finanzierung"),
    "cooperation": gettext_lazy("Zusammenarbeit"),
}


@dataclass(frozen=True)
class Figure:
    """One indicator as a row: section, name, value (None: not computable), unit, period, definition.

    `summary` rows are the page's tables; the others (per month, per share, earlier years) are the charts' data.
    """

    section: str  # a key of SECTIONS
    label: str
    value: int | Decimal | None
    unit: str  # "count", "percent", "money", "points"
    period: str
    definition: str
    summary: bool = True

    @property
    def area(self) -> str:
        return str(SECTIONS[self.section])

    @property
    def display(self) -> str:
        if self.value is None:
            return _("nicht berechenbar")
        if self.unit == "percent":
            return format_percent(self.value, 1)
        if self.unit == "money":
            return format_number(self.value, 2) + "\u00a0€"
        if self.unit == "points":
            return format_number(self.value, 1)
        if self.unit == "hours":
            return format_number(self.value, 1) + "\u00a0h"
        return format_number(self.value)


def figures(ind: NetworkIndicators) -> list[Figure]:
    """Every indicator of `ind` as a row, in the order of the indicators page."""
    d = {key: str(text) for key, text in DEFINITIONS.items()}
    span, day = ind.period.label, ind.period.day_label
    rows: list[Figure] = []

    def add(section: str, label: str, value: int | Decimal | None, unit: str, period: str, definition: str, summary: bool = True) -> None:
        rows.append(Figure(section, label, value, unit, period, definition, summary))

    m = ind.members
    add("members", _("Mitglieder zu Jahresbeginn"), m.start, "count", format_date(ind.period.start - timedelta(days=1), "date_short"), d["members_start"])
    add("members", _("Mitglieder zum Stichtag"), m.end, "count", day, d["members_end"])
    add("members", _("Eintritte"), m.joins, "count", span, d["joins"])
    add("members", _("Austritte"), m.leaves, "count", span, d["leaves"])
    add("members", _("Veränderung"), m.growth, "percent", span, d["growth"])
    for point in m.months:
        month = format_date(point.month, "month")
        add("members", _("Mitglieder am Monatsende: %(month)s") % {"month": month}, point.members, "count", month, d["months"], False)
        add("members", _("Eintritte: %(month)s") % {"month": month}, point.joins, "count", month, d["months"], False)
        add("members", _("Austritte: %(month)s") % {"month": month}, point.leaves, "count", month, d["months"], False)
    c = ind.composition
    add("composition", _("Akteursgruppen der Triple Helix"), c.helix_types, "count", day, d["helix"])
    add("composition", _("KMU-Anteil"), c.sme_share, "percent", day, d["sme_share"])
    for title, shares, key in (
        (_("Triple Helix"), c.helix, "helix"),
        (_("Größenklasse"), c.size_classes, "size"),
        (_("Wirtschaftszweig"), c.sectors, "sector"),
        (_("Ort"), c.municipalities, "municipality"),
    ):
        for share in shares:
            label = f"{title}: {share.label}"
            add("composition", label, share.count, "count", day, d[key], False)
            add("composition", _("%(label)s (Anteil)") % {"label": label}, share.percent, "percent", day, d[key], False)
    t = ind.meetings
    add("meetings", _("Durchgeführte Treffen"), t.held, "count", span, d["meetings_held"])
    add("meetings", _("Geplante Treffen pro Jahr"), t.planned, "count", span, d["meetings_planned"])
    add("meetings", _("Geplante Treffen bis zum Stichtag"), t.due, "count", span, d["meetings_planned"])
    add("meetings", _("Taktquote"), t.cadence, "percent", span, d["cadence"])
    add("meetings", _("Teilnahmen"), t.attended, "count", span, d["attended"])
    add("meetings", _("Anmeldungen (Treffen mit erfasster Anwesenheit)"), t.registered, "count", span, d["attendance_rate"])
    add("meetings", _("Teilnahmequote"), t.attendance_rate, "percent", span, d["attendance_rate"])
    add("meetings", _("Beteiligte Mitglieder"), t.participating_members, "count", span, d["participating_members"])
    add("meetings", _("Beteiligungsquote der Mitglieder"), t.participation, "percent", span, d["participating_members"])
    add("meetings", _("Offene Verabredungen"), t.open_items, "count", day, d["open_items"])
    add("meetings", _("Überfällige Verabredungen"), t.overdue_items, "count", day, d["overdue_items"])
    q = ind.qualification
    if q is not None:
        qd = {key: str(text) for key, text in qualification_indicators.DEFINITIONS.items()}
        add("qualification", _("Geplante Kurse"), q.planned, "count", span, qd["realisation"])
        add("qualification", _("Durchgeführte Kurse"), q.held, "count", span, qd["realisation"])
        add("qualification", _("Realisierungsquote"), q.realisation, "percent", span, qd["realisation"])
        add("qualification", _("Teilnahmequote (Plätze)"), q.participation_seats, "percent", span, qd["participation_seats"])
        add("qualification", _("Teilnahmequote (Anmeldungen)"), q.participation_enrolled, "percent", span, qd["participation_enrolled"])
        add("qualification", _("Bedarfsdeckung"), q.coverage, "percent", span, qd["coverage"])
        add("qualification", _("Erreichte Unternehmen"), q.companies_reached, "count", span, qd["companies"])
    else:
        add("qualification", _("Durchgeführte Kurse"), ind.profile.courses_held, "count", span, d["courses_held"])
    i = ind.infobrief
    add("infobrief", _("Versendete Infobriefe"), i.sent, "count", span, d["infobriefe_sent"])
    add("infobrief", _("Zustellungen"), i.deliveries, "count", span, d["deliveries"])
    add("infobrief", _("Empfänger:innen"), i.recipients, "count", span, d["deliveries"])
    add("infobrief", _("Zustellquote"), i.delivery_rate, "percent", span, d["delivery_rate"])
    add("infobrief", _("Abmeldungen"), i.unsubscribes, "count", span, d["unsubscribes"])
    add("infobrief", _("Rückläufer"), i.bounces, "count", span, d["bounces"])
    f = ind.financing
    year = str(ind.period.year)
    for _kind, label, amount in f.year.amounts:
        add("financing", label, amount, "money", year, d["funding_total"])
    add("financing", _("Summe"), f.year.total, "money", year, d["funding_total"])
    add("financing", _("Eigenfinanzierungsquote"), f.year.ratio, "percent", year, d["self_financing"])
    add("financing", _("Veränderung der Eigenfinanzierungsquote (Prozentpunkte)"), f.ratio_change, "points", year, d["self_financing_trend"])
    for past in f.history:
        if past.year != ind.period.year:
            add("financing", _("Eigenfinanzierungsquote %(year)s") % {"year": past.year}, past.ratio, "percent", str(past.year), d["self_financing"], False)
    for figure in ind.cooperation or []:
        value = figure.value if figure.value is None or isinstance(figure.value, int) else Decimal(str(figure.value)).quantize(Decimal("0.1"))
        add("cooperation", str(figure.label), value, figure.unit, span, str(figure.definition))
    return rows


def csv_rows(ind: NetworkIndicators) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for the CSV download (members.exports.write_csv)."""
    headers = [_("Bereich"), _("Kennzahl"), _("Wert"), _("Einheit"), _("Zeitraum"), _("Definition")]
    units = {"count": _("Anzahl"), "percent": _("Prozent"), "money": _("Euro"), "points": _("Prozentpunkte"), "hours": _("Stunden")}
    rows: list[list[Any]] = []
    for fig in figures(ind):
        value: Any = _("nicht berechenbar") if fig.value is None else fig.value
        rows.append([fig.area, fig.label, value, units[fig.unit], fig.period, fig.definition])
    return headers, rows
