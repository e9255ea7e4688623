"""The Jahresbericht of a network: an editable foreword, the rest gathered from the portal's data and rendered to PDF in
the background (claimed before rendering, so a redelivered task does nothing twice)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.models import AgendaItem, Meeting, Registration
from health import cluster
from health.charts import indicator_charts
from health.indicators import SECTIONS, figures, network_indicators
from health.models import ANNUAL_REPORT_FIELDS, AnnualReport, Survey
from health.reports import reports_for_year
from health.surveys import survey_results, surveys_of
from qualification.models import Course
from verbund.background import enqueue_on_commit
from verbund.models import Network, User
from verbund.pdf import render_pdf
from verbund.services import save_audited

logger = logging.getLogger(__name__)
BERLIN = ZoneInfo("Europe/Berlin")
FIRST_YEAR = 2000
# Programme lines that are no topic of a meeting.
UNPRINTED_KINDS = (AgendaItem.Kind.ARRIVAL, AgendaItem.Kind.BREAK, AgendaItem.Kind.END)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next one, in Berlin time."""
    return datetime.combine(date(year, 1, 1), time.min, BERLIN), datetime.combine(date(year + 1, 1, 1), time.min, BERLIN)


def report_years(network: Network, *, today: date | None = None) -> list[int]:
    """The years a report can be written for: from the network's founding (or its creation) to this year, newest first."""
    today = today or timezone.localdate()
    start = network.founded_on.year if network.founded_on else timezone.localtime(network.created_at).year
    start = max(FIRST_YEAR, min(start, today.year))
    return list(range(today.year, start - 1, -1))


def annual_report_for(network: Network, year: int) -> AnnualReport:
    """The stored report of the year, or an unsaved draft."""
    return AnnualReport.objects.filter(network=network, year=year).first() or AnnualReport(network=network, year=year)


@transaction.atomic
def annual_report_update(*, network: Network, year: int, data: dict, by: User) -> AnnualReport:
    """Save the foreword (and whatever else the field set lets people edit)."""
    report, _created = AnnualReport.objects.select_for_update().get_or_create(network=network, year=year)
    changed = ANNUAL_REPORT_FIELDS.apply(report, data)
    report.updated_by = by
    save_audited(report, by=by, update_fields=[*changed, "updated_by"])
    return report


@transaction.atomic
def annual_report_request(*, network: Network, year: int, by: User) -> AnnualReport:
    """Ask for a fresh PDF. A report already on its way is left alone."""
    report, _created = AnnualReport.objects.select_for_update().get_or_create(network=network, year=year)
    if report.status in {AnnualReport.Status.PENDING, AnnualReport.Status.RENDERING}:
        return report
    report.status = AnnualReport.Status.PENDING
    report.requested_at = timezone.now()
    report.error = ""
    report.updated_by = by
    save_audited(report, by=by, update_fields=["status", "requested_at", "error", "updated_by"])
    enqueue_on_commit("health.tasks.render_annual_report_task", report.pk)
    return report


def annual_report_render(*, report_id: int) -> None:
    """Claim a requested report and render it; a failure is recorded on the row, never raised to the worker."""
    if not AnnualReport.objects.filter(pk=report_id, status=AnnualReport.Status.PENDING).update(status=AnnualReport.Status.RENDERING):
        return
    report = AnnualReport.objects.select_related("network").get(pk=report_id)
    try:
        with translation.override("de"):
            html = render_to_string("health/annual/pdf.html", annual_report_context(report))
            pdf = render_pdf(html=html, pdf_variant="pdf/ua-1")
    except Exception as exc:  # WeasyPrint raises many types; the row records the failure
        logger.exception("Rendering annual report %s failed", report_id)
        AnnualReport.objects.filter(pk=report_id).update(status=AnnualReport.Status.FAILED, error=str(exc)[:2000])
        return
    old = report.file.name
    report.file.save(f"jahresbericht-{report.network.slug}-{report.year}.pdf", ContentFile(pdf), save=False)
    AnnualReport.objects.filter(pk=report_id).update(status=AnnualReport.Status.READY, file=report.file.name, rendered_at=timezone.now())
    if old and old != report.file.name:
        report.file.storage.delete(old)


def meetings_held(network: Network, year: int) -> list[Meeting]:
    """The year's meetings that took place (not cancelled, begun by now) with their programme and attendance."""
    start, end = year_bounds(year)
    end = min(end, timezone.now())
    return list(
        Meeting.objects.filter(network=network, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(attended=Count("registrations", filter=Q(registrations__status=Registration.Status.ATTENDED)))
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.exclude(kind__in=UNPRINTED_KINDS).order_by("position", "starts_at")))
        .order_by("starts_at")
    )


def courses_held(network: Network, year: int) -> list[Course]:
    return list(Course.objects.filter(network=network, year=year, status=Course.Status.HELD).prefetch_related("topics").order_by("title"))


def sections(network: Network, year: int) -> list[dict]:
    """The chapters gathered from the other parts of the portal, each only when it has something to say."""
    out = []
    ind = network_indicators(network, year)
    charts = indicator_charts(ind)
    rows = figures(ind)
    parts = [
        {"key": key, "title": str(title), "figures": [f for f in rows if f.section == key and f.summary], "charts": charts.get(key, [])}
        for key, title in SECTIONS.items()
    ]
    out.append({"id": "indicators", "title": "Kennzahlen", "html": render_to_string("health/annual/_indicators.html", {"ind": ind, "parts": parts})})
    assessment = cluster.assess(ind)
    html = render_to_string("health/annual/_cluster.html", {"assessment": assessment, "notice": cluster.NOTICE})
    out.append({"id": "cluster", "title": "Cluster-Check (eigene Zusammenstellung)", "html": html})
    survey = surveys_of(network).filter(year=year).first()
    if survey is not None and survey.status != Survey.Status.DRAFT:
        html = render_to_string("health/annual/_survey.html", {"results": survey_results(survey), "year": year})
        out.append({"id": "survey", "title": "Zufriedenheit der Mitglieder", "html": html})
    member_reports = reports_for_year(network, year)
    if member_reports:
        out.append(
            {
                "id": "member-reports",
                "title": "Berichte der Mitglieder",
                "html": render_to_string("health/annual/_reports.html", {"member_reports": member_reports}),
            }
        )
    return out


def annual_report_context(report: AnnualReport) -> dict:
    network = report.network
    year = report.year
    return {
        "report": report,
        "network": network,
        "year": year,
        "managers": list(network.manager_roles.select_related("user").order_by("user__last_name")),
        "meetings": meetings_held(network, year),
        "courses": courses_held(network, year),
        "sections": sections(network, year),
        "generated_on": timezone.localdate(),
    }
