"""Demo data of the periodic member reports: the energy network's yearly report of its member municipalities.

`seed_reports_demo(network, organisations)` is called by seed_demo with the network and its municipalities. It is
idempotent (found again by title) and sends no mail: last year's period is asked for and answered by everyone,
this year's period is asked for and still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from health.models import MemberReport, ReportPeriod, ReportRequest
from health.reports import period_span
from members.models import Organisation
from verbund.models import Network

TITLE = "Bericht der Mitgliedskommunen"
PROMPTS = [
    "Welche Energie- und Klimaschutzprojekte hat Ihre Kommune im Berichtszeitraum umgesetzt oder begonnen?",
    "Wie hat sich der Energieverbrauch der kommunalen Liegenschaften entwickelt (Strom, Wärme)?",
    "Welche Themen oder Ideen sollte das Netzwerk aufgreifen?",
    "Wo brauchen Sie Unterstützung durch die Geschäftsstelle oder andere Mitglieder?",
]
ANSWERS = [
    [
        "Photovoltaik auf dem Dach der Gesamtschule (148 kWp) in Betrieb genommen; Umstellung der Straßenbeleuchtung auf LED zu zwei Dritteln abgeschlossen.",
        "Strom −6 % gegenüber dem Vorjahr, Wärme −3 % (witterungsbereinigt). Das Rathaus ist an das Nahwärmenetz angeschlossen.",
        "Gemeinsame Ausschreibung von Ladesäulen für kommunale Flotten; Austausch zu Bürgerenergie-Modellen.",
        "Vorlagen für die kommunale Wärmeplanung; Kontakte zu Handwerksbetrieben für die Sanierung der Sporthallen.",
    ],
    [
        "Klimaschutzkonzept fortgeschrieben; Beteiligung der Bürgerinnen und Bürger am Windpark Salzbergen-Nord vorbereitet.",
        "Strom etwa gleichbleibend, Wärme −8 % nach Austausch der Heizungsanlage in der Grundschule.",
        "Fachkräfte für die Energiewende in der Region halten: gemeinsamer Auftritt auf der Jobmesse.",
        "Erfahrungen anderer Kommunen mit Contracting-Modellen für Heizungsanlagen.",
    ],
]


@transaction.atomic
def seed_reports_demo(network: Network, organisations: Sequence[Organisation]) -> ReportRequest:
    """A yearly request to `organisations` (e.g. the member municipalities) with last year's reports and this year's open period."""
    request, created = ReportRequest.objects.get_or_create(
        network=network,
        title=TITLE,
        defaults={
            "instructions": "Der Jahresbericht der Kommunen fließt in den Jahresbericht des Netzwerks ein. Stichpunkte genügen.",
            "prompts": "\n".join(PROMPTS),
            "cadence": ReportRequest.Cadence.YEARLY,
            "due_days": 30,
        },
    )
    if created:
        # Backdated: the request existed when last year's period was asked for.
        ReportRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=400))
    request.organisations.add(*organisations)
    today = timezone.localdate()
    this_year = period_span(request.cadence, today)
    last_year = period_span(request.cadence, this_year.starts_on - timedelta(days=1))

    def at(day, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)))

    past, _ = ReportPeriod.objects.get_or_create(
        request=request,
        starts_on=last_year.starts_on,
        defaults={
            "year": last_year.year,
            "ends_on": last_year.ends_on,
            "due_on": last_year.due_on(request.due_days),
            "opened_at": at(last_year.ends_on - timedelta(days=14), 8),
            "reminded_at": at(last_year.due_on(request.due_days) - timedelta(days=7), 8),
        },
    )
    ReportPeriod.objects.get_or_create(
        request=request,
        starts_on=this_year.starts_on,
        defaults={
            "year": this_year.year,
            "ends_on": this_year.ends_on,
            "due_on": this_year.due_on(request.due_days),
            "opened_at": timezone.now() - timedelta(days=1),
        },
    )
    for index, organisation in enumerate(organisations):
        texts = ANSWERS[index % len(ANSWERS)]
        contact = organisation.contacts.filter(user__isnull=False).select_related("user").first()
        MemberReport.objects.get_or_create(
            period=past,
            organisation=organisation,
            defaults={
                "answers": [{"prompt": prompt, "text": text} for prompt, text in zip(PROMPTS, texts, strict=True)],
                "submitted_at": at(last_year.ends_on + timedelta(days=10 + 5 * index), 10),
                "submitted_by": contact.user if contact else None,
            },
        )
    return request
