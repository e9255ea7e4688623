"""The qualification matrix as XLSX and as a PDF for the network meeting, built on `matrix.grid()`.

Both exports take the heat-map page's GET parameters (`topic` repeatable id,
`min_priority` 1–3, `municipality`, `q`, `only_with_need`), parsed by the
page's own `MatrixFilterForm`, so the file shows what the manager is looking
at. As on the page, a field with a bad value (`min_priority=abc`, `topic=xyz`,
another network's topic) is dropped, never an error: the export is still
delivered and names the filters that were applied.

A cell counts when its priority is at least `min_priority`; cells below (and
"kein Bedarf") are left empty, as the grid's totals leave them out.

XLSX: sheet "Matrix" (organisations × topics, a cell reads "dringend · 4",
shaded by priority; row totals and two rows of column totals as numbers),
"Verbundabstimmung" (`matrix.aggregate()`, the whole network, unfiltered),
"Bedarfe" (one row per counted cell with all its details, to sort and filter
in Excel) and "Filter" (network, date, filters). Every text is a typed string
cell, with Excel's quote-prefix flag where it starts like a formula (as the
members export does), so an organisation called "=HYPERLINK(…)" never becomes a
formula and is shown as written, without an apostrophe.

PDF (landscape A4): with 40 topics one table would leave 5 mm per column, too
narrow for the priority as a word. Decided: the topics are split into blocks of
at most TOPICS_PER_PDF_BLOCK columns; each block is a table of its own with the
organisation column and the row totals (over all topics) repeated, its header
repeated on every page, and its column totals at its end. Headers carry the
topic's number and its title (shortened, hyphenated); the numbered full titles
follow in the Verbundabstimmung section. A cell shows the priority as a word
and the head count, and is shaded light to dark grey, so it reads in black and
white. 200 organisations × 40 topics give 26 pages (4 blocks of 6 pages and
the alignment), PDF/UA-1 like the other PDFs. WeasyPrint's time grows with the
number of boxes it lays out and with the selectors it matches against each
element, so the body rows are built here with one text per cell and the
stylesheet uses only type and class selectors (docs/PERFORMANCE.md); a matrix
above INLINE_PDF_CELLS is written by Celery into a background job.
"""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Mapping
from typing import Any, TypeGuard

from django.core.files.base import ContentFile
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from members.exports import starts_like_formula
from members.tasks import job_enqueue
from qualification import matrix
from qualification.forms.programme import MatrixFilterForm
from qualification.matrix import Grid, TopicAggregate
from qualification.models import Need, Topic
from verbund.formatting import format_number
from verbund.models import BackgroundJob, Network
from verbund.pdf import render_pdf

TOPICS_PER_PDF_BLOCK = 12
# Shading of a counted cell by priority (XLSX fill; the PDF uses the same greys in its CSS).
FILLS: dict[int, str] = {Need.Priority.NONE: "FFFFFF", Need.Priority.USEFUL: "EEEEEE", Need.Priority.IMPORTANT: "BBBBBB", Need.Priority.URGENT: "555555"}


def describe_filters(filters: Mapping[str, Any], topics: list[Topic]) -> list[str]:
    """The applied filters (`MatrixFilterForm.values()`) as lines for the file; `topics` are the grid's (selected) ones."""
    lines = [_("Zählen ab Priorität: %(priority)s") % {"priority": Need.Priority(filters["min_priority"]).label}]
    if filters.get("topic_ids"):
        lines.append(_("Themen: %(titles)s") % {"titles": ", ".join(t.title for t in topics) or "–"})
    if filters.get("municipality"):
        lines.append(_("Ort: %(place)s") % {"place": filters["municipality"]})
    if filters.get("search"):
        lines.append(_("Name enthält: „%(text)s“") % {"text": filters["search"]})
    if filters.get("only_with_need"):
        lines.append(_("Nur Organisationen mit Bedarf"))
    return lines


def counted(need: Need | None, min_priority: int) -> TypeGuard[Need]:
    return need is not None and need.priority >= max(min_priority, Need.Priority.USEFUL)


def cell_text(need: Need) -> str:
    return f"{need.get_priority_display()} · {need.head_count}"


def export_filename(network: Network, fmt: str) -> str:
    return f"qualifizierungsmatrix-{network.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"


# --- XLSX ------------------------------------------------------------------------------


def matrix_xlsx(*, network: Network, grid: Grid, filters: Mapping[str, Any], alignment: list[TopicAggregate]) -> bytes:
    """The workbook: Matrix, Verbundabstimmung, Bedarfe, Filter. Only values, never a formula."""

    workbook = Workbook(write_only=True)

    def cell(sheet: Any, value: Any, *, bold: bool = False, fill: str = "", wrap: bool = False) -> WriteOnlyCell:
        if value is None:
            value = ""
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            item.data_type = "s"  # a string cell whatever its text; openpyxl would turn a leading "=" into a formula
            if starts_like_formula(value):
                item.quotePrefix = True  # Excel's "text" flag: shown as written (no apostrophe), and it stays text when edited
        dark = fill == FILLS[Need.Priority.URGENT]
        if bold or dark:
            item.font = Font(bold=True, color="FFFFFF" if dark else None)
        if fill:
            item.fill = PatternFill("solid", start_color=fill, end_color=fill)
        if wrap:
            item.alignment = Alignment(wrap_text=True, vertical="top")
        return item

    # Matrix
    sheet = workbook.create_sheet(title=_("Matrix")[:31])
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 18
    for i in range(len(grid.topics)):
        sheet.column_dimensions[get_column_letter(3 + i)].width = 16
    sheet.append(
        [cell(sheet, _("Organisation"), bold=True), cell(sheet, _("Ort"), bold=True)]
        + [cell(sheet, t.title, bold=True, wrap=True) for t in grid.topics]
        + [cell(sheet, _("Bedarfe"), bold=True), cell(sheet, _("Personen"), bold=True)]
    )
    for row in grid.rows:
        values = [cell(sheet, row.organisation.name), cell(sheet, row.organisation.municipality)]
        for need in row.cells:
            if counted(need, grid.min_priority):
                values.append(cell(sheet, cell_text(need), fill=FILLS[need.priority]))
            else:
                values.append(cell(sheet, ""))
        values += [cell(sheet, row.needs), cell(sheet, row.head_count)]
        sheet.append(values)
    sheet.append(
        [cell(sheet, _("Summe Bedarfe (Organisationen)"), bold=True), cell(sheet, "")]
        + [cell(sheet, n, bold=True) for n in grid.column_needs]
        + [cell(sheet, grid.needs, bold=True), cell(sheet, "")]
    )
    sheet.append(
        [cell(sheet, _("Summe Personen"), bold=True), cell(sheet, "")]
        + [cell(sheet, n, bold=True) for n in grid.column_heads]
        + [cell(sheet, ""), cell(sheet, grid.head_count, bold=True)]
    )

    # Verbundabstimmung
    sheet = workbook.create_sheet(title=_("Verbundabstimmung")[:31])
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["E"].width = 40
    sheet.column_dimensions["F"].width = 40
    sheet.append(
        [
            cell(sheet, h, bold=True)
            for h in (
                _("Thema"),
                _("Organisationen"),
                _("Personen"),
                _("Gewichtete Priorität"),
                _("Bevorzugte Formate"),
                _("Bevorzugte Zeiten"),
                _("Kursvorschlag"),
            )
        ]
    )
    for agg in alignment:
        sheet.append(
            [
                cell(sheet, agg.topic.title),
                cell(sheet, agg.organisations),
                cell(sheet, agg.head_count),
                cell(sheet, agg.weighted_priority),
                cell(sheet, formats_text(agg)),
                cell(sheet, "; ".join(dict.fromkeys(agg.times))),
                cell(sheet, _("ja") if agg.proposed else _("nein")),
            ]
        )

    # Bedarfe: every counted cell with its details
    sheet = workbook.create_sheet(title=_("Bedarfe")[:31])
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 30
    sheet.append(
        [
            cell(sheet, h, bold=True)
            for h in (
                _("Organisation"),
                _("Thema"),
                _("Priorität"),
                _("Anzahl Personen"),
                _("Zielgruppe"),
                _("Bevorzugtes Format"),
                _("Zeit"),
                _("Ort"),
                _("Inhalte"),
                _("Umfang"),
            )
        ]
    )
    for row in grid.rows:
        for topic, need in zip(grid.topics, row.cells, strict=True):
            if counted(need, grid.min_priority):
                sheet.append(
                    [
                        cell(sheet, v)
                        for v in (
                            row.organisation.name,
                            topic.title,
                            need.get_priority_display(),
                            need.head_count,
                            need.target_group,
                            need.get_preferred_format_display() if need.preferred_format else "",
                            need.preferred_time,
                            need.preferred_place,
                            need.content_wishes,
                            need.scope,
                        )
                    ]
                )

    # Filter
    sheet = workbook.create_sheet(title=_("Filter")[:31])
    sheet.column_dimensions["A"].width = 80
    sheet.append([cell(sheet, _("Qualifizierungsmatrix – %(network)s") % {"network": network.name}, bold=True)])
    sheet.append([cell(sheet, _("Stand: %(date)s") % {"date": f"{timezone.localdate():%d.%m.%Y}"})])
    for line in describe_filters(filters, grid.topics):
        sheet.append([cell(sheet, line)])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def formats_text(agg: TopicAggregate) -> str:
    labels = dict(Need.Format.choices)
    return ", ".join(f"{labels.get(key, key)}: {count}" for key, count in agg.formats.most_common())


# --- PDF -------------------------------------------------------------------------------


def _pdf_rows(grid: Grid, start: int, stop: int, labels: Mapping[int, str]) -> SafeString:
    """The body rows of one block of topics as HTML, built here rather than in the template (8,000 cells of 200 × 40).

    WeasyPrint's time grows with boxes and with the selectors it matches, so a cell is one `<td>` with one
    text (the priority as a word, a no-break space, the head count) and at most a class for its shade; the
    organisation is the row's `<th>` with the place after a line break.
    """
    parts = []
    for row in grid.rows:
        organisation = row.organisation
        place = f' <span class="pl">{escape(organisation.municipality)}</span>' if organisation.municipality else ""
        parts.append(f'<tr><th scope="row">{escape(organisation.name)}{place}</th>')
        for need in row.cells[start:stop]:
            if counted(need, grid.min_priority):
                parts.append(f'<td class="p{int(need.priority)}">{labels[need.priority]}\u00a0{int(need.head_count)}</td>')
            else:
                parts.append("<td></td>")
        parts.append(f'<td class="s">{int(row.needs)}</td><td class="s">{escape(format_number(row.head_count))}</td></tr>')
    return mark_safe("".join(parts))  # every value above is escaped or an int


def matrix_pdf(*, network: Network, grid: Grid, filters: Mapping[str, Any], alignment: list[TopicAggregate]) -> bytes:
    """The meeting handout: filters, the matrix in blocks of topics, the Verbundabstimmung. Landscape A4."""
    numbers = {t.pk: i for i, t in enumerate(grid.topics, start=1)}
    labels = {value: str(escape(label)) for value, label in Need.Priority.choices}
    blocks = []
    for start in range(0, max(len(grid.topics), 1), TOPICS_PER_PDF_BLOCK):
        stop = min(start + TOPICS_PER_PDF_BLOCK, len(grid.topics))
        blocks.append(
            {
                "first": start + 1,
                "last": stop,
                "topics": [(numbers[t.pk], t) for t in grid.topics[start:stop]],
                "rows": _pdf_rows(grid, start, stop, labels),
                "column_needs": grid.column_needs[start:stop],
                "column_heads": grid.column_heads[start:stop],
            }
        )
    html = render_to_string(
        "qualification/pdf/matrix.html",
        {
            "network": network,
            "grid": grid,
            "blocks": blocks,
            "split": len(blocks) > 1,
            "filters": describe_filters(filters, grid.topics),
            "today": timezone.localdate(),
            "priorities": Need.Priority,
            "alignment": [{"agg": agg, "number": numbers.get(agg.topic.pk), "formats": formats_text(agg)} for agg in alignment],
        },
    )
    return render_pdf(html=html, pdf_variant="pdf/ua-1")


# --- the PDF of a large matrix as a background job ----------------------------------------
# A 200 × 40 matrix still takes WeasyPrint several seconds (docs/PERFORMANCE.md): beyond this many cells the PDF
# is written by Celery into a BackgroundJob, and the manager watches it on the job page of members' I/O.
INLINE_PDF_CELLS = 2_000
PDF_JOB_TASK = "qualification.tasks.matrix_pdf_job_task"


def matrix_pdf_start(*, network: Network, user, query: dict[str, list[str]]):
    """Record the job with the page's filter parameters and enqueue it once committed."""

    job = BackgroundJob.objects.create(
        user=user,
        network=network,
        kind=BackgroundJob.Kind.EXPORT,
        total=1,
        title=_("Qualifizierungsmatrix als PDF")[:200],
        params={
            "format": "pdf",
            "filename": export_filename(network, "pdf"),
            "task": PDF_JOB_TASK,
            "query": query,
            "language": translation.get_language() or "de",
        },
    )
    job_enqueue(job)
    return job


def matrix_pdf_run(*, job_id: int) -> None:
    """Claim the job and write the PDF; a redelivered task finds it claimed or finished and does nothing."""

    if not BackgroundJob.objects.filter(pk=job_id, kind=BackgroundJob.Kind.EXPORT, status=BackgroundJob.Status.PENDING).update(
        status=BackgroundJob.Status.RUNNING,
        done=0,
    ):
        return
    job = BackgroundJob.objects.select_related("network").get(pk=job_id)
    with translation.override(job.params.get("language") or "de"):
        try:
            query = QueryDict(mutable=True)
            for key, values in (job.params.get("query") or {}).items():
                query.setlist(key, [str(v) for v in values])
            filters = MatrixFilterForm.for_network(job.network, query).values()
            grid = matrix.grid(job.network, **filters)
            content = matrix_pdf(network=job.network, grid=grid, filters=filters, alignment=matrix.aggregate(job.network))
            job.result_file.save(f"matrix-{job.pk}-{secrets.token_hex(8)}.pdf", ContentFile(content), save=False)
            BackgroundJob.objects.filter(pk=job.pk).update(
                status=BackgroundJob.Status.DONE,
                done=1,
                result_file=job.result_file.name,
                finished_at=timezone.now(),
                message=_("Die Qualifizierungsmatrix ist fertig (%(orgs)s Organisationen, %(topics)s Themen).")
                % {"orgs": len(grid.rows), "topics": len(grid.topics)},
            )
        except Exception:
            logging.getLogger(__name__).exception("Matrix PDF job %s failed", job.pk)
            BackgroundJob.objects.filter(pk=job.pk).update(
                status=BackgroundJob.Status.FAILED,
                message=_("Das PDF konnte nicht erstellt werden."),
                finished_at=timezone.now(),
            )
