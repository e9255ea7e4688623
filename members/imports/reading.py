"""Reading an upload (CSV or XLSX) into a header and rows of strings, and suggesting a column mapping."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports.values import looks_like_states

logger = logging.getLogger(__name__)

MAX_UPLOAD_MB = 25
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
# An .xlsx is a zip: refuse archives that would unpack to far more than a 25 MB spreadsheet can honestly hold
# (50,000 rows of 20 columns unpack to about 60 MB).
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
HEADER_SCAN_ROWS = 15  # the header is looked for among the first non-empty rows; these rows are kept for the choice
INLINE_IMPORT_ROWS = 200  # larger imports run as a Celery task
DRAFT_HOURS = 24  # unconfirmed uploads older than this are discarded at the user's next upload

EXISTING_ADD_CONTACT = "add_contact"
EXISTING_SKIP = "skip"


# --- the fields a column can be mapped to ---------------------------------------


@dataclass(frozen=True)
class Target:
    key: str
    label: Any  # lazy translation
    group: str  # "organisation", "contact" or "membership"
    synonyms: tuple[str, ...]
    text: bool = True  # free text: a leading + - @ is a formula payload, not data


TARGETS: tuple[Target, ...] = (
    Target(
        "name",
        gettext_lazy("Name der Organisation"),
        "organisation",
        (
            "firma",
            "firmenname",
            "firmierung",
            "organisation",
            "organisationsname",
            "organization",
            "organizationname",
            "organisationname",
            "unternehmen",
            "unternehmensname",
            "company",
            "companyname",
            "mitglied",
            "mitgliedsname",
            "einrichtung",
            "institution",
            "betrieb",
            "name",  # weak: with a Vorname column and a Firma column, "Name" is the person's (see suggest_mapping)
        ),
    ),
    Target(
        "employer",
        gettext_lazy("Arbeitgeber einer Person (wenn der Name der Organisation leer ist)"),
        "organisation",
        ("employer", "currentemployer", "employername", "arbeitgeber"),
    ),
    Target(
        "record_type",
        gettext_lazy("Art des Datensatzes (Person oder Organisation)"),
        "organisation",
        ("contacttype", "kontakttyp", "kontaktart", "datensatzart", "recordtype"),
    ),
    Target("kind", gettext_lazy("Art der Organisation"), "organisation", ("art", "typ", "organisationsart", "kind", "type")),
    Target(
        "street",
        gettext_lazy("Straße und Hausnummer"),
        "organisation",
        (
            "strasse",
            "str",
            "strassehausnummer",
            "strasseundhausnummer",
            "strassenr",
            "strasseundnr",
            "strassehausnr",
            "anschrift",
            "adresse",
            "address",
            "street",
            "streetaddress",
        ),
    ),
    Target(
        "street_extra",
        gettext_lazy("Adresszusatz (wird an die Straße angehängt)"),
        "organisation",
        ("adresszusatz", "zusatz", "anschriftzusatz", "supplementaladdress1", "supplementaladdress", "addressline2", "address2"),
    ),
    Target("postcode", gettext_lazy("PLZ"), "organisation", ("plz", "postleitzahl", "postcode", "zip", "zipcode", "postalcode"), text=False),
    Target("municipality", gettext_lazy("Ort"), "organisation", ("ort", "stadt", "gemeinde", "ortgemeinde", "city", "town", "place")),
    Target("district", gettext_lazy("Kreis"), "organisation", ("kreis", "landkreis", "district", "county")),
    Target("state", gettext_lazy("Bundesland"), "organisation", ("bundesland", "state", "stateprovince", "land")),
    Target("country", gettext_lazy("Land (Staat)"), "organisation", ("land", "country", "staat", "countryname", "laenderkennzeichen")),
    Target("website", gettext_lazy("Website"), "organisation", ("website", "webseite", "homepage", "internet", "url", "web"), text=False),
    Target(
        "employees",
        gettext_lazy("Beschäftigte"),
        "organisation",
        (
            "beschaeftigte",
            "mitarbeiter",
            "mitarbeitende",
            "mitarbeiterzahl",
            "anzahlmitarbeiter",
            "anzahlbeschaeftigte",
            "employees",
            "staff",
            "headcount",
        ),
        text=False,
    ),
    Target("salutation", gettext_lazy("Anrede"), "contact", ("anrede", "salutation", "individualprefix", "prefix", "namensprefix")),
    Target("title", gettext_lazy("Titel"), "contact", ("titel", "title", "akademischergrad", "grad")),
    Target("first_name", gettext_lazy("Vorname"), "contact", ("vorname", "firstname", "givenname", "forename")),
    Target("last_name", gettext_lazy("Nachname"), "contact", ("nachname", "familienname", "lastname", "surname", "familyname")),
    Target(
        "contact_name",
        gettext_lazy("Ansprechpartner:in (ganzer Name)"),
        "contact",
        (
            "ansprechpartner",
            "ansprechpartnerin",
            "ansprechpartnerinnen",
            "kontaktperson",
            "kontakt",
            "contact",
            "contactperson",
            "contactname",
        ),
    ),
    Target("function", gettext_lazy("Funktion"), "contact", ("funktion", "position", "function", "jobtitle", "stellung")),
    Target(
        "email",
        gettext_lazy("E-Mail"),
        "contact",
        ("email", "emailadresse", "mail", "mailadresse", "emailaddress", "email1", "primaryemail", "emailprimary"),
        text=False,
    ),
    Target(
        "phone",
        gettext_lazy("Telefon"),
        "contact",
        ("telefon", "tel", "telefonnummer", "fon", "phone", "telephone", "phonenumber", "telefon1", "festnetz", "primaryphone", "phoneprimary"),
        text=False,
    ),
    Target("role", gettext_lazy("Rolle im Verbund"), "membership", ("rolle", "rolleimverbund", "role", "mitgliedsrolle")),
    Target("status", gettext_lazy("Status"), "membership", ("status", "mitgliedsstatus", "mitgliedschaft", "membershipstatus")),
    Target(
        "joined_on",
        gettext_lazy("Mitglied seit (Eintritt)"),
        "membership",
        (
            "mitgliedseit",
            "mitgliedschaftseit",
            "mitgliedab",
            "eintritt",
            "eintrittsdatum",
            "eintrittam",
            "beitritt",
            "beitrittsdatum",
            "aufnahme",
            "aufnahmedatum",
            "membersince",
            "joindate",
            "joinedon",
            "joined",
            "startdate",
        ),
        text=False,
    ),
    Target(
        "left_on",
        gettext_lazy("Ausgetreten am (Austritt)"),
        "membership",
        ("austritt", "austrittsdatum", "ausgetretenam", "austrittam", "mitgliedbis", "kuendigungzum", "lefton", "enddate", "membershipend"),
        text=False,
    ),
    Target(
        "annual_fee",
        gettext_lazy("Jahresbeitrag (EUR)"),
        "membership",
        (
            "beitrag",
            "jahresbeitrag",
            "jahresbeitrageur",
            "mitgliedsbeitrag",
            "beitrageur",
            "fee",
            "annualfee",
            "membershipfee",
        ),
        text=False,
    ),
    Target(
        "notes",
        gettext_lazy("Bemerkungen zur Mitgliedschaft"),
        "membership",
        (
            "bemerkung",
            "bemerkungen",
            "notiz",
            "notizen",
            "notes",
            "note",
            "anmerkung",
            "anmerkungen",
            "kommentar",
            "kommentare",
            "comment",
            "comments",
            "hinweis",
            "hinweise",
        ),
    ),
)
TARGETS_BY_KEY = {target.key: target for target in TARGETS}
CONTACT_KEYS = {"salutation", "title", "first_name", "last_name", "contact_name", "function", "email", "phone"}
# Contact columns that name a person: mapped without a last-name column, the rows cannot say who she is.
PERSON_KEYS = {"salutation", "title", "first_name", "last_name", "contact_name"}
KNOWN_HEADINGS = frozenset(synonym for target in TARGETS for synonym in target.synonyms)
# Headings that mean different fields depending on the rest of the file (resolved in suggest_mapping).
_AMBIGUOUS = {"name", "land"}


def normalise_header(value: str) -> str:
    """'E-Mail-Adresse' → 'emailadresse', 'Straße' → 'strasse': the key synonyms are compared on."""
    value = value.casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        value = value.replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]", "", value)


def suggest_mapping(header: list[str], rows: list[list[str]] | None = None) -> dict[str, int]:
    """Target key → column index, for columns whose heading is a known synonym. The first matching column wins.

    Two headings depend on the rest of the file: "Name" is the organisation's
    unless another column names the organisation and a Vorname column exists
    (a German hand-kept list: Firma, Vorname, Name); "Land" is the country
    unless most of its values (in `rows`) are German states.
    """
    mapping: dict[str, int] = {}
    normalised = [normalise_header(heading) for heading in header]
    for index, heading in enumerate(normalised):
        if heading in _AMBIGUOUS:
            continue
        for target in TARGETS:
            if target.key not in mapping and heading in target.synonyms:
                mapping[target.key] = index
                break
    for index, heading in enumerate(normalised):
        if heading == "name":
            if "name" not in mapping:
                mapping["name"] = index
            elif "last_name" not in mapping and "contact_name" not in mapping and {"first_name", "salutation", "title"} & set(mapping):
                mapping["last_name"] = index
        elif heading == "land":
            values = [row[index] for row in (rows or [])[:200] if index < len(row)]
            if "state" not in mapping and looks_like_states(values):
                mapping["state"] = index
            elif "country" not in mapping:
                mapping["country"] = index
    return mapping


# --- reading the upload ----------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the spreadsheet's row number of each row, for messages
    file_format: str  # "csv" or "xlsx"
    header_line: int = 1  # the spreadsheet's row number of the header
    # The first non-empty rows as read (title rows, group headings, the header, the first data rows) and their
    # row numbers: the mapping step offers them as "Kopfzeile in Zeile N" and re-splits with table_resplit.
    top: list[list[str]] = field(default_factory=list)
    top_lines: list[int] = field(default_factory=list)
    untitled: list[int] = field(default_factory=list)  # columns with values but no heading ("Spalte N")


# Typical UTF-8 umlauts read as Windows-1252: the file mixes both encodings.
_MOJIBAKE = re.compile("Ã[¤¶¼Ÿ„–œ©]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A cell that is a number, a date, an amount or a phone number: data, not a heading.
_NOT_TEXT = re.compile(r"[\d\s.,:;/+\-()€%]+|\S+@\S+")


def too_large_error() -> ValidationError:
    return ValidationError(_("Die Datei ist größer als %(mb)s MB. Bitte teilen Sie sie auf.") % {"mb": MAX_UPLOAD_MB}, code="too_large")


def read_table(upload: UploadedFile) -> Table:
    """Read a CSV or XLSX upload. Raises ValidationError with a German message for anything unusable.

    The header is the first row that looks like one (detect_header): title rows,
    merged group headings and blank rows above it are skipped, and kept in
    `Table.top` so that the user can choose another row.
    """
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_large_error()
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large_error()
    if not data.strip():
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    name = (upload.name or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _("Alte Excel-Dateien (.xls) werden nicht unterstützt. Bitte speichern Sie die Tabelle als .xlsx oder CSV."),
            code="xls",
        )
    if data.startswith(b"PK\x03\x04"):
        rows, lines, file_format = *_read_xlsx(data), "xlsx"
    elif name.endswith((".xlsx", ".xlsm")):
        raise ValidationError(_("Die Datei ist keine gültige Excel-Datei (.xlsx)."), code="bad_xlsx")
    else:
        rows, lines, file_format = *_read_csv(data), "csv"
    if not rows:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    rows = [[_clean(cell) for cell in row] for row in rows]
    return split_table(rows, lines, detect_header(rows), file_format)


def _clean(cell: str) -> str:
    # Strip what no cell of an address list needs: NUL and other control characters (tabs and newlines stay).
    return _CONTROL.sub("", cell).strip()


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("Die Datei ist als UTF-8 gekennzeichnet, enthält aber ungültige Zeichen (ab Byte %(position)s).")
                % {"position": exc.start + len(codecs.BOM_UTF8)},
                code="encoding",
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("Die Zeichenkodierung der Datei ist nicht lesbar."), code="encoding") from exc
    if b"\x00" in data:
        raise ValidationError(_("Die Datei ist weder eine CSV-Datei noch eine Excel-Datei (.xlsx)."), code="binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Die Zeichenkodierung der Datei ist nicht lesbar. Bitte speichern Sie sie als „CSV UTF-8“."), code="encoding") from exc
    if _MOJIBAKE.search(text):
        raise ValidationError(
            _("Die Datei mischt zwei Zeichenkodierungen (UTF-8 und Windows-1252). Bitte speichern Sie sie als „CSV UTF-8“."),
            code="encoding",
        )
    return text


def _delimiter(text: str) -> str:
    """German Excel writes ';', others ',' or tabs: the character most lines of the first 20 have most of.

    Counted over several lines, because a title row ("Mitgliederliste, Stand 2019") may hold a comma
    in a file that is separated by semicolons.
    """
    sample = [line for line in text[:200_000].splitlines()[:50] if line.strip()][:20]

    def typical(char: str) -> float:
        counts = sorted(line.count(char) for line in sample)
        return counts[len(counts) // 2] + sum(counts) / (1000 * len(counts))  # the median; the mean breaks ties

    return max([";", ",", "\t"], key=typical) if sample else ";"


# Reading stops after this many non-empty rows: the body may not pass MAX_ROWS, and the header is among the first.
_READ_LIMIT = MAX_ROWS + HEADER_SCAN_ROWS + 1


def _read_csv(data: bytes) -> tuple[list[list[str]], list[int]]:
    text = _decode(data)
    sample = text[:100_000]
    if len(_CONTROL.findall(sample)) > len(sample) // 100:  # a stray control character is stripped; many mean binary
        raise ValidationError(_("Die Datei ist weder eine CSV-Datei noch eine Excel-Datei (.xlsx)."), code="binary")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for number, record in enumerate(reader, start=1):
            if any(cell.strip() for cell in record):
                rows.append(record[: MAX_COLUMNS + 1])
                lines.append(number)
                if len(rows) > _READ_LIMIT:
                    break
    except csv.Error as exc:
        raise ValidationError(
            _("Die CSV-Datei ist beschädigt (Datensatz %(line)s): %(error)s") % {"line": reader.line_num, "error": exc},
            code="csv",
        ) from exc
    return rows, lines


def _read_xlsx(data: bytes) -> tuple[list[list[str]], list[int]]:
    import openpyxl  # noqa: PLC0415 – only imports need it; every other process starts faster without it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
                raise ValidationError(_("Die Excel-Datei ist entpackt zu groß."), code="bomb")
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("Die Datei ist keine gültige Excel-Datei (.xlsx)."), code="bad_xlsx") from exc

    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        # read_only streams the sheet row by row; merged cells hold their value in the top-left cell only.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # trust the rows that exist, not a declared A1:XFD1048576
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values[: MAX_COLUMNS + 1]]
                if any(cell.strip() for cell in cells):
                    rows.append(cells)
                    lines.append(number)
                    if len(rows) > _READ_LIMIT:
                        break
        finally:
            workbook.close()
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises many unrelated types for damaged files
        logger.info("Unreadable XLSX upload: %r", exc)
        raise ValidationError(_("Die Excel-Datei kann nicht gelesen werden. Bitte speichern Sie sie erneut als .xlsx oder als CSV."), code="bad_xlsx") from exc
    return rows, lines


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y") if value.time() == time(0) else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --- the header row ------------------------------------------------------------------


def _width(row: list[str]) -> int:
    """Columns up to the last non-empty cell."""
    for index in range(len(row) - 1, -1, -1):
        if row[index].strip():
            return index + 1
    return 0


def header_matches(row: list[str]) -> int:
    """How many cells of a row are known headings (TARGETS' synonyms)."""
    return sum(1 for cell in row if cell.strip() and normalise_header(cell) in KNOWN_HEADINGS)


def detect_header(rows: list[list[str]]) -> int:
    """The index (in `rows`, the non-empty rows) of the first row that looks like the header.

    Among the first HEADER_SCAN_ROWS rows, a candidate fills more than half of
    the table's width (a title row or a merged group heading fills one or two
    cells) with mostly text, not numbers, dates or e-mail addresses. The first
    candidate with at least half as many known headings as the best one wins;
    without any known heading the first candidate; without a candidate, row 0.
    """
    candidates = rows[:HEADER_SCAN_ROWS]
    width = max((_width(row) for row in candidates), default=0)
    passing: list[tuple[int, int]] = []  # (index, known headings)
    for index, row in enumerate(candidates):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells or (width > 1 and len(cells) * 2 <= width):
            continue
        text = sum(1 for cell in cells if not _NOT_TEXT.fullmatch(cell))
        if text * 2 < len(cells):
            continue
        passing.append((index, header_matches(row)))
    if not passing:
        return 0
    best = max(matches for _index, matches in passing)
    threshold = max(1, (best + 1) // 2) if best else 0
    return next(index for index, matches in passing if matches >= threshold)


def split_table(rows: list[list[str]], lines: list[int], header_index: int, file_format: str) -> Table:
    """Header and body of cleaned rows, split at `header_index`. Raises ValidationError for an unusable split.

    The table is as wide as its widest row, not as its header: a column with
    values but without a heading is named "Spalte N" and listed in `untitled`.
    """
    if not rows:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    raw_header = rows[header_index]
    body = rows[header_index + 1 :]
    body_lines = lines[header_index + 1 :]
    width = max(_width(row) for row in rows)
    if width > MAX_COLUMNS:
        raise ValidationError(_("Die Datei hat mehr als %(n)s Spalten.") % {"n": MAX_COLUMNS}, code="columns")
    if not _width(raw_header):
        raise ValidationError(_("Die Kopfzeile enthält keine Spaltenüberschriften."), code="header")
    header_cells = [" ".join(cell.split())[:100] for cell in (raw_header + [""] * width)[:width]]
    untitled = [index for index, heading in enumerate(header_cells) if not heading]
    header = [heading or _("Spalte %(n)s") % {"n": index + 1} for index, heading in enumerate(header_cells)]
    if not body:
        raise ValidationError(_("Die Datei enthält nur Spaltenüberschriften und keine Datenzeilen."), code="no_rows")
    if len(body) > MAX_ROWS:
        raise ValidationError(
            _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte teilen Sie sie in mehrere Dateien auf.") % {"max": f"{MAX_ROWS:,}".replace(",", ".")},
            code="too_many_rows",
        )
    body = [(row + [""] * width)[:width] for row in body]
    top = [(row + [""] * width)[:width] for row in rows[:HEADER_SCAN_ROWS]]
    return Table(
        header=header,
        rows=body,
        lines=body_lines,
        file_format=file_format,
        header_line=lines[header_index],
        top=top,
        top_lines=lines[:HEADER_SCAN_ROWS],
        untitled=untitled,
    )


def table_resplit(*, top: list[list[str]], top_lines: list[int], rows: list[list[str]], lines: list[int], header_line: int, file_format: str) -> Table:
    """The table again, with the header in spreadsheet row `header_line` (one of `top_lines`).

    `top` holds the first rows of the file and `rows` the body of the current
    split, so the whole file is `top` followed by the rows after the last of
    `top_lines`. Raises ValueError for a row that is not among the top rows.
    """
    if header_line not in top_lines:
        raise ValueError(header_line)
    last_top = top_lines[-1]
    all_rows = [list(row) for row in top] + [row for line, row in zip(lines, rows, strict=True) if line > last_top]
    all_lines = list(top_lines) + [line for line in lines if line > last_top]
    return split_table(all_rows, all_lines, top_lines.index(header_line), file_format)
