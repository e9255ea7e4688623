"""A network's indicators (Kennzahlen) with a year picker, charts and a CSV download; the cluster-excellence view with
XLSX and PDF. Every role of the network may read them.

A refused year (`?year=abc`, `?year=1999`, a future year) shows this year's page with the reason; a download with a
refused year answers that page with status 400 instead of a file of another year than asked for.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from health import cluster as cluster_check
from health.charts import indicator_charts
from health.forms.indicators import YearForm
from health.indicators import SECTIONS, NetworkIndicators, csv_rows, figures, indicators_for, network_indicators, years_available
from members.exports import file_response, write_csv
from verbund.access import NetworkRequest, network_required


def _years(request: NetworkRequest, year: int) -> list[int]:
    years = years_available(request.network)
    return sorted({*years, year}, reverse=True)


def _index_page(request: NetworkRequest, form: YearForm, *, status: int = 200) -> HttpResponse:
    network, year = request.network, form.year()
    ind = network_indicators(network, year)
    charts = indicator_charts(ind)
    rows = figures(ind)
    sections = [
        {"key": key, "title": title, "figures": [f for f in rows if f.section == key and f.summary], "charts": charts.get(key, [])}
        for key, title in SECTIONS.items()
    ]
    context = {
        "network": network,
        "year": year,
        "years": _years(request, year),
        "year_error": form.error(),
        "ind": ind,
        "sections": sections,
    }
    return render(request, "health/indicators/index.html", context, status=status)


@network_required()
def index(request: NetworkRequest) -> HttpResponse:
    return _index_page(request, YearForm(request.GET or None))


@network_required()
def indicators_csv(request: NetworkRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    if form.error():
        return _index_page(request, form, status=400)
    ind = network_indicators(request.network, form.year())
    return file_response(write_csv(*csv_rows(ind)), fmt="csv", filename=f"kennzahlen-{request.network.slug}-{ind.period.year}.csv")


def _assessment(request: NetworkRequest, form: YearForm) -> tuple[NetworkIndicators, cluster_check.Assessment]:
    ind = indicators_for([request.network], form.year())[request.network.pk]
    return ind, cluster_check.assess(ind)


def _cluster_page(request: NetworkRequest, form: YearForm, *, status: int = 200) -> HttpResponse:
    ind, assessment = _assessment(request, form)
    context = {
        "network": request.network,
        "year": ind.period.year,
        "years": _years(request, ind.period.year),
        "year_error": form.error(),
        "assessment": assessment,
        "notice": cluster_check.NOTICE,
    }
    return render(request, "health/indicators/cluster.html", context, status=status)


@network_required()
def cluster(request: NetworkRequest) -> HttpResponse:
    return _cluster_page(request, YearForm(request.GET or None))


@network_required()
def cluster_xlsx(request: NetworkRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    if form.error():
        return _cluster_page(request, form, status=400)
    ind, assessment = _assessment(request, form)
    return file_response(cluster_check.assessment_xlsx(assessment), fmt="xlsx", filename=cluster_check.filename(ind, "xlsx"))


@network_required()
def cluster_pdf(request: NetworkRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    if form.error():
        return _cluster_page(request, form, status=400)
    ind, assessment = _assessment(request, form)
    return file_response(cluster_check.assessment_pdf(assessment), fmt="pdf", filename=cluster_check.filename(ind, "pdf"))
