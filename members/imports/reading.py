"""Reading an upload (CSV or XLSX) into a header and rows of strings, and suggesting a column mapping."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 100
# An .xlsx is a zip: refuse archives that would unpack to far more than a 5 MB spreadsheet can honestly hold.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
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
            "name",
            "firma",
            "firmenname",
            "organisation",
            "organisationsname",
            "organization",
            "unternehmen",
            "unternehmensname",
            "company",
            "companyname",
            "mitglied",
            "einrichtung",
            "institution",
            "betrieb",
        ),
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
            "anschrift",
            "adresse",
            "address",
            "street",
        ),
    ),
    Target("postcode", gettext_lazy("PLZ"), "organisation", ("plz", "postleitzahl", "postcode", "zip", "zipcode", "postalcode"), text=False),
    Target("municipality", gettext_lazy("Ort"), "organisation", ("ort", "stadt", "gemeinde", "ortgemeinde", "city", "town", "place")),
    Target("district", gettext_lazy("Kreis"), "organisation", ("kreis", "landkreis", "district", "county")),
    Target("state", gettext_lazy("Bundesland"), "organisation", ("bundesland", "land", "state")),
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
    Target("salutation", gettext_lazy("Anrede"), "contact", ("anrede", "salutation")),
    Target("title", gettext_lazy("Titel"), "contact", ("titel", "title", "akademischergrad")),
    Target("first_name", gettext_lazy("Vorname"), "contact", ("vorname", "firstname", "givenname", "forename")),
    Target("last_name", gettext_lazy("Nachname"), "contact", ("nachname", "familienname", "lastname", "surname", "familyname")),
    Target(
        "contact_name",
        gettext_lazy("Ansprechpartner:in (ganzer Name)"),
        "contact",
        (
            "ansprechpartner",
            "ansprechpartnerin",
            "kontaktperson",
            "kontakt",
            "contact",
            "contactperson",
            "contactname",
        ),
    ),
    Target("function", gettext_lazy("Funktion"), "contact", ("funktion", "position", "function", "jobtitle", "stellung")),
    Target("email", gettext_lazy("E-Mail"), "contact", ("email", "emailadresse", "mail", "mailadresse", "emailaddress"), text=False),
    Target("phone", gettext_lazy("Telefon"), "contact", ("telefon", "tel", "telefonnummer", "fon", "phone", "telephone", "phonenumber"), text=False),
    Target("role", gettext_lazy("Rolle im Verbund"), "membership", ("rolle", "rolleimverbund", "role", "mitgliedsrolle")),
    Target("status", gettext_lazy("Status"), "membership", ("status", "mitgliedsstatus", "mitgliedschaft", "membershipstatus")),
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
)
TARGETS_BY_KEY = {target.key: target for target in TARGETS}
CONTACT_KEYS = {"salutation", "title", "first_name", "last_name", "contact_name", "function", "email", "phone"}


def normalise_header(value: str) -> str:
    """'E-Mail-Adresse' → 'emailadresse', 'Straße' → 'strasse': the key synonyms are compared on."""
    value = value.casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        value = value.replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]", "", value)


def suggest_mapping(header: list[str]) -> dict[str, int]:
    """Target key → column index, for columns whose heading is a known synonym. The first matching column wins."""
    mapping: dict[str, int] = {}
    for index, heading in enumerate(header):
        normalised = normalise_header(heading)
        for target in TARGETS:
            if target.key not in mapping and normalised in target.synonyms:
                mapping[target.key] = index
                break
    return mapping


# --- reading the upload ----------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the spreadsheet's row number of each row, for messages
    file_format: str  # "csv" or "xlsx"


# Typical UTF-8 umlauts read as Windows-1252: the file mixes both encodings.
_MOJIBAKE = re.compile("Ã[¤¶¼Ÿ„–œ©]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_table(upload: UploadedFile) -> Table:
    """Read a CSV or XLSX upload. Raises ValidationError with a German message for anything unusable."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Die Datei ist größer als 5 MB. Bitte teilen Sie sie auf."), code="too_large")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Die Datei ist größer als 5 MB. Bitte teilen Sie sie auf."), code="too_large")
    if not data.strip():
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    name = (upload.name or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _("Alte Excel-Dateien (.xls) werden nicht unterstützt. Bitte speichern Sie die Tabelle als .xlsx oder CSV."),
            code="xls",
        )
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
    elif name.endswith((".xlsx", ".xlsm")):
        raise ValidationError(_("Die Datei ist keine gültige Excel-Datei (.xlsx)."), code="bad_xlsx")
    else:
        table = _read_csv(data)
    return _finish(table)


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


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    sample = text[:100_000]
    if len(_CONTROL.findall(sample)) > len(sample) // 100:  # a stray control character is stripped; many mean binary
        raise ValidationError(_("Die Datei ist weder eine CSV-Datei noch eine Excel-Datei (.xlsx)."), code="binary")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # The header decides: German Excel writes ';', others ',' or tabs.
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for number, record in enumerate(reader, start=1):
            if any(cell.strip() for cell in record):
                rows.append(record)
                lines.append(number)
                if len(rows) > MAX_ROWS + 1:
                    break
    except csv.Error as exc:
        raise ValidationError(
            _("Die CSV-Datei ist beschädigt (Datensatz %(line)s): %(error)s") % {"line": reader.line_num, "error": exc},
            code="csv",
        ) from exc
    return _split_header(rows, lines, "csv")


def _read_xlsx(data: bytes) -> Table:
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
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # trust the rows that exist, not a declared A1:XFD1048576
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values[: MAX_COLUMNS + 1]]
                if any(cells):
                    rows.append(cells)
                    lines.append(number)
                    if len(rows) > MAX_ROWS + 1:
                        break
        finally:
            workbook.close()
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises many unrelated types for damaged files
        logger.info("Unreadable XLSX upload: %r", exc)
        raise ValidationError(_("Die Excel-Datei kann nicht gelesen werden. Bitte speichern Sie sie erneut als .xlsx oder als CSV."), code="bad_xlsx") from exc
    return _split_header(rows, lines, "xlsx")


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


def _split_header(rows: list[list[str]], lines: list[int], file_format: str) -> Table:
    if not rows:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    header = [" ".join(_CONTROL.sub("", cell).split())[:100] for cell in rows[0]]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise ValidationError(_("Die Datei hat mehr als %(n)s Spalten.") % {"n": MAX_COLUMNS}, code="columns")
    if not header:
        raise ValidationError(_("Die erste Zeile enthält keine Spaltenüberschriften."), code="header")
    header = [heading or _("Spalte %(n)s") % {"n": index + 1} for index, heading in enumerate(header)]
    body = rows[1:]
    if not body:
        raise ValidationError(_("Die Datei enthält nur Spaltenüberschriften und keine Datenzeilen."), code="no_rows")
    if len(body) > MAX_ROWS:
        raise ValidationError(
            _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte teilen Sie sie in mehrere Dateien auf.") % {"max": f"{MAX_ROWS:,}".replace(",", ".")},
            code="too_many_rows",
        )
    width = len(header)
    body = [(row + [""] * width)[:width] for row in body]
    return Table(header=header, rows=body, lines=lines[1:], file_format=file_format)


def _finish(table: Table) -> Table:
    # Strip what no cell of an address list needs: NUL and other control characters (tabs and newlines stay).
    table.rows = [[_CONTROL.sub("", cell).strip() for cell in row] for row in table.rows]
    return table
