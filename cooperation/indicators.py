"""Cooperation's figures for the network health view (health.indicators shows them as the section "Zusammenarbeit").

Each area of cooperation computes its own counts (`<area>.indicators(network, start, end)`); this module names them,
says what each means and in which unit, in the order of the indicators page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cooperation import needs, outreach, projects, questions
from verbund.models import Network


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Promise
    value: int | float | None
    unit: str  # "count", "percent" or "hours"
    definition: Promise


# key → (label, unit, definition), in the page's order.
ROWS: dict[str, tuple[Promise, str, Promise]] = {
    "needs_raised": (_("Gemeldete Bedarfe"), "count", _("Bedarfe von Mitgliedern oder der Geschäftsstelle, angelegt im Zeitraum.")),
    "needs_matched": (_("Vermittelte Bedarfe"), "count", _("Bedarfe, für die im Zeitraum eine Vermittlung bestätigt wurde.")),
    "needs_solved": (_("Gelöste Bedarfe"), "count", _("Bedarfe, die im Zeitraum auf „Erledigt“ gesetzt wurden.")),
    "round_tables_held": (_("Runde Tische"), "count", _("Treffen der Art „Runder Tisch“, die im Zeitraum begannen (ohne abgesagte).")),
    "questions_asked": (_("Gestellte Fachfragen"), "count", _("Fragen von Mitgliedern an die Geschäftsstelle, gestellt im Zeitraum.")),
    "questions_answered": (_("Beantwortete Fachfragen"), "count", _("Fragen des Zeitraums mit mindestens einer Antwort.")),
    "median_hours_to_first_answer": (
        _("Zeit bis zur ersten Antwort (Median)"),
        "hours",
        _("Median der Stunden von der Frage bis zur ersten Antwort, über die beantworteten Fragen des Zeitraums."),
    ),
    "suggestions_made": (_("Themenvorschläge"), "count", _("Themenvorschläge von Mitgliedern, gemacht im Zeitraum.")),
    "suggestions_taken_up": (
        _("Aufgegriffene Themenvorschläge"),
        "count",
        _("Themenvorschläge des Zeitraums, die ins Programm, den Infobrief oder ein Kursangebot aufgenommen wurden."),
    ),
    "projects_started": (_("Gestartete Praxisprojekte"), "count", _("Praxis-Verbund-Projekte, deren Beginn im Zeitraum liegt.")),
    "projects_finished": (_("Abgeschlossene Praxisprojekte"), "count", _("Praxis-Verbund-Projekte, die im Zeitraum abgeschlossen wurden.")),
    "decisions_taken": (_("Getroffene Entscheidungen"), "count", _("Entscheidungsvorlagen der Projekte, im Zeitraum entschieden.")),
    "contacts_logged": (_("Kontakte der Geschäftsstelle"), "count", _("Anrufe, Besuche, Gespräche und E-Mails im Kontaktprotokoll, im Zeitraum.")),
    "first_talks": (_("Erstgespräche"), "count", _("Einträge der Art „Erstgespräch“ im Kontaktprotokoll, im Zeitraum.")),
    "prospects_won": (_("Gewonnene Interessenten"), "count", _("Interessenten, die im Zeitraum Mitglied wurden.")),
    "prospects_conversion": (
        _("Umwandlungsquote der Interessenten"),
        "percent",
        _("Von den Interessenten, deren Weg im Zeitraum endete (Mitglied geworden oder abgesagt), der Anteil, der Mitglied wurde."),
    ),
}


def area_figures(network: Network, start: date, end: date) -> dict[str, int | float | None]:
    """Every area's counts in one dict (the areas' keys are distinct)."""
    found: dict[str, int | float | None] = {}
    for area in AREAS:
        found |= area.indicators(network, start, end)
    return found


AREAS = (needs, questions, projects, outreach)


def indicators(network: Network, start: date, end: date) -> list[Indicator]:
    """The figures of cooperation in [start, end] (both days included), labelled, in the page's order."""
    found = area_figures(network, start, end)
    return [Indicator(key, label, found.get(key), unit, definition) for key, (label, unit, definition) in ROWS.items() if key in found]
