"""Indicators of a Qualifizierungsverbund per network and year, with their definitions (shown beside the figures).

All rates are None when their denominator is 0 ("nicht berechenbar"), never 0 % or an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from qualification.models import Attendance, Course, Enrolment, Need
from verbund.models import Network

PLANNED = [Course.Status.PLANNED, Course.Status.CONFIRMED, Course.Status.HELD, Course.Status.CANCELLED]

DEFINITIONS = {
    "realisation": _(
        "Realisierungsquote: durchgeführte Kurse ÷ geplante Kurse des Jahres (geplant, bestätigt, durchgeführt oder abgesagt; ohne bloße Vorschläge)."
    ),
    "participation_seats": _("Teilnahmequote (Plätze): Teilnehmende ÷ angebotene Plätze der durchgeführten Kurse."),
    "participation_enrolled": _("Teilnahmequote (Anmeldungen): Teilnehmende ÷ angemeldete Personen der durchgeführten Kurse."),
    "coverage": _("Bedarfsdeckung: Anteil der geäußerten Bedarfe (Unternehmen × Thema, mindestens „sinnvoll“), zu deren Thema ein Kurs durchgeführt wurde."),
    "companies": _("Erreichte Unternehmen: Unternehmen mit mindestens einer Person, die an einem durchgeführten Kurs teilgenommen hat."),
}


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Indicators:
    planned: int
    held: int
    realisation: Decimal | None
    seats: int
    enrolled: int
    attendees: int
    participation_seats: Decimal | None
    participation_enrolled: Decimal | None
    expressed_needs: int
    covered_needs: int
    coverage: Decimal | None
    companies_reached: int


def indicators(network: Network, year: int) -> Indicators:
    courses = Course.objects.filter(network=network, year=year)
    planned = courses.filter(status__in=PLANNED).count()
    held_courses = courses.filter(status=Course.Status.HELD)
    held = held_courses.count()
    seats = held_courses.aggregate(n=Sum("seats"))["n"] or 0
    enrolments = Enrolment.objects.filter(course__in=held_courses, status=Enrolment.Status.ENROLLED)
    enrolled = enrolments.aggregate(n=Sum("head_count"))["n"] or 0
    # Attendees: per enrolment the most people present at any session (who came at least once), summed.
    per_enrolment = list(
        Attendance.objects.filter(enrolment__in=enrolments)
        .values("enrolment", "enrolment__head_count", "enrolment__organisation")
        .annotate(most=Max("present"))
    )
    attendees = sum(min(row["most"], row["enrolment__head_count"]) for row in per_enrolment)
    reached = len({row["enrolment__organisation"] for row in per_enrolment if row["most"] > 0})
    held_topics = set(held_courses.values_list("topics", flat=True)) - {None}
    expressed = Need.objects.filter(network=network, priority__gte=Need.Priority.USEFUL, topic__archived_at__isnull=True)
    expressed_count = expressed.count()
    covered = expressed.filter(topic__in=held_topics).count()
    return Indicators(
        planned=planned,
        held=held,
        realisation=_rate(held, planned),
        seats=seats,
        enrolled=enrolled,
        attendees=attendees,
        participation_seats=_rate(attendees, seats),
        participation_enrolled=_rate(attendees, enrolled),
        expressed_needs=expressed_count,
        covered_needs=covered,
        coverage=_rate(covered, expressed_count),
        companies_reached=reached,
    )
