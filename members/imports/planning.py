"""Validating the mapped rows and finding duplicates: an ImportPlan, without writing anything."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from members.imports.reading import (
    CONTACT_KEYS,
    EXISTING_SKIP,
    TARGETS_BY_KEY,
    normalise_header,
)
from members.models import Contact, ErasureTombstone, Membership, Organisation
from members.privacy import is_erased
from members.services import normalise_phone
from verbund.fieldsets import max_length
from verbund.models import Network

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


def _choices_lookup(choices: type[models.TextChoices], extra: dict[str, str]) -> dict[str, str]:
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
    "Zulieferer": "supplier",
    "Vorproduzent": "supplier",
    "Lieferant": "supplier",
    "Berater": "consultant",
    "Beratung": "consultant",
    "Beraterin": "consultant",
    "Verwaltung": "administration",
    "Kommune": "administration",
    "Forschungseinrichtung": "research",
    "Hochschule": "research",
    "Anwenderin": "user",
    "Herstellerin": "manufacturer",
}
STATUS_SYNONYMS = {
    "Interessentin": "prospect",
    "Interessent:in": "prospect",
    "Mitglied": "active",
    "pausiert": "paused",
    "ruhend gestellt": "paused",
    "ausgeschieden": "left",
    "gekündigt": "left",
    "former": "left",
}
KIND_SYNONYMS = {
    "Firma": "company",
    "KMU": "company",
    "Hochschule": "research",
    "Forschung": "research",
    "Kommune": "administration",
    "Verwaltung": "administration",
    "Verband": "association",
    "Kammer": "association",
}
SALUTATION_SYNONYMS = {"Frau": "ms", "Herr": "mr", "Ms": "ms", "Mrs": "ms", "Mr": "mr", "divers": "diverse"}


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
                self.error(
                    key, _("„%(value)s“ sieht wie eine Tabellenformel aus und wird nicht übernommen. Bitte nur Werte importieren.") % {"value": value[:40]}
                )
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
        limit = max_length(model, name)
        if len(value) > limit:
            self.error(key, _("Der Wert ist zu lang (höchstens %(limit)s Zeichen).") % {"limit": limit})
        return value

    def choice(self, key: str, value: str, lookup: dict[str, str], choices: type[models.TextChoices]) -> str:
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
        if len(url) > max_length(Organisation, "website"):
            self.error("website", _("Der Wert ist zu lang (höchstens %(limit)s Zeichen).") % {"limit": max_length(Organisation, "website")})
        return url

    def fee(self, value: str) -> Decimal | None:
        try:
            fee = _parse_fee(value)
        except (ValueError, InvalidOperation):
            self.error("annual_fee", _("„%(value)s“ ist kein Geldbetrag.") % {"value": value[:40]})
            return None
        if fee < 0:
            self.error("annual_fee", _("Der Beitrag darf nicht negativ sein."))
        elif fee.as_tuple().exponent < -2 or fee >= Decimal(10) ** 8:  # type: ignore[operator]  # exponent is a str only for NaN and infinity, which _parse_fee never returns
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
            if len(data.get(key, "")) > max_length(Contact, key):
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


def plan_import(*, network: Network, header: list[str], rows: list[list[str]], lines: list[int], mapping: dict[str, int], existing: str) -> ImportPlan:
    """Validate every row and decide what the write will do; touches nothing.

    Duplicates are looked for within the file and among the organisations and
    contacts of `network` only: the same name and postcode is the same
    organisation, the same email the same person. `existing` says what happens
    to a row whose organisation the network already has: add its contact
    (EXISTING_ADD_CONTACT) or leave the row out (EXISTING_SKIP).
    """
    known_orgs = {
        _org_key(name, postcode): (pk, name) for pk, name, postcode in Organisation.objects.for_network(network).values_list("pk", "name", "postcode")
    }
    known_emails = {
        email.lower(): name
        for email, name in Contact.objects.for_network(network).filter(archived_at__isnull=True).exclude(email="").values_list("email", "organisation__name")
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
                _("Gleiche Organisation (Name und PLZ) wie Zeile %(line)s: sie wird einmal angelegt, die Kontaktperson ergänzt.") % {"line": first}
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
                row.notes.append(_("Für %(email)s liegt ein Löschvermerk vor – die Kontaktperson wird nicht importiert.") % {"email": email})
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
