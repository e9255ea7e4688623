"""The mapping step's writes: where the header of a draft is, and column mappings saved per network.

A draft import job keeps, besides the body rows h2's jobs.py reads
(`header`, `rows`, `lines`, `mapping`), the first rows of the file as read
(`top`, `top_lines`), the row number of the header (`header_line`) and the
columns without a heading (`untitled`). Choosing another header row re-splits
the table from these; nothing is read from the upload again.

A saved mapping (ImportMapping) remembers the header row, the headings and
which heading fills which field. It is applied by heading, not by position, so
a file whose columns were moved still maps; on upload, a saved mapping whose
headings (in any order) are one of the file's top rows is applied by itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from members.imports.reading import TARGETS_BY_KEY, Table, normalise_header, suggest_mapping, table_resplit
from members.models import ImportMapping
from verbund.fieldsets import max_length
from verbund.models import BackgroundJob, Network, User


def saved_mappings(network: Network) -> QuerySet[ImportMapping]:
    return ImportMapping.objects.filter(network=network)


def _headings(header: list[str]) -> list[str]:
    headings = [normalise_header(heading) for heading in header]
    while headings and not headings[-1]:
        headings.pop()
    return headings


def mapping_for_header(saved: ImportMapping, header: list[str]) -> dict[str, int]:
    """The saved mapping for this header: each field goes to the column with the saved heading (the same position first)."""
    current = [normalise_header(heading) for heading in header]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for key, index in saved.mapping.items():
        if key not in TARGETS_BY_KEY or not isinstance(index, int) or not 0 <= index < len(saved.header):
            continue
        wanted = normalise_header(saved.header[index])
        positions = [i for i, heading in enumerate(current) if heading == wanted and i not in taken]
        if positions:
            chosen = index if index in positions else positions[0]
            mapping[key] = chosen
            taken.add(chosen)
    return mapping


def _matching_saved(network: Network, top: list[list[str]], top_lines: list[int], header_line: int) -> tuple[ImportMapping, int] | None:
    """A saved mapping whose headings are one of the top rows, and that row's number (the detected header first)."""
    rows = {line: sorted(_headings(row)) for line, row in zip(top_lines, top, strict=True)}
    order = [header_line, *(line for line in top_lines if line != header_line)]
    candidates = [(saved, sorted(_headings(saved.header))) for saved in saved_mappings(network).order_by("-created_at")]
    for line in order:
        for saved, headings in candidates:
            if headings == rows[line]:  # the same headings, in any order
                return saved, line
    return None


def _params_of(table: Table) -> dict[str, Any]:
    return {
        "header": table.header,
        "rows": table.rows,
        "lines": table.lines,
        "header_line": table.header_line,
        "top": table.top,
        "top_lines": table.top_lines,
        "untitled": table.untitled,
    }


def _table_of(job: BackgroundJob) -> Table:
    params = job.params
    return Table(
        header=params["header"],
        rows=params["rows"],
        lines=params["lines"],
        file_format=params.get("format", "csv"),
        header_line=params.get("header_line", 1),
        top=params.get("top", []),
        top_lines=params.get("top_lines", []),
        untitled=params.get("untitled", []),
    )


def _save(job: BackgroundJob, params: dict[str, Any]) -> BackgroundJob:
    job.params = params
    job.total = len(params["rows"])
    job.save(update_fields=["params", "total"])
    return job


@transaction.atomic
def import_draft_layout(*, job: BackgroundJob, table: Table) -> BackgroundJob:
    """Keep the file's top rows in a new draft and choose its mapping: a saved one that fits, else the suggestion.

    Called right after jobs.import_draft_create with the same table.
    """
    found = _matching_saved(job.network, table.top, table.top_lines, table.header_line) if table.top else None
    saved_name = ""
    if found:
        saved, line = found
        if line != table.header_line:
            table = table_resplit(top=table.top, top_lines=table.top_lines, rows=table.rows, lines=table.lines, header_line=line, file_format=table.file_format)
        mapping, saved_name = mapping_for_header(saved, table.header), saved.name
    else:
        mapping = suggest_mapping(table.header, table.rows)
    params = {**job.params, **_params_of(table), "mapping": mapping, "saved_mapping": saved_name}
    return _save(job, params)


@transaction.atomic
def import_set_header_line(*, job: BackgroundJob, header_line: int) -> BackgroundJob:
    """Re-split a draft with the header in spreadsheet row `header_line` and suggest the mapping anew.

    Raises ValidationError (in German) when that row cannot be the header, e.g. when no data rows would remain.
    """
    table = _table_of(job)
    if header_line == table.header_line:
        return job
    if header_line not in table.top_lines:
        raise ValidationError(_("Zeile %(line)s kann nicht die Kopfzeile sein.") % {"line": header_line})
    table = table_resplit(top=table.top, top_lines=table.top_lines, rows=table.rows, lines=table.lines, header_line=header_line, file_format=table.file_format)
    params = {**job.params, **_params_of(table), "mapping": suggest_mapping(table.header, table.rows), "saved_mapping": ""}
    return _save(job, params)


@transaction.atomic
def import_mapping_apply(*, job: BackgroundJob, saved: ImportMapping) -> BackgroundJob:
    """Apply a saved mapping to a draft: its header row first (when the file has that row), then its fields by heading."""
    table = _table_of(job)
    if saved.header_row != table.header_line and saved.header_row in table.top_lines:
        candidate = table_resplit(
            top=table.top, top_lines=table.top_lines, rows=table.rows, lines=table.lines, header_line=saved.header_row, file_format=table.file_format
        )
        if len(mapping_for_header(saved, candidate.header)) > len(mapping_for_header(saved, table.header)):
            table = candidate
    params = {**job.params, **_params_of(table), "mapping": mapping_for_header(saved, table.header), "saved_mapping": saved.name}
    return _save(job, params)


def import_mapping_save(*, network: Network, by: User, name: str, header: list[str], header_row: int, mapping: dict[str, int]) -> ImportMapping:
    """Save (or replace, by name) a network's column mapping for the next file of the same shape."""
    name = " ".join(name.split())[: max_length(ImportMapping, "name")]
    if not name:
        raise ValidationError(_("Bitte geben Sie der Zuordnung einen Namen."))
    saved = ImportMapping.objects.filter(network=network, name=name).first() or ImportMapping(network=network, name=name, created_by=by)
    saved.header, saved.header_row, saved.mapping = list(header), header_row, dict(mapping)
    saved.full_clean()
    saved.save()
    return saved
