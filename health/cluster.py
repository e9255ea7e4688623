"""The cluster-excellence view: a network's figures grouped as European cluster benchmarking groups them, with public
criteria it can check itself against — our own compilation, not an official label (not ESCA's, no certification).

`assess(indicators)` is pure over `health.indicators.NetworkIndicators` (no queries), so the portfolio can show
"criteria met n/m" for many networks. A criterion is met (True), not met (False) or cannot be checked from the
portal's data (None, e.g. no previous year to compare with); only met ones count towards n.

The thresholds are ours and printed beside each criterion; they follow what the benchmarking asks about (size and
composition of the membership, dedicated management, strategy, financing beyond public money, services, interaction,
visible results) and what the 2013 transfer workshop named for networks of SMEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from health.indicators import SELF_FINANCING_MIN, NetworkIndicators, Period, rate
from members.exports import write_xlsx
from members.models import GovernancePosition
from verbund.formatting import format_number, format_percent
from verbund.pdf import render_pdf

MIN_MEMBERS = 15
MIN_HELIX_TYPES = 2
MIN_SME_SHARE = Decimal(50)
MIN_INFOBRIEFE = 2
MIN_COURSES = 1
MIN_PARTICIPATION = Decimal(50)
MAX_OVERDUE_SHARE = Decimal(25)
MIN_DOCUMENTED_SHARE = Decimal(50)
MIN_PUBLIC_EVENTS = 1

NOTICE = gettext_lazy(
    "Eigene Zusammenstellung nach dem Muster des europäischen Cluster-Benchmarkings – kein offizielles Label, keine Zertifizierung "
    "und keine Bewertung durch das European Secretariat for Cluster Analysis (ESCA). Die Kriterien und Schwellen sind unsere; "
    "sie helfen, ein Benchmarking-Gespräch oder einen Bericht an Fördergeber vorzubereiten."
)

GROUPS: dict[str, object] = {
    "structure": gettext_lazy("Struktur"),
    "governance": gettext_lazy("Management und Governance"),
    "financing": gettext_lazy("Finanzierung"),
    "services": gettext_lazy("Leistungen"),
    "interaction": gettext_lazy("Zusammenarbeit und Austausch"),
    "achievements": gettext_lazy("Ergebnisse und Sichtbarkeit"),
}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str  # the public criterion, threshold included
    value: str  # what the portal's data say
    met: bool | None  # None: cannot be checked

    @property
    def status(self) -> str:
        return "met" if self.met else ("open" if self.met is None else "not_met")

    @property
    def status_label(self) -> str:
        return _("erfüllt") if self.met else (_("nicht prüfbar") if self.met is None else _("nicht erfüllt"))


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    figures: list[tuple[str, str]]  # (label, shown value)
    criteria: list[Criterion]


@dataclass(frozen=True)
class Assessment:
    network_name: str
    period: Period
    groups: list[Group]

    @property
    def criteria(self) -> list[Criterion]:
        return [c for g in self.groups for c in g.criteria]

    @property
    def met(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def total(self) -> int:
        return len(self.criteria)


def _n(value: int | None) -> str:
    return "–" if value is None else format_number(value)


def _p(value: Decimal | None) -> str:
    return _("nicht berechenbar") if value is None else format_percent(value, 1)


def _yes(value: bool) -> str:
    return _("ja") if value else _("nein")


def assess(ind: NetworkIndicators) -> Assessment:
    """The figures and criteria of one network and year, in the benchmarking's six groups."""
    m, c, t, i, f, p = ind.members, ind.composition, ind.meetings, ind.infobrief, ind.financing, ind.profile
    helix = {s.key: s for s in c.helix}
    functions = dict(GovernancePosition.Function.choices)
    bodies = [str(functions[key]) for key in p.governance_functions]
    overdue_share = rate(t.overdue_items, t.open_items)
    documented_share = rate(t.documented, t.held)
    groups = [
        Group(
            "structure",
            str(GROUPS["structure"]),
            [
                (_("Mitglieder zum Stichtag"), _n(m.end)),
                (_("Eintritte / Austritte"), f"{_n(m.joins)} / {_n(m.leaves)}"),
                *[(s.label, f"{_n(s.count)} ({_p(s.percent)})") for s in c.helix],
                (_("KMU-Anteil an den Unternehmen"), _p(c.sme_share)),
            ],
            [
                Criterion("members", _("Mindestens %(n)s Mitglieder") % {"n": MIN_MEMBERS}, _n(m.end), m.end >= MIN_MEMBERS),
                Criterion(
                    "helix",
                    _("Mindestens %(n)s Akteursgruppen der Triple Helix (Unternehmen, Wissenschaft, Verwaltung)") % {"n": MIN_HELIX_TYPES},
                    ", ".join(f"{helix[k].label}: {_n(helix[k].count)}" for k in ("companies", "science", "administration")),
                    c.helix_types >= MIN_HELIX_TYPES,
                ),
                Criterion(
                    "sme",
                    _("KMU stellen mindestens %(share)s der Unternehmen mit bekannter Größe") % {"share": format_percent(MIN_SME_SHARE)},
                    _p(c.sme_share),
                    None if c.sme_share is None else c.sme_share >= MIN_SME_SHARE,
                ),
                Criterion(
                    "growth",
                    _("Mitgliederzahl im Jahr gehalten oder gewachsen"),
                    _("%(start)s → %(end)s") % {"start": _n(m.start), "end": _n(m.end)},
                    m.end >= m.start if (m.start or m.end) else None,
                ),
            ],
        ),
        Group(
            "governance",
            str(GROUPS["governance"]),
            [
                (_("Netzwerkmanagement / Geschäftsstelle im Portal"), _yes(p.has_management)),
                (_("Ziele beschrieben"), _yes(p.has_goals)),
                (_("Spielregeln beschrieben"), _yes(p.has_rules)),
                (_("Besetzte Gremien"), ", ".join(bodies) or "–"),
                (_("Offene / überfällige Verabredungen"), f"{_n(t.open_items)} / {_n(t.overdue_items)}"),
            ],
            [
                Criterion("management", _("Ein eigenes Netzwerkmanagement (Manager:in oder Geschäftsstelle)"), _yes(p.has_management), p.has_management),
                Criterion("goals", _("Ziele beziehungsweise Strategie des Verbunds schriftlich festgehalten"), _yes(p.has_goals), p.has_goals),
                Criterion("rules", _("Spielregeln (Verpflichtungen der Mitglieder) festgehalten"), _yes(p.has_rules), p.has_rules),
                Criterion(
                    "bodies",
                    _("Vorsitz oder Vorstand / Lenkungskreis besetzt"),
                    ", ".join(bodies) or "–",
                    bool({"chair", "board"} & set(p.governance_functions)),
                ),
                Criterion(
                    "follow_up",
                    _("Höchstens %(share)s der offenen Verabredungen überfällig") % {"share": format_percent(MAX_OVERDUE_SHARE)},
                    _("keine offenen Verabredungen") if overdue_share is None else _p(overdue_share),
                    True if overdue_share is None else overdue_share <= MAX_OVERDUE_SHARE,
                ),
            ],
        ),
        Group(
            "financing",
            str(GROUPS["financing"]),
            [
                *[(label, format_number(amount, 2) + "\u00a0€") for _kind, label, amount in f.year.amounts],
                (_("Summe"), format_number(f.year.total, 2) + "\u00a0€"),
                (_("Eigenfinanzierungsquote"), _p(f.year.ratio)),
                (
                    _("Veränderung gegenüber dem Vorjahr"),
                    "–" if f.ratio_change is None else _("%(points)s Prozentpunkte") % {"points": format_number(f.ratio_change, 1)},
                ),
            ],
            [
                Criterion("funding_recorded", _("Finanzierung des Jahres im Portal erfasst"), format_number(f.year.total, 2) + "\u00a0€", f.year.total > 0),
                Criterion(
                    "own_funding",
                    _("Eigenfinanzierungsquote (Beiträge und Dienstleistungen) mindestens %(share)s") % {"share": format_percent(SELF_FINANCING_MIN)},
                    _p(f.year.ratio),
                    None if f.year.ratio is None else f.year.ratio >= SELF_FINANCING_MIN,
                ),
                Criterion(
                    "own_funding_trend",
                    _("Eigenfinanzierungsquote gegenüber dem Vorjahr gehalten oder gestiegen"),
                    "–" if f.ratio_change is None else _("%(points)s Prozentpunkte") % {"points": format_number(f.ratio_change, 1)},
                    None if f.ratio_change is None else f.ratio_change >= 0,
                ),
            ],
        ),
        Group(
            "services",
            str(GROUPS["services"]),
            [
                (_("Durchgeführte Kurse"), _n(p.courses_held)),
                (_("Versendete Infobriefe"), _n(i.sent)),
                (_("Empfänger:innen des Infobriefs"), _n(i.recipients)),
            ],
            [
                Criterion(
                    "courses",
                    _("Mindestens %(n)s Qualifizierungsangebot (Kurs) durchgeführt") % {"n": MIN_COURSES},
                    _n(p.courses_held),
                    p.courses_held >= MIN_COURSES,
                ),
                Criterion("infobriefe", _("Mindestens %(n)s Infobriefe im Jahr versendet") % {"n": MIN_INFOBRIEFE}, _n(i.sent), i.sent >= MIN_INFOBRIEFE),
            ],
        ),
        Group(
            "interaction",
            str(GROUPS["interaction"]),
            [
                (_("Durchgeführte Treffen"), _n(t.held)),
                (_("Geplante Treffen pro Jahr"), _n(t.planned)),
                (_("Teilnahmequote"), _p(t.attendance_rate)),
                (_("Beteiligte Mitglieder"), f"{_n(t.participating_members)} ({_p(t.participation)})"),
            ],
            [
                Criterion(
                    "cadence",
                    _("Regelmäßige Treffen in der geplanten Taktung (bis zum Stichtag anteilig)"),
                    _("%(held)s von %(due)s") % {"held": _n(t.held), "due": _n(t.due)} if t.due is not None else _("keine Taktung im Profil"),
                    False if t.due is None else t.held >= t.due,
                ),
                Criterion(
                    "participation",
                    _("Mindestens %(share)s der Mitglieder bei einem Treffen vertreten") % {"share": format_percent(MIN_PARTICIPATION)},
                    _p(t.participation),
                    None if t.participation is None else t.participation >= MIN_PARTICIPATION,
                ),
            ],
        ),
        Group(
            "achievements",
            str(GROUPS["achievements"]),
            [
                (_("Treffen mit Dokumentation"), f"{_n(t.documented)} / {_n(t.held)}"),
                (_("Öffentliche Veranstaltungen"), _n(t.public_held)),
                (_("Zustellungen des Infobriefs"), _n(i.deliveries)),
            ],
            [
                Criterion(
                    "documented",
                    _("Mindestens %(share)s der Treffen dokumentiert") % {"share": format_percent(MIN_DOCUMENTED_SHARE)},
                    _p(documented_share),
                    None if documented_share is None else documented_share >= MIN_DOCUMENTED_SHARE,
                ),
                Criterion(
                    "public",
                    _("Mindestens %(n)s öffentliche Veranstaltung im Jahr") % {"n": MIN_PUBLIC_EVENTS},
                    _n(t.public_held),
                    t.public_held >= MIN_PUBLIC_EVENTS,
                ),
            ],
        ),
    ]
    return Assessment(network_name=ind.network.name, period=ind.period, groups=groups)


# --- files ---------------------------------------------------------------------------------------------------------


def filename(ind: NetworkIndicators, fmt: str) -> str:
    return f"cluster-check-{ind.network.slug}-{ind.period.year}.{fmt}"


def assessment_xlsx(assessment: Assessment) -> bytes:
    """One sheet: the notice, then each group's criteria (met / not met, with the value) and figures."""
    headers = [_("Bereich"), _("Art"), _("Bezeichnung"), _("Wert"), _("Ergebnis")]
    rows: list[list[object]] = [
        [_("Hinweis"), "", str(NOTICE), "", ""],
        [_("Verbund"), "", assessment.network_name, "", ""],
        [_("Zeitraum"), "", assessment.period.label, "", ""],
        [_("Erfüllte Kriterien"), "", _("%(met)s von %(total)s") % {"met": assessment.met, "total": assessment.total}, "", ""],
    ]
    for group in assessment.groups:
        for criterion in group.criteria:
            rows.append([group.title, _("Kriterium"), criterion.label, criterion.value, criterion.status_label])
        for label, value in group.figures:
            rows.append([group.title, _("Kennzahl"), label, value, ""])
    return write_xlsx(headers, rows, title=_("Cluster-Check"))


def assessment_pdf(assessment: Assessment) -> bytes:
    """A few pages for the benchmarking interview, rendered here (small) as PDF/UA-1 like the portal's other PDFs."""
    html = render_to_string("health/indicators/cluster_pdf.html", {"assessment": assessment, "notice": NOTICE, "today": timezone.localdate()})
    return render_pdf(html=html, pdf_variant="pdf/ua-1")
