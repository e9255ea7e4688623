"""Export of a list of memberships as XLSX (primary) or CSV for German Excel.

`export_rows` builds the table from any memberships queryset (the directory
passes its filtered one); `export_response` answers with the file, or, for
long lists, starts a background job and sends the user to its page. Every text
a spreadsheet would evaluate as a formula is neutralised (QUALITY.md S-5).

Cells, and what German Excel (Microsoft 365, de-DE) shows when the file is
opened by double-click:

XLSX — every cell is typed, nothing is a formula:
  text      a string cell (t="inlineStr"), never an <f> formula; text that starts like a formula
            (= + - @, tab, CR) also gets the "quote prefix" cell style (quotePrefix="1"), Excel's own
            "this is text" flag. Excel shows +49 5971 123456, =1+1 exactly as written, with no
            apostrophe in the cell, and the text stays text when someone edits the cell (F2, Enter).
  numbers   Beschäftigte as a number (12); Jahresbeitrag as a number with the format #,##0.00
            (Excel shows 1.200,50 and can sum the column); Eintritt/Austritt as dates with the
            format DD.MM.YYYY (01.03.2024, sortable and filterable as dates).

CSV (UTF-8 with BOM, ';', CRLF) — a field is text, and Excel guesses its type when it opens the file:
  text that starts like a formula: OWASP's recommendation, a single quote in front ('=1+1). When
            opening a CSV, Excel keeps that quote as a character: it shows '=1+1. Acceptable for
            what no real name or address starts with; wrong for the one legitimate case, phone
            numbers in international form.
  phone numbers (Telefon column, only characters a phone number has: + digits spaces ( ) / . -):
            what we could write, and what Excel shows —
              +49 5971 123456          read as the formula =+49 5971 123456 (a space is Excel's
                                       intersection operator): an error value instead of the
                                       number, and a formula start in the file (OWASP: never)
              '+49 5971 123456         '+49 5971 123456 — the visible apostrophe of the bug report
              ="+49 5971 123456"       +49 5971 123456, but the cell is a formula (LibreOffice and
                                       Google Sheets evaluate it too; it is what we forbid)
              0049 5971 123456         0049 5971 123456 — text, but not as written
              U+2060 +49 5971 123456   +49 5971 123456 — chosen: a WORD JOINER (U+2060, invisible,
                                       zero width) in front, so the field does not start with a
                                       formula character and Excel takes it as text, shown as
                                       written. Importing the CSV again reads the number unchanged
                                       (libphonenumber skips the joiner).
  Jahresbeitrag  1200,50 (decimal comma): Excel reads the number 1200,5 and shows 1200,5.
  dates     01.03.2024: Excel reads a date.
  PLZ       48431 is read as a number (a leading zero, as in 01067, is lost in CSV; XLSX keeps it).

Without Excel in CI these are the documented behaviours; the tests pin the bytes we write.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.contrib import messages
from django.core.files.base import File
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from members.models import Contact, Membership, Organisation
from verbund.background import job_enqueue
from verbund.models import BackgroundJob

if TYPE_CHECKING:
    from verbund.access import NetworkRequest

logger = logging.getLogger(__name__)

INLINE_EXPORT_ROWS = 2_000  # longer lists are written by a Celery task
RECORDED_IDS_PER_QUERY = 900  # a background export reads its recorded ids in chunks (below SQLite's old 999 parameters)
FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",  # other apps' export jobs (the qualification matrix)
}
# Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@")
FORMULA_FIRST_CHARACTERS = "".join(FORMULA_TRIGGERS)
# Invisible and zero-width: a CSV phone number behind it is text that shows as written (see the module docstring).
WORD_JOINER = "\u2060"
PHONE_SHAPE = re.compile(r"\+[0-9 ()/.\-]*")


class Phone(str):
    """A phone number cell: the writers keep it text and show it as written."""

    __slots__ = ()


def starts_like_formula(value: str) -> bool:
    """Whether a spreadsheet would take this text as a formula: '=1+1', ' =1', '+49…', '@SUM', tab or CR first."""
    first = value[:1]
    if not first or (first not in FORMULA_FIRST_CHARACTERS and not first.isspace()):
        return False  # the common case, decided by the first character (called for every exported cell)
    return first in ("\t", "\r") or value.lstrip()[:1] in FORMULA_TRIGGERS


def neutralise(value: str) -> str:
    """OWASP: prefix a single quote to text a spreadsheet would evaluate (for CSV; XLSX cells are typed instead)."""
    return "'" + value if starts_like_formula(value) else value


def csv_phone(value: str) -> str:
    """A phone number for CSV: a word joiner in front of '+49 …' (text, shown as written); anything else as any text."""
    if starts_like_formula(value) and PHONE_SHAPE.fullmatch(value):
        return WORD_JOINER + value
    return neutralise(value)


def export_headers() -> list[str]:
    return [
        _("Organisation"),
        _("Art"),
        _("Straße und Hausnummer"),
        _("PLZ"),
        _("Ort"),
        _("Kreis"),
        _("Bundesland"),
        _("Website"),
        _("Beschäftigte"),
        _("Rolle im Verbund"),
        _("Status"),
        _("Eintritt"),
        _("Austritt"),
        _("Jahresbeitrag (EUR)"),
        _("Anrede"),
        _("Titel"),
        _("Vorname"),
        _("Nachname"),
        _("Funktion"),
        _("E-Mail"),
        _("Telefon"),
    ]


# The columns of a row, read as plain values (no model instances): the membership's, then its organisation's id.
MEMBERSHIP_COLUMNS = (
    "organisation__name",
    "organisation__kind",
    "organisation__street",
    "organisation__postcode",
    "organisation__municipality",
    "organisation__district",
    "organisation__state",
    "organisation__website",
    "organisation__employees",
    "role",
    "status",
    "joined_on",
    "left_on",
    "annual_fee",
    "organisation_id",
)
CONTACT_COLUMNS = ("organisation_id", "salutation", "title", "first_name", "last_name", "function", "email", "phone")
ROWS_PER_CHUNK = 2_000  # rows read at once; the primary contacts of a chunk are one query


def _primary_contacts(organisation_ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """The primary contact (not in the trash) of each organisation, as CONTACT_COLUMNS; at most one each (a constraint)."""
    found = Contact.objects.filter(organisation_id__in=set(organisation_ids), is_primary=True, archived_at__isnull=True).values_list(*CONTACT_COLUMNS)
    return {values[0]: values for values in found}


class _RowMaker:
    """Turns chunks of MEMBERSHIP_COLUMNS values into export rows; the choice labels are looked up once, in the active language."""

    def __init__(self) -> None:
        self.kinds = {value: str(label) for value, label in Organisation.Kind.choices}
        self.roles = {value: str(label) for value, label in Membership.Role.choices}
        self.statuses = {value: str(label) for value, label in Membership.Status.choices}
        self.salutations = {value: str(label) for value, label in Contact.Salutation.choices}

    def rows(self, chunk: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
        contacts = _primary_contacts(values[14] for values in chunk)
        no_contact = ("", "", "", "", "", "")
        for name, kind, street, postcode, municipality, district, state, website, employees, role, status, joined_on, left_on, fee, org_id in chunk:
            contact = contacts.get(org_id)
            if contact is None:
                person: tuple[Any, ...] = no_contact
                phone: Any = ""
            else:
                _, salutation, title, first_name, last_name, function, email, number = contact
                person = (self.salutations.get(salutation, salutation) if salutation else "", title, first_name, last_name, function, email)
                phone = Phone(number)
            yield [
                name,
                self.kinds.get(kind, kind),
                street,
                postcode,
                municipality,
                district,
                state,
                website,
                employees,
                self.roles.get(role, role),
                self.statuses.get(status, status),
                joined_on,
                left_on,
                fee,
                *person,
                phone,
            ]


def export_rows(memberships: QuerySet[Membership]) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and one row per membership: organisation, role, status, fee and the primary contact.

    Values keep their types (int, Decimal, date, str) so XLSX cells are numbers
    and dates; the rows are produced lazily, in the queryset's order, read in
    chunks of plain values with the primary contacts of a chunk in one query.
    """

    def rows() -> Iterator[list[Any]]:
        maker = _RowMaker()
        chunk: list[tuple[Any, ...]] = []
        for values in memberships.values_list(*MEMBERSHIP_COLUMNS).iterator(chunk_size=ROWS_PER_CHUNK):
            chunk.append(values)
            if len(chunk) >= ROWS_PER_CHUNK:
                yield from maker.rows(chunk)
                chunk = []
        if chunk:
            yield from maker.rows(chunk)

    return export_headers(), rows()


# --- writing files ---------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if type(value) is str:  # most cells: plain text
        return "'" + value if starts_like_formula(value) else value
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # German Excel reads a decimal comma
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Phone):
        return csv_phone(value)
    return neutralise(str(value))


def write_csv_to(handle: IO[bytes], headers: list[str], rows: Iterable[list[Any]], on_row: Any = None) -> None:
    """Write the CSV into a binary file as it goes (see write_csv): nothing of the whole file is held in memory."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=False)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([neutralise(h) for h in headers])
        for count, row in enumerate(rows, start=1):
            writer.writerow([_csv_text(value) for value in row])
            if on_row:
                on_row(count)
        text.flush()
    finally:
        text.detach()  # the caller's file stays open


def write_csv(headers: list[str], rows: Iterable[list[Any]], on_row: Any = None) -> bytes:
    """';'-separated, UTF-8 with BOM, CRLF: what German Excel opens correctly by double-click."""
    buffer = io.BytesIO()
    write_csv_to(buffer, headers, rows, on_row)
    return buffer.getvalue()


def write_xlsx_to(target: str | Path | IO[bytes], headers: list[str], rows: Iterable[list[Any]], on_row: Any = None, title: str = "") -> None:
    """Write the XLSX (see write_xlsx) to a file: openpyxl's write-only sheet goes row by row to a temporary file."""

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or _("Mitglieder"))[:31])
    sheet.freeze_panes = "A2"
    illegal = ILLEGAL_CHARACTERS_RE.search

    def cell(value: Any, bold: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            item.data_type = "s"  # a string cell, whatever its text: openpyxl would turn a leading '=' into a formula
            if starts_like_formula(value):
                item.quotePrefix = True  # Excel's "text" flag: shown as written, and it stays text when edited
        elif isinstance(value, date):
            item.number_format = "DD.MM.YYYY"
        elif isinstance(value, Decimal):
            item.number_format = "#,##0.00"
        if bold:
            item.font = Font(bold=True)
        return item

    def plain(value: Any) -> Any:
        """Most values as they are (openpyxl writes the same string or number cell); a cell only where it needs a style."""
        if value is None or type(value) is int:
            return value
        if isinstance(value, str) and not illegal(value) and not starts_like_formula(value):
            return str(value)  # a Phone too: a plain string cell unless it starts like a formula
        return cell(value)

    sheet.append([cell(h, bold=True) for h in headers])
    for count, row in enumerate(rows, start=1):
        sheet.append([plain(value) for value in row])
        if on_row:
            on_row(count)
    workbook.save(target)


def write_xlsx(headers: list[str], rows: Iterable[list[Any]], on_row: Any = None, title: str = "") -> bytes:
    """One sheet; text always as a string cell (never a formula, no apostrophe added), numbers and dates typed."""
    buffer = io.BytesIO()
    write_xlsx_to(buffer, headers, rows, on_row, title)
    return buffer.getvalue()


def export_bytes(headers: list[str], rows: Iterable[list[Any]], fmt: str, on_row: Any = None) -> bytes:
    if fmt == "csv":
        return write_csv(headers, rows, on_row)
    return write_xlsx(headers, rows, on_row)


def export_file(handle: IO[bytes], headers: list[str], rows: Iterable[list[Any]], fmt: str, on_row: Any = None) -> None:
    """Write the export into a binary file as the rows come (a background job's file)."""
    if fmt == "csv":
        write_csv_to(handle, headers, rows, on_row)
    else:
        write_xlsx_to(handle, headers, rows, on_row)


def export_filename(network_slug: str, fmt: str) -> str:
    return f"mitglieder-{network_slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def file_response(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the entry point for views ----------------------------------------------------------


def export_response(*, queryset: QuerySet[Membership], fmt: str, filename: str, request: NetworkRequest | None = None) -> HttpResponse:
    """Answer with the exported file; with `request`, lists above INLINE_EXPORT_ROWS become a background job.

    `queryset` must already be scoped to the network (e.g. `Membership.objects.for_network(network)`
    or the directory's filtered list); it is exported exactly, in its order.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    if request is not None and queryset.count() > INLINE_EXPORT_ROWS:
        job = export_start(request=request, queryset=queryset, fmt=fmt, filename=filename)
        messages.info(request, _("Die Liste ist lang: der Export läuft im Hintergrund. Sie finden die Datei gleich hier."))
        return redirect("io:job_detail", network_slug=request.network.slug, pk=job.pk)
    return file_response(export_bytes(*export_rows(queryset), fmt), fmt=fmt, filename=filename)


def export_start(*, request: NetworkRequest, queryset: QuerySet[Membership], fmt: str, filename: str) -> BackgroundJob:
    """Record an export job with the exact list (its ids, in order) and enqueue it once committed."""
    pks = list(dict.fromkeys(queryset.values_list("pk", flat=True)))
    job = BackgroundJob.objects.create(
        user=request.user,
        network=request.network,
        kind=BackgroundJob.Kind.EXPORT,
        title=(_("Export: %(name)s") % {"name": filename})[:200],
        total=len(pks),
        params={"format": fmt, "filename": filename, "ids": pks, "language": translation.get_language() or "de"},
    )
    job_enqueue(job)
    return job


def export_run(*, job_id: int) -> None:
    """Claim an export job and write its file. Does nothing for a job already running or finished."""
    claimed = BackgroundJob.objects.filter(pk=job_id, kind=BackgroundJob.Kind.EXPORT, status=BackgroundJob.Status.PENDING).update(
        status=BackgroundJob.Status.RUNNING, done=0
    )
    if not claimed:
        return
    job = BackgroundJob.objects.select_related("network").get(pk=job_id)
    step = max(1, job.total // 50)

    def progress(count: int) -> None:
        if count % step == 0:
            BackgroundJob.objects.filter(pk=job.pk).update(done=count)

    with translation.override(job.params.get("language") or "de"):
        try:
            fmt = job.params["format"]
            with tempfile.TemporaryFile() as handle:
                export_file(handle, *_recorded_rows(job), fmt, progress)
                handle.seek(0)
                job.result_file.save(f"export-{job.pk}-{secrets.token_hex(8)}.{fmt}", File(handle), save=False)
            BackgroundJob.objects.filter(pk=job.pk).update(
                status=BackgroundJob.Status.DONE,
                done=job.total,
                result_file=job.result_file.name,
                message=_("%(n)s Zeilen exportiert.") % {"n": job.total},
                finished_at=timezone.now(),
            )
        except Exception:
            logger.exception("Export job %s failed", job.pk)
            BackgroundJob.objects.filter(pk=job.pk).update(
                status=BackgroundJob.Status.FAILED, message=_("Der Export ist fehlgeschlagen."), finished_at=timezone.now()
            )


def _recorded_rows(job: BackgroundJob) -> tuple[list[str], Iterator[list[Any]]]:
    """The job's memberships in the recorded order, read in chunks of ids (SQLite limits query parameters).

    A membership moved to the trash since is left out (the scoped queryset no longer has it).
    """
    ids: list[int] = job.params.get("ids", [])
    scoped = Membership.objects.for_network(job.network)

    def rows() -> Iterator[list[Any]]:
        maker = _RowMaker()
        for start in range(0, len(ids), RECORDED_IDS_PER_QUERY):
            chunk = ids[start : start + RECORDED_IDS_PER_QUERY]
            found = {values[0]: values[1:] for values in scoped.filter(pk__in=chunk).order_by().values_list("pk", *MEMBERSHIP_COLUMNS)}
            yield from maker.rows([found[pk] for pk in chunk if pk in found])

    return export_headers(), rows()
