"""Periodic member reports for managers: /manage/<network_slug>/health/reports/…

The requests with the state of their latest period, a request's periods, and a period's page: who submitted and who
not, each report to read, a reminder button and the CSV of all answers. Everything is reached through
`reports.requests_for_network` / `reports.periods_for_network`: another network's request is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from health import reports
from health.forms_reports import OpenPeriodForm, ReportRequestForm
from health.models import MemberReport, ReportPeriod, ReportRequest
from members.exports import file_response, write_csv
from verbund import flash
from verbund.access import NetworkRequest, network_required


def _request(request: NetworkRequest, pk: int) -> ReportRequest:
    return get_object_or_404(reports.requests_for_network(request.network).select_related("network"), pk=pk)


def _period(request: NetworkRequest, period_pk: int) -> ReportPeriod:
    return get_object_or_404(reports.periods_for_network(request.network), pk=period_pk)


@network_required()
def index(request: NetworkRequest) -> HttpResponse:
    """Every request with its latest asked period: n of m submitted, due or overdue."""
    found = list(reports.requests_for_network(request.network).order_by("-active", "title"))
    latest: dict[int, ReportPeriod] = {}
    opened: dict[int, set] = {}
    for period in reports.periods_for_network(request.network).filter(request__in=found).order_by("request_id", "-starts_on"):
        latest.setdefault(period.request_id, period)
        opened.setdefault(period.request_id, set()).add(period.starts_on)
    statuses = reports.period_statuses(list(latest.values()))
    group_sizes = reports.group_member_ids(r.pk for r in found)
    rows = [
        {
            "request": r,
            "status": statuses.get(latest[r.pk].pk) if r.pk in latest else None,
            "group_size": len(group_sizes.get(r.pk, ())),
            "next": reports.next_auto_open(r, opened=opened.get(r.pk, set())),
        }
        for r in found
    ]
    return render(
        request,
        "health/reports/index.html",
        {"network": request.network, "rows": rows, "can_manage": request.manager_role.role_enum.can_manage, "today": timezone.localdate()},
    )


def _form_page(request: NetworkRequest, form: ReportRequestForm, report_request: ReportRequest | None, status: int = 200) -> HttpResponse:
    return render(request, "health/reports/request_form.html", {"network": request.network, "form": form, "report_request": report_request}, status=status)


@network_required(can_manage=True)
def request_create(request: NetworkRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST or None, network=request.network)
    if request.method == "POST":
        if form.is_valid():
            try:
                created = reports.report_request_create(
                    network=request.network,
                    by=request.user,
                    data=form.data_for_service(),
                    add_kind=form.cleaned_data["add_kind"],
                    add_role=form.cleaned_data["add_role"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Berichtsanfrage „%(title)s“ angelegt.") % {"title": created.title})
                return redirect("health_reports:request", network_slug=request.network.slug, pk=created.pk)
        return _form_page(request, form, None, status=400)
    return _form_page(request, form, None)


@network_required(can_manage=True)
def request_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    report_request = _request(request, pk)
    form = ReportRequestForm(request.POST or None, instance=report_request, network=request.network)
    if request.method == "POST":
        if form.is_valid():
            try:
                reports.report_request_update(
                    request=report_request,
                    by=request.user,
                    data=form.data_for_service(),
                    add_kind=form.cleaned_data["add_kind"],
                    add_role=form.cleaned_data["add_role"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Berichtsanfrage gespeichert."))
                return redirect("health_reports:request", network_slug=request.network.slug, pk=report_request.pk)
        return _form_page(request, form, report_request, status=400)
    return _form_page(request, form, report_request)


@network_required()
def request_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    """A request: its group, its prompts, its periods with n of m, and "Jetzt anfragen"."""
    report_request = _request(request, pk)
    periods = list(reports.periods_for_network(request.network).filter(request=report_request).order_by("-starts_on"))
    statuses = reports.period_statuses(periods)
    return render(
        request,
        "health/reports/request_detail.html",
        {
            "network": request.network,
            "report_request": report_request,
            "group": reports.group_members(report_request).order_by("name"),
            "prompts": report_request.prompt_list(),
            "periods": [statuses[p.pk] for p in periods],
            "open_form": OpenPeriodForm(request=report_request),
            "next": reports.next_auto_open(report_request),
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@require_POST
@network_required(can_manage=True)
def period_open(request: NetworkRequest, pk: int) -> HttpResponse:
    """Ask the group for a period's report now (the task would do it OPEN_BEFORE_END_DAYS before the period's end)."""
    report_request = _request(request, pk)
    form = OpenPeriodForm(request.POST, request=report_request)
    if not form.is_valid():
        messages.error(request, _("Dieser Zeitraum kann jetzt nicht angefragt werden (schon angefragt oder unbekannt)."))
        return redirect("health_reports:request", network_slug=request.network.slug, pk=report_request.pk)
    try:
        period = reports.period_open(request=report_request, span=form.span(), by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
        return redirect("health_reports:request", network_slug=request.network.slug, pk=report_request.pk)
    messages.success(request, _("Zeitraum %(label)s angefragt; die Mitglieder bekommen eine E-Mail.") % {"label": reports.span_of(period).label})
    return redirect("health_reports:period", network_slug=request.network.slug, period_pk=period.pk)


@network_required()
def period_detail(request: NetworkRequest, period_pk: int) -> HttpResponse:
    """Who submitted, who not, and each submitted report to read (drafts stay with the member)."""
    period = _period(request, period_pk)
    asked = reports.asked_organisations(period)
    submitted = {
        r.organisation_id: r
        for r in MemberReport.objects.filter(period=period, submitted_at__isnull=False).select_related("organisation", "submitted_by__contact")
    }
    status = reports.period_statuses([period])[period.pk]
    return render(
        request,
        "health/reports/period.html",
        {
            "network": request.network,
            "period": period,
            "label": reports.span_of(period).label,
            "report_request": period.request,
            "status": status,
            "rows": [(org, submitted.get(org.pk)) for org in asked],
            "submitted": [submitted[org.pk] for org in asked if org.pk in submitted],
            "today": timezone.localdate(),
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@require_POST
@network_required(can_manage=True)
def period_remind(request: NetworkRequest, period_pk: int) -> HttpResponse:
    period = _period(request, period_pk)
    try:
        sent = reports.period_remind(period=period, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, ngettext("Erinnerung an %(n)s Person versandt.", "Erinnerung an %(n)s Personen versandt.", sent) % {"n": sent})
    return redirect("health_reports:period", network_slug=request.network.slug, period_pk=period.pk)


@network_required()
def period_csv(request: NetworkRequest, period_pk: int) -> HttpResponse:
    """All answers of a period as CSV for German Excel: one row per asked organisation, one column per prompt."""
    period = _period(request, period_pk)
    submitted = {r.organisation_id: r for r in MemberReport.objects.filter(period=period, submitted_at__isnull=False).select_related("submitted_by__contact")}
    asked = reports.asked_organisations(period)
    prompts = reports.csv_prompts(period, [submitted[org.pk] for org in asked if org.pk in submitted])
    rows = []
    for org in asked:
        report = submitted.get(org.pk)
        texts = {str(a.get("prompt")): str(a.get("text", "")) for a in (report.answers if report else []) if isinstance(a, dict)}
        rows.append(
            [
                org.name,
                _("eingereicht") if report else _("fehlt"),
                timezone.localtime(report.submitted_at).strftime("%d.%m.%Y %H:%M") if report and report.submitted_at else "",
                reports.submitter_name(report),
                *[texts.get(prompt, "") for prompt in prompts],
            ]
        )
    content = write_csv([_("Organisation"), _("Status"), _("Eingereicht am"), _("Eingereicht von"), *prompts], rows)
    label = f"{period.year}-q{period.quarter}" if period.quarter else str(period.year)
    return file_response(content, fmt="csv", filename=f"berichte-{period.request_id}-{label}.csv")
