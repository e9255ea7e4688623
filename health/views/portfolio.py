"""The portfolio (/portfolio/): every network the user holds a role in, with key indicators, sortable and exportable.

`?sort=` names a column (`-` in front: descending), `?year=` the year; a refused year shows this year's table with the
reason, an export with a refused year answers that page with status 400.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from health.forms.indicators import YearForm
from health.portfolio import BY_KEY, COLUMNS, export_table, parse_sort, portfolio_rows
from members.exports import file_response, write_csv, write_xlsx
from verbund.access import AuthenticatedRequest, manager_required


def _page(request: AuthenticatedRequest, form: YearForm, *, status: int = 200) -> HttpResponse:
    sort, year = parse_sort(request.GET.get("sort")), form.year()
    rows = portfolio_rows(request.user, year, sort)
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    headers = []
    for column in COLUMNS:
        is_current = column.key == current
        # A click on the current column turns its order round; on another it sorts ascending (names) or descending (figures).
        if is_current:
            next_sort = column.key if descending else f"-{column.key}"
        else:
            next_sort = column.key if column.unit == "text" else f"-{column.key}"
        headers.append(
            {
                "column": column,
                "sort": next_sort,
                "aria_sort": ("descending" if descending else "ascending") if is_current else "",
                "next_descending": next_sort.startswith("-"),
            }
        )
    context = {
        "rows": rows,
        "headers": headers,
        "sort": sort,
        "year": year,
        "years": sorted({*range(timezone.localdate().year, timezone.localdate().year - 10, -1), year}, reverse=True),
        "year_error": form.error(),
        "columns": BY_KEY,
    }
    return render(request, "health/portfolio/index.html", context, status=status)


@manager_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    return _page(request, YearForm(request.GET or None))


def _export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    form = YearForm(request.GET or None)
    if form.error():
        return _page(request, form, status=400)
    year = form.year()
    headers, table = export_table(portfolio_rows(request.user, year, parse_sort(request.GET.get("sort"))))
    content = write_csv(headers, table) if fmt == "csv" else write_xlsx(headers, table, title=f"Portfolio {year}")
    return file_response(content, fmt=fmt, filename=f"portfolio-{year}.{fmt}")


@manager_required
def portfolio_csv(request: AuthenticatedRequest) -> HttpResponse:
    return _export(request, "csv")


@manager_required
def portfolio_xlsx(request: AuthenticatedRequest) -> HttpResponse:
    return _export(request, "xlsx")
