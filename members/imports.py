"""Import of organisations, contacts and memberships from a spreadsheet (CSV or XLSX).

Three steps, each a plain function: `read_table` turns an upload into a header
and rows of strings (or a German message why not); `plan_import` validates the
mapped rows and finds duplicates without writing anything; `import_run`
claims a confirmed job and writes the plan in one transaction through the
services of members/services.py, so a row failing on write leaves nothing behind.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Contact, ErasureTombstone, Membership, Organisation
from members.privacy import is_erased
from members.services import contact_create, membership_update, normalise_phone, organisation_create
from verbund.models import BackgroundJob, Network, User

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
    Target("name", gettext_lazy("Name der Organisation"), "organisation", (
        "name", "firma", "firmenname", "organisation", "organisationsname", "organization", "unternehmen",
        "unternehmensname", "company", "companyname", "mitglied", "einrichtung", "institution", "betrieb",
    )),
    Target("kind", gettext_lazy("Art der Organisation"), "organisation", ("art", "typ", "organisationsart", "kind", "type")),
    Target("street", gettext_lazy("Straße und Hausnummer"), "organisation", (
        "strasse", "str", "strassehausnummer", "strasseundhausnummer", "strassenr", "anschrift", "adresse", "address", "street",
    )),
    Target("postcode", gettext_lazy("PLZ"), "organisation", ("plz", "postleitzahl", "postcode", "zip", "zipcode", "postalcode"), text=False),
    Target("municipality", gettext_lazy("Ort"), "organisation", ("ort", "stadt", "gemeinde", "ortgemeinde", "city", "town", "place")),
    Target("district", gettext_lazy("Kreis"), "organisation", ("kreis", "landkreis", "district", "county")),
    Target("state", gettext_lazy("Bundesland"), "organisation", ("bundesland", "land", "state")),
    Target("website", gettext_lazy("Website"), "organisation", ("website", "webseite", "homepage", "internet", "url", "web"), text=False),
    Target("employees", gettext_lazy("Beschäftigte"), "organisation", (
        "beschaeftigte", "mitarbeiter", "mitarbeitende", "mitarbeiterzahl", "anzahlmitarbeiter", "anzahlbeschaeftigte",
        "employees", "staff", "headcount",
    ), text=False),
    Target("salutation", gettext_lazy("Anrede"), "contact", ("anrede", "salutation")),
    Target("title", gettext_lazy("Titel"), "contact", ("titel", "title", "akademischergrad")),
    Target("first_name", gettext_lazy("Vorname"), "contact", ("vorname", "firstname", "givenname", "forename")),
    Target("last_name", gettext_lazy("Nachname"), "contact", ("nachname", "familienname", "lastname", "surname", "familyname")),
    Target("contact_name", gettext_lazy("Ansprechpartner:in (ganzer Name)"), "contact", (
        "ansprechpartner", "ansprechpartnerin", "kontaktperson", "kontakt", "contact", "contactperson", "contactname",
    )),
    Target("function", gettext_lazy("Funktion"), "contact", ("funktion", "position", "function", "jobtitle", "stellung")),
    Target("email", gettext_lazy("E-Mail"), "contact", ("email", "emailadresse", "mail", "mailadresse", "emailaddress"), text=False),
    Target("phone", gettext_lazy("Telefon"), "contact", ("telefon", "tel", "telefonnummer", "fon", "phone", "telephone", "phonenumber"), text=False),
    Target("role", gettext_lazy("Rolle im Verbund"), "membership", ("rolle", "rolleimverbund", "role", "mitgliedsrolle")),
    Target("status", gettext_lazy("Status"), "membership", ("status", "mitgliedsstatus", "mitgliedschaft", "membershipstatus")),
    Target("annual_fee", gettext_lazy("Jahresbeitrag (EUR)"), "membership", (
        "beitrag", "jahresbeitrag", "jahresbeitrageur", "mitgliedsbeitrag", "beitrageur", "fee", "annualfee", "membershipfee",
    ), text=False),
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
        raise ValidationError(
            _("Die Zeichenkodierung der Datei ist nicht lesbar. Bitte speichern Sie sie als „CSV UTF-8“."), code="encoding"
        ) from exc
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
    import openpyxl  # only imports need it

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
        raise ValidationError(
            _("Die Excel-Datei kann nicht gelesen werden. Bitte speichern Sie sie erneut als .xlsx oder als CSV."), code="bad_xlsx"
        ) from exc
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
            _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte teilen Sie sie in mehrere Dateien auf.")
            % {"max": f"{MAX_ROWS:,}".replace(",", ".")},
            code="too_many_rows",
        )
    width = len(header)
    body = [(row + [""] * width)[:width] for row in body]
    return Table(header=header, rows=body, lines=lines[1:], file_format=file_format)


def _finish(table: Table) -> Table:
    # Strip what no cell of an address list needs: NUL and other control characters (tabs and newlines stay).
    table.rows = [[_CONTROL.sub("", cell).strip() for cell in row] for row in table.rows]
    return table


# --- validating and planning -------------------------------------------------------


@dataclass
class RowError:
    line: int
    field: str  # the target's label, or "" for the whole row
    message: str


@dataclass
class PlannedRow:
    line: int
    organisation: dict[str, Any] = field(default_factory=dict)
    membership: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, Any] | None = None
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # duplicates found, in words
    # What the write does with the organisation: "create", "same_as" (an earlier row), "existing", "skip".
    organisation_action: str = "create"
    same_as_line: int | None = None
    existing_organisation_id: int | None = None
    create_contact: bool = False

    @property
    def is_duplicate(self) -> bool:
        return bool(self.notes)


@dataclass
class ImportPlan:
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def duplicates(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.is_duplicate]

    @property
    def new_organisations(self) -> int:
        return sum(1 for row in self.rows if row.organisation_action == "create" and not row.errors)

    @property
    def new_contacts(self) -> int:
        return sum(1 for row in self.rows if row.create_contact and row.organisation_action != "skip" and not row.errors)

    @property
    def skipped(self) -> int:
        return sum(1 for row in self.rows if row.organisation_action == "skip")


def _choices_lookup(choices: type, extra: dict[str, str]) -> dict[str, str]:
    """Normalised value, German label or English label → stored value."""
    lookup = {normalise_header(key): value for key, value in extra.items()}
    for language in ("de", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                if value:
                    lookup[normalise_header(str(label))] = value
    for value in choices.values:
        if value:
            lookup[normalise_header(value)] = value
    return lookup


ROLE_SYNONYMS = {
    "Zulieferer": "supplier", "Vorproduzent": "supplier", "Lieferant": "supplier", "Berater": "consultant",
    "Beratung": "consultant", "Beraterin": "consultant", "Verwaltung": "administration", "Kommune": "administration",
    "Forschungseinrichtung": "research", "Hochschule": "research", "Anwenderin": "user", "Herstellerin": "manufacturer",
}
STATUS_SYNONYMS = {
    "Interessentin": "prospect", "Interessent:in": "prospect", "Mitglied": "active", "pausiert": "paused",
    "ruhend gestellt": "paused", "ausgeschieden": "left", "gekündigt": "left", "former": "left",
}
KIND_SYNONYMS = {
    "Firma": "company", "KMU": "company", "Hochschule": "research", "Forschung": "research", "Kommune": "administration",
    "Verwaltung": "administration", "Verband": "association", "Kammer": "association",
}
SALUTATION_SYNONYMS = {"Frau": "ms", "Herr": "mr", "Ms": "ms", "Mrs": "ms", "Mr": "mr", "divers": "diverse"}


def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length  # type: ignore[return-value]


def _looks_like_formula(value: str, *, text: bool) -> bool:
    first = value.lstrip()[:1]
    return first in ("=", "@") or (text and first in ("+", "-"))


def _parse_int(value: str) -> int:
    compact = value.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", compact):
        compact = compact.replace(".", "")
    if re.fullmatch(r"\d+([.,]0+)?", compact):
        return int(re.split(r"[.,]", compact)[0])
    raise ValueError(value)


def _parse_fee(value: str) -> Decimal:
    compact = re.sub(r"(?i)\s|\u00a0|€|eur", "", value)
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", compact):
        compact = compact.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", compact):
        raise ValueError(value)
    return Decimal(compact)


def _split_full_name(value: str) -> tuple[str, str, str]:
    """'Frau Dr. Mia Muster' → (salutation, first names + title, last name)."""
    parts = value.split()
    salutation = ""
    if parts and parts[0].rstrip(".").casefold() in {"frau", "herr"}:
        salutation = "ms" if parts.pop(0).casefold().startswith("frau") else "mr"
    if not parts:
        return salutation, "", ""
    return salutation, " ".join(parts[:-1]), parts[-1]


class _RowValidator:
    """Turns one mapped row into cleaned data for the services, collecting German messages."""

    def __init__(self) -> None:
        self.roles = _choices_lookup(Membership.Role, ROLE_SYNONYMS)
        self.statuses = _choices_lookup(Membership.Status, STATUS_SYNONYMS)
        self.kinds = _choices_lookup(Organisation.Kind, KIND_SYNONYMS)
        self.salutations = _choices_lookup(Contact.Salutation, SALUTATION_SYNONYMS)
        self.url_validator = URLValidator(schemes=["http", "https"])

    def validate(self, line: int, values: dict[str, str]) -> PlannedRow:
        row = PlannedRow(line=line)
        self.row = row

        for key, value in values.items():
            target = TARGETS_BY_KEY[key]
            if value and _looks_like_formula(value, text=target.text):
                self.error(key, _("„%(value)s“ sieht wie eine Tabellenformel aus und wird nicht übernommen. Bitte nur Werte importieren.")
                           % {"value": value[:40]})
        if row.errors:
            return row

        org: dict[str, Any] = {}
        name = " ".join(values.get("name", "").split())
        if not name:
            self.error("name", _("Der Name der Organisation fehlt."))
        org["name"] = self.text("name", name, Organisation, "name")
        for key in ("street", "municipality", "district", "state"):
            if key in values:
                org[key] = self.text(key, " ".join(values[key].split()), Organisation, key)
        if values.get("kind"):
            org["kind"] = self.choice("kind", values["kind"], self.kinds, Organisation.Kind)
        if "postcode" in values:
            org["postcode"] = self.postcode(values["postcode"])
        if values.get("website"):
            org["website"] = self.website(values["website"])
        if values.get("employees"):
            try:
                org["employees"] = _parse_int(values["employees"])
            except ValueError:
                self.error("employees", _("„%(value)s“ ist keine ganze Zahl.") % {"value": values["employees"][:40]})
        row.organisation = org

        membership: dict[str, Any] = {}
        if values.get("role"):
            membership["role"] = self.choice("role", values["role"], self.roles, Membership.Role)
        if values.get("status"):
            membership["status"] = self.choice("status", values["status"], self.statuses, Membership.Status)
        if values.get("annual_fee"):
            membership["annual_fee"] = self.fee(values["annual_fee"])
        row.membership = membership

        row.contact = self.contact(values)
        row.create_contact = row.contact is not None
        return row

    def error(self, key: str, message: str) -> None:
        label = str(TARGETS_BY_KEY[key].label) if key else ""
        self.row.errors.append(RowError(self.row.line, label, message))

    def text(self, key: str, value: str, model: type, name: str) -> str:
        limit = _max_length(model, name)
        if len(value) > limit:
            self.error(key, _("Der Wert ist zu lang (höchstens %(limit)s Zeichen).") % {"limit": limit})
        return value

    def choice(self, key: str, value: str, lookup: dict[str, str], choices: type) -> str:
        if (found := lookup.get(normalise_header(value))) is not None:
            return found
        allowed = ", ".join(str(label) for value_, label in choices.choices if value_)
        self.error(key, _("„%(value)s“ ist kein bekannter Wert. Erlaubt sind: %(allowed)s.") % {"value": value[:40], "allowed": allowed})
        return ""

    def postcode(self, value: str) -> str:
        value = value.replace(" ", "")
        if re.fullmatch(r"\d{4}", value):
            value = "0" + value  # Excel drops the leading zero of 01067 Dresden
        if value and not re.fullmatch(r"\d{5}", value):
            self.error("postcode", _("„%(value)s“ ist keine fünfstellige Postleitzahl.") % {"value": value[:40]})
        return value

    def website(self, value: str) -> str:
        url = value if re.match(r"(?i)^https?://", value) else f"https://{value}"
        try:
            self.url_validator(url)
        except ValidationError:
            self.error("website", _("„%(value)s“ ist keine gültige Webadresse.") % {"value": value[:60]})
            return ""
        if len(url) > _max_length(Organisation, "website"):
            self.error("website", _("Der Wert ist zu lang (höchstens %(limit)s Zeichen).") % {"limit": _max_length(Organisation, "website")})
        return url

    def fee(self, value: str) -> Decimal | None:
        try:
            fee = _parse_fee(value)
        except (ValueError, InvalidOperation):
            self.error("annual_fee", _("„%(value)s“ ist kein Geldbetrag.") % {"value": value[:40]})
            return None
        if fee < 0:
            self.error("annual_fee", _("Der Beitrag darf nicht negativ sein."))
        elif fee.as_tuple().exponent < -2 or fee >= Decimal(10) ** 8:  # type: ignore[operator]
            self.error("annual_fee", _("„%(value)s“ ist kein gültiger Beitrag (höchstens zwei Nachkommastellen).") % {"value": value[:40]})
        return fee

    def contact(self, values: dict[str, str]) -> dict[str, Any] | None:
        present = {key: " ".join(values[key].split()) for key in CONTACT_KEYS if values.get(key, "").strip()}
        if not present:
            return None
        data: dict[str, Any] = {}
        if "contact_name" in present:
            salutation, first, last = _split_full_name(present["contact_name"])
            data.update({"salutation": salutation, "first_name": first, "last_name": last})
        for key in ("title", "first_name", "last_name", "function"):
            if key in present:
                data[key] = self.text(key, present[key], Contact, key)
        if "salutation" in present:
            data["salutation"] = self.choice("salutation", present["salutation"], self.salutations, Contact.Salutation)
        for key in ("first_name", "last_name"):
            if len(data.get(key, "")) > _max_length(Contact, key):
                self.error("contact_name" if "contact_name" in present else key, _("Der Name der Kontaktperson ist zu lang."))
        if "email" in present:
            email = present["email"].lower().removeprefix("mailto:")
            try:
                validate_email(email)
            except ValidationError:
                self.error("email", _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": present["email"][:60]})
            data["email"] = email
        if "phone" in present:
            try:
                data["phone"] = normalise_phone(present["phone"])
            except ValidationError as exc:
                self.error("phone", f"„{present['phone'][:40]}“: {exc.messages[0]}")
        if not data.get("last_name"):
            self.error("last_name", _("Für die Kontaktperson fehlt der Nachname."))
        return data


def _org_key(name: str, postcode: str) -> tuple[str, str]:
    return (" ".join(unicodedata.normalize("NFKC", name).casefold().split()), postcode)


def plan_import(
    *, network: Network, header: list[str], rows: list[list[str]], lines: list[int], mapping: dict[str, int], existing: str
) -> ImportPlan:
    """Validate every row and decide what the write will do; touches nothing.

    Duplicates are looked for within the file and among the organisations and
    contacts of `network` only: the same name and postcode is the same
    organisation, the same email the same person. `existing` says what happens
    to a row whose organisation the network already has: add its contact
    (EXISTING_ADD_CONTACT) or leave the row out (EXISTING_SKIP).
    """
    known_orgs = {
        _org_key(name, postcode): (pk, name)
        for pk, name, postcode in Organisation.objects.for_network(network).values_list("pk", "name", "postcode")
    }
    known_emails = {
        email.lower(): name
        for email, name in Contact.objects.for_network(network)
        .filter(archived_at__isnull=True)
        .exclude(email="")
        .values_list("email", "organisation__name")
    }
    any_erased = ErasureTombstone.objects.exists()
    validator = _RowValidator()
    seen_rows: dict[tuple[str, ...], int] = {}
    seen_orgs: dict[tuple[str, str], int] = {}
    seen_emails: dict[str, int] = {}
    planned: list[PlannedRow] = []
    for line, cells in zip(lines, rows, strict=True):
        values = {key: cells[index] for key, index in mapping.items() if 0 <= index < len(cells)}
        row = validator.validate(line, values)
        planned.append(row)
        fingerprint = tuple(values.get(key, "").casefold() for key in sorted(mapping))
        if (first := seen_rows.get(fingerprint)) is not None:
            row.notes.append(_("Doppelte Zeile: gleich wie Zeile %(line)s – wird übersprungen.") % {"line": first})
            row.organisation_action, row.create_contact, row.errors = "skip", False, []
            continue
        seen_rows[fingerprint] = line
        if row.errors:
            continue
        key = _org_key(row.organisation["name"], row.organisation.get("postcode", ""))
        if (first := seen_orgs.get(key)) is not None:
            row.organisation_action, row.same_as_line = "same_as", first
            row.notes.append(
                _("Gleiche Organisation (Name und PLZ) wie Zeile %(line)s: sie wird einmal angelegt, die Kontaktperson ergänzt.")
                % {"line": first}
            )
        elif key in known_orgs:
            pk, name = known_orgs[key]
            row.existing_organisation_id = pk
            if existing == EXISTING_SKIP:
                row.organisation_action, row.create_contact = "skip", False
                row.notes.append(_("„%(name)s“ gibt es im Verbund schon – die Zeile wird übersprungen.") % {"name": name})
            else:
                row.organisation_action = "existing"
                row.notes.append(_("„%(name)s“ gibt es im Verbund schon – nur die Kontaktperson wird ergänzt.") % {"name": name})
        else:
            seen_orgs[key] = line
        email = (row.contact or {}).get("email", "")
        if email and row.create_contact:
            if any_erased and is_erased(email):
                # Erased on request (DSGVO): an import must not bring the person back.
                row.create_contact = False
                row.notes.append(
                    _("Für %(email)s liegt ein Löschvermerk vor – die Kontaktperson wird nicht importiert.") % {"email": email}
                )
            elif (first := seen_emails.get(email)) is not None:
                row.create_contact = False
                row.notes.append(
                    _("Die E-Mail-Adresse %(email)s steht schon in Zeile %(line)s – die Kontaktperson wird nicht doppelt angelegt.")
                    % {"email": email, "line": first}
                )
            elif email in known_emails:
                row.create_contact = False
                row.notes.append(
                    _("Eine Kontaktperson mit %(email)s gibt es im Verbund schon (%(name)s) – sie wird nicht neu angelegt.")
                    % {"email": email, "name": known_emails[email]}
                )
            else:
                seen_emails[email] = line
    return ImportPlan(planned)


# --- writing ------------------------------------------------------------------------


class ImportRowFailed(Exception):
    def __init__(self, line: int, messages: list[str]) -> None:
        super().__init__(line, messages)
        self.line = line
        self.messages = messages


@dataclass
class ImportResult:
    organisations: int = 0
    contacts: int = 0
    skipped: int = 0


def import_write(*, plan: ImportPlan, network: Network, by: User, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Write a plan without errors in one transaction. Raises ImportRowFailed (and writes nothing) when a row fails."""
    if plan.errors:
        raise ValueError("A plan with errors cannot be written.")
    result = ImportResult()
    organisations_by_line: dict[int, Organisation] = {}
    with transaction.atomic():
        for done, row in enumerate(plan.rows, start=1):
            try:
                _write_row(row, network=network, by=by, organisations_by_line=organisations_by_line, result=result)
            except ValidationError as exc:
                raise ImportRowFailed(row.line, _flatten(exc)) from exc
            except DatabaseError as exc:
                logger.warning("Import row %s failed on write", row.line, exc_info=True)
                raise ImportRowFailed(row.line, [_("Die Datenbank hat die Zeile abgelehnt.")]) from exc
            if progress:
                progress(done)
    return result


def _flatten(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {message}" if name != "__all__" else message for name, messages in exc.message_dict.items() for message in messages]
    return list(exc.messages)


def _write_row(
    row: PlannedRow, *, network: Network, by: User, organisations_by_line: dict[int, Organisation], result: ImportResult
) -> None:
    if row.organisation_action == "skip":
        result.skipped += 1
        return
    if row.organisation_action == "create":
        membership = organisation_create(
            network=network,
            by=by,
            data=row.organisation,
            role=row.membership.get("role") or Membership.Role.USER,
            status=row.membership.get("status") or Membership.Status.ACTIVE,
        )
        if row.membership.get("annual_fee") is not None:
            membership_update(membership=membership, by=by, data={"annual_fee": row.membership["annual_fee"]})
        organisation = membership.organisation
        organisations_by_line[row.line] = organisation
        result.organisations += 1
    elif row.organisation_action == "same_as":
        organisation = organisations_by_line[row.same_as_line]  # type: ignore[index]
    else:
        # The organisation is the network's: found through its scoped queryset, never by a bare pk.
        organisation = Organisation.objects.for_network(network).get(pk=row.existing_organisation_id)
    if row.create_contact and row.contact is not None:
        is_primary = not organisation.contacts.filter(is_primary=True, archived_at__isnull=True).exists()
        contact_create(organisation=organisation, by=by, data={**row.contact, "is_primary": is_primary})
        result.contacts += 1


# --- the job: draft, confirmation, run ------------------------------------------------


def import_draft_create(*, network: Network, by: User, table: Table, filename: str) -> BackgroundJob:
    """Keep an uploaded table as a PENDING import job until it is confirmed; discard this user's stale drafts."""
    cutoff = timezone.now() - timedelta(hours=DRAFT_HOURS)
    BackgroundJob.objects.filter(
        user=by, network=network, kind=BackgroundJob.Kind.IMPORT, status=BackgroundJob.Status.PENDING,
        created_at__lt=cutoff, params__confirmed=False,
    ).delete()
    return BackgroundJob.objects.create(
        user=by,
        network=network,
        kind=BackgroundJob.Kind.IMPORT,
        status=BackgroundJob.Status.PENDING,
        title=(_("Import: %(name)s") % {"name": filename})[:200],
        total=len(table.rows),
        params={
            "filename": filename[:200],
            "format": table.file_format,
            "header": table.header,
            "rows": table.rows,
            "lines": table.lines,
            "mapping": suggest_mapping(table.header),
            "existing": EXISTING_ADD_CONTACT,
            "confirmed": False,
        },
    )


def is_draft(job: BackgroundJob) -> bool:
    """An uploaded import that is not confirmed yet: its mapping and choices may still change."""
    return job.kind == BackgroundJob.Kind.IMPORT and job.status == BackgroundJob.Status.PENDING and not job.params.get("confirmed")


def import_set_mapping(*, job: BackgroundJob, mapping: dict[str, int]) -> BackgroundJob:
    job.params = {**job.params, "mapping": mapping}
    job.save(update_fields=["params"])
    return job


def job_plan(job: BackgroundJob, *, existing: str | None = None) -> ImportPlan:
    """The plan of an import job's rows as they stand now, with its choice for existing organisations or `existing`."""
    params = job.params
    return plan_import(
        network=job.network,
        header=params["header"],
        rows=params["rows"],
        lines=params["lines"],
        mapping={key: int(index) for key, index in params.get("mapping", {}).items()},
        existing=existing or params.get("existing", EXISTING_ADD_CONTACT),
    )


def import_confirm(*, job: BackgroundJob, existing: str) -> bool:
    """Mark a draft as confirmed (once). Returns False when it was confirmed before (a double submit)."""
    params = {**job.params, "existing": existing, "confirmed": True, "language": translation.get_language() or "de"}
    updated = BackgroundJob.objects.filter(
        pk=job.pk, status=BackgroundJob.Status.PENDING, params__confirmed=False
    ).update(params=params)
    if updated:
        job.params = params
    return bool(updated)


def import_run(*, job_id: int) -> None:
    """Claim a confirmed import job and write it. Does nothing for a job already running or finished.

    The job ends DONE with counts, or FAILED with the row that failed; the
    uploaded rows are removed from the job either way.
    """
    claimed = BackgroundJob.objects.filter(
        pk=job_id, kind=BackgroundJob.Kind.IMPORT, status=BackgroundJob.Status.PENDING, params__confirmed=True
    ).update(status=BackgroundJob.Status.RUNNING, done=0)
    if not claimed:
        return
    job = BackgroundJob.objects.select_related("network", "user").get(pk=job_id)
    with translation.override(job.params.get("language") or "de"):
        _run(job)


def _run(job: BackgroundJob) -> None:
    try:
        plan = job_plan(job)
        if plan.errors:  # the network changed since the preview, or the job was tampered with
            _finish_job(job, BackgroundJob.Status.FAILED, _("Die Daten enthalten Fehler. Es wurde nichts importiert."), plan.errors)
            return
        job.total = len(plan.rows)
        BackgroundJob.objects.filter(pk=job.pk).update(total=job.total)
        with _ProgressWriter(job) as progress:
            result = import_write(plan=plan, network=job.network, by=job.user, progress=progress)
    except ImportRowFailed as failed:
        message = _("Zeile %(line)s konnte nicht gespeichert werden: %(error)s Es wurde nichts importiert.") % {
            "line": failed.line, "error": " ".join(failed.messages),
        }
        _finish_job(job, BackgroundJob.Status.FAILED, message, [RowError(failed.line, "", m) for m in failed.messages])
        return
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _finish_job(job, BackgroundJob.Status.FAILED, _("Der Import ist unerwartet fehlgeschlagen. Es wurde nichts importiert."), [])
        return
    message = _(
        "%(organisations)s Organisationen und %(contacts)s Kontaktpersonen angelegt, %(skipped)s Zeilen übersprungen."
    ) % {"organisations": result.organisations, "contacts": result.contacts, "skipped": result.skipped}
    _finish_job(job, BackgroundJob.Status.DONE, message, [], done=job.total)


def _finish_job(job: BackgroundJob, status: str, message: str, errors: list[RowError], done: int | None = None) -> None:
    # The uploaded rows are personal data: once the job has ended they are no longer needed.
    params = {key: value for key, value in job.params.items() if key not in {"rows", "lines"}}
    fields: dict[str, Any] = {
        "status": status,
        "message": message,
        "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in errors[:500]],
        "params": params,
        "finished_at": timezone.now(),
    }
    if done is not None:
        fields["done"] = done
    BackgroundJob.objects.filter(pk=job.pk).update(**fields)


class _ProgressWriter:
    """Writes `done` to the job row while the import's own transaction is still open.

    The rows are written in one transaction (all or nothing), so an update of
    the job row inside it would be invisible until the end. On PostgreSQL a
    second, autocommitting connection makes the progress visible; elsewhere
    (SQLite runs the embedded default, where tasks run in-process anyway)
    progress jumps from 0 to done.
    """

    def __init__(self, job: BackgroundJob) -> None:
        self.job = job
        self.step = max(1, job.total // 50)
        self.side = None

    def __enter__(self) -> Callable[[int], None]:
        if connection.vendor == "postgresql":
            try:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            except Exception:  # progress is a nicety; the import must not fail for it
                self.side = None
        return self.report

    def report(self, done: int) -> None:
        if self.side is None or (done % self.step and done != self.job.total):
            return
        try:
            with self.side.cursor() as cursor:
                table = self.side.ops.quote_name(BackgroundJob._meta.db_table)
                cursor.execute(f"UPDATE {table} SET done = %s WHERE id = %s", [done, self.job.pk])  # noqa: S608
        except Exception:
            logger.info("Progress of job %s not written", self.job.pk, exc_info=True)
            self.side = None

    def __exit__(self, *exc_info: object) -> None:
        if self.side is not None:
            self.side.close()
