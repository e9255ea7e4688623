"""The Jahresbericht pages: one per year, with the foreword to edit and the PDF rendered in the background."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING

from health import annual
from health.forms.annual import ForewordForm
from health.models import AnnualReport
from verbund.access import NetworkRequest, network_required

INDEX_YEARS = 5


def _year(request: NetworkRequest, year: int) -> int:
    if year not in annual.report_years(request.network):
        raise Http404("No report for this year.")
    return year


@network_required()
def index(request: NetworkRequest) -> HttpResponse:
    stored = {report.year: report for report in AnnualReport.objects.filter(network=request.network)}
    # The last few years, and older ones only where a report was begun (a network founded in 2010 is no list of 17 rows).
    years = [(year, stored.get(year)) for i, year in enumerate(annual.report_years(request.network)) if i < INDEX_YEARS or year in stored]
    return render(request, "health/annual/index.html", {"network": request.network, "years": years})


@vary_on_headers("HX-Request")
@network_required()
def report(request: NetworkRequest, year: int) -> HttpResponse:
    year = _year(request, year)
    current = annual.annual_report_for(request.network, year)
    can_manage = request.manager_role.role_enum.can_manage
    form = ForewordForm(instance=current)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied  # the project's 403 page, as network_required(can_manage=True) answers
        form = ForewordForm(request.POST, instance=current)
        if form.is_valid():
            annual.annual_report_update(network=request.network, year=year, data=form.cleaned_data, by=request.user)
            messages.success(request, _("Das Vorwort ist gespeichert."))
            return redirect("health_annual:report", network_slug=request.network.slug, year=year)
    context = {"network": request.network, "year": year, "report": current, "form": form, "can_manage": can_manage}
    if request.htmx and request.method == "GET":
        response = render(request, "health/annual/report.html#report-status", context)
        if current.status not in {AnnualReport.Status.PENDING, AnnualReport.Status.RENDERING}:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "health/annual/report.html", context, status=400 if form.errors else 200)


@require_POST
@network_required(can_manage=True)
def render_pdf(request: NetworkRequest, year: int) -> HttpResponse:
    year = _year(request, year)
    annual.annual_report_request(network=request.network, year=year, by=request.user)
    messages.info(request, _("Das PDF wird erstellt; diese Seite zeigt es, sobald es fertig ist."))
    return redirect("health_annual:report", network_slug=request.network.slug, year=year)


@network_required()
def download(request: NetworkRequest, year: int) -> FileResponse:
    current = get_object_or_404(AnnualReport, network=request.network, year=_year(request, year), status=AnnualReport.Status.READY)
    if not current.file:
        raise Http404
    response = FileResponse(
        current.file.open("rb"), as_attachment=True, filename=f"Jahresbericht-{request.network.slug}-{year}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
