"""Periodic member reports in the member portal: /portal/reports/…

A contact with a login sees the reports its organisation is asked for — the organisation is in the request's group
and a current member of the network — writes a draft, submits, reads back what was sent and corrects it until the due
date. Periods are reached only through `reports.periods_for_member`: anyone else's period is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from health import reports
from health.forms_reports import MemberReportForm
from health.models import MemberReport, ReportRequest
from members.access import MemberRequest
from verbund.access import member_required
from verbund.models import Network


@member_required
def index(request: MemberRequest) -> HttpResponse:
    """The requests the organisation is asked for, each with its periods: open, overdue, draft or submitted."""
    organisation = request.contact.organisation
    periods = list(reports.periods_for_member(organisation).order_by("request__title", "request_id", "-starts_on"))
    mine = {r.period_id: r for r in MemberReport.objects.filter(period__in=periods, organisation=organisation)}
    asked_requests = (
        ReportRequest.objects.filter(network__in=Network.objects.joined_by(organisation), organisations=organisation)
        .filter(active=True)
        .exclude(pk__in={p.request_id for p in periods})
        .select_related("network")
        .order_by("title")
    )
    groups: dict[int, dict] = {}
    for period in periods:
        entry = groups.setdefault(period.request_id, {"request": period.request, "periods": []})
        entry["periods"].append((period, reports.span_of(period).label, mine.get(period.pk)))
    return render(
        request,
        "health/reports/portal_index.html",
        {"organisation": organisation, "groups": list(groups.values()), "waiting": asked_requests, "today": timezone.localdate()},
    )


@member_required
def report(request: MemberRequest, period_pk: int) -> HttpResponse:
    """The form (a draft or a correction), or the submitted report to read back."""
    organisation = request.contact.organisation
    period = get_object_or_404(reports.periods_for_member(organisation), pk=period_pk)
    existing = reports.member_report_for(period, organisation)
    submitted = existing is not None and existing.submitted_at is not None
    correctable = reports.may_correct(period)
    editing = not submitted or (correctable and (request.method == "POST" or "korrigieren" in request.GET))
    form = MemberReportForm(request.POST or None, period=period, initial_texts=reports.prefilled_answers(period, existing))
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") != "draft"
        if form.is_valid():
            try:
                if submit:
                    reports.member_report_submit(period=period, organisation=organisation, answers=form.texts(), by=request.user)
                else:
                    reports.member_report_save(period=period, organisation=organisation, answers=form.texts(), by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if submit:
                    messages.success(request, _("Danke! Ihr Bericht ist bei der Geschäftsstelle eingegangen."))
                else:
                    messages.success(request, _("Entwurf gespeichert. Die Geschäftsstelle sieht ihn erst, wenn Sie ihn einreichen."))
                return redirect("reports_portal:report", period_pk=period.pk)
        status = 400
        editing = True
    return render(
        request,
        "health/reports/portal_report.html",
        {
            "organisation": organisation,
            "period": period,
            "label": reports.span_of(period).label,
            "report_request": period.request,
            "network": period.request.network,
            "report": existing,
            "submitted": submitted,
            "correctable": correctable,
            "editing": editing,
            "form": form,
            "submitter": reports.submitter_name(existing),
            "today": timezone.localdate(),
        },
        status=status,
    )
