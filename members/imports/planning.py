"""Validating the mapped rows and finding duplicates: an ImportPlan, without writing anything.

What a row becomes, decided here and written by members.imports.jobs:

* `PlannedRow.organisation`: the keys of ORGANISATION_FIELDS that the file has
  (name, kind, street, postcode, municipality, district, state, country,
  website, employees). A "Adresszusatz" column is appended to the street
  ("Hauptstr. 5, Gebäude 3"). Germany is stored as country "" (values.py).
* `PlannedRow.membership`: "role", "status", "annual_fee" (Decimal),
  "joined_on" (a datetime.date; the key is absent when the file has no date for
  the row, so nothing silently becomes today) and "notes".
* `PlannedRow.contact`: the keys of CONTACT_FIELDS but is_primary. Names are
  parsed (names.py): "Frau Dr. Käthe Müller" → salutation ms, title "Dr.",
  first name "Käthe", last name "Müller"; a salutation or title column wins
  over what the name cell says.
* **Organisation rows without a person** (a CiviCRM row of Contact Type
  "Organization", or any row with e-mail or phone but no name of a person):
  the Organisation model has no e-mail or phone field, so the general e-mail
  and phone become a contact with last name "Zentrale" and function
  "Allgemeiner Kontakt" (`PlannedRow.general_contact` is True; such a contact
  should not become the primary contact while a person of the organisation is
  imported). This keeps the address reachable for Infobriefe and visible on the
  organisation's page, where a manager can edit or remove it like any contact.
* **Person rows** of a CiviCRM export have no organisation name but an
  "Employer" column: the employer is the organisation. A person row of an
  organisation that another row of the file creates joins it; if no row
  creates it, the person row does, with the row's address.
* **Same organisation** within the file and against the network's
  organisations: the same members.matching.organisation_key (folded name
  without legal form: "Müller GmbH" = "Mueller GmbH & Co. KG") and the same
  postcode or the same members.matching.street_key. A row without any address
  (a person's employer) matches by name alone. Values a later row of the same
  organisation has and the first lacks (address, website, join date …) fill
  the first row's gaps.
* `PlannedRow.warnings`: remarks that block nothing ("nur das Jahr
  angegeben"); `notes` stay the duplicate findings.

Planning is linear in the rows: the network's organisations, contacts and
erasure tombstones are read once before the rows are looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.imports.names import PersonName, canonical_title, parse_person_name, parse_salutation_cell, strip_name_part
from members.imports.reading import (
    CONTACT_KEYS,
    EXISTING_SKIP,
    PERSON_KEYS,
    TARGETS_BY_KEY,
    normalise_header,
)
from members.imports.values import normalise_country, normalise_state, parse_date, parse_fee, parse_int
from members.matching import email_domain, fold, organisation_key, phone_key, street_key, website_domain
from members.models import Contact, ErasureTombstone, Membership, Organisation
from members.privacy import _email_hash  # the tombstones' keyed hash, computed once per address instead of one query per row
from members.services import normalise_phone
from verbund.fieldsets import max_length
from verbund.formatting import format_date
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
    general_contact: bool = False  # the contact is the organisation's general e-mail/phone ("Zentrale"), not a person
    record_type: str = ""  # "person", "organisation" or "household" when the file says so (CiviCRM's Contact Type)
    warnings: list[str] = field(default_factory=list)  # remarks that block nothing, e.g. a join date completed from a year

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

    @property
    def warnings(self) -> list[RowError]:
        """Remarks that block nothing (a join date completed from a year, a foreign postcode kept with the place)."""
        return [RowError(row.line, "", warning) for row in self.rows for warning in row.warnings]


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
SALUTATION_SYNONYMS = {
    "Frau": "ms",
    "Herr": "mr",
    "Herrn": "mr",
    "Fr": "ms",
    "Hr": "mr",
    "Ms": "ms",
    "Mrs": "ms",
    "Miss": "ms",
    "Mr": "mr",
    "divers": "diverse",
}
RECORD_TYPES = {
    "individual": "person",
    "person": "person",
    "einzelperson": "person",
    "privatperson": "person",
    "kontaktperson": "person",
    "ansprechpartner": "person",
    "organization": "organisation",
    "organisation": "organisation",
    "firma": "organisation",
    "unternehmen": "organisation",
    "company": "organisation",
    "household": "household",
    "haushalt": "household",
}


def _looks_like_formula(value: str, *, text: bool) -> bool:
    first = value.lstrip()[:1]
    return first in ("=", "@") or (text and first in ("+", "-"))


class _RowValidator:
    """Turns one mapped row into cleaned data for the services, collecting German messages."""

    def __init__(self) -> None:
        self.roles = _choices_lookup(Membership.Role, ROLE_SYNONYMS)
        self.statuses = _choices_lookup(Membership.Status, STATUS_SYNONYMS)
        self.kinds = _choices_lookup(Organisation.Kind, KIND_SYNONYMS)
        self.salutations = _choices_lookup(Contact.Salutation, SALUTATION_SYNONYMS)
        self.url_validator = URLValidator(schemes=["http", "https"])
        self.today = timezone.localdate()
        self.countries: dict[str, str] = {}  # a file has few distinct spellings of its countries

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

        if values.get("record_type"):
            row.record_type = self.record_type(values["record_type"])
            if row.record_type == "household":
                row.organisation_action = "skip"
                row.warnings.append(_("Ein Haushalt ist weder Organisation noch Kontaktperson – die Zeile wird übersprungen."))
                return row

        org: dict[str, Any] = {}
        name = " ".join(values.get("name", "").split())
        if not name and row.record_type != "organisation":
            name = " ".join(values.get("employer", "").split())
        if not name:
            if row.record_type == "person" and "employer" in values:
                self.error("employer", _("Die Person hat keinen Arbeitgeber. Ohne Organisation kann sie nicht importiert werden."))
            else:
                self.error("name", _("Der Name der Organisation fehlt."))
        org["name"] = self.text("name", name, Organisation, "name")
        raw_country = values.get("country", "")
        if (country := self.countries.get(raw_country)) is None:
            country = self.countries[raw_country] = normalise_country(raw_country)
        if "country" in values:
            org["country"] = self.text("country", country, Organisation, "country")
        if "street" in values or "street_extra" in values:
            street = ", ".join(part for part in (" ".join(values.get(key, "").split()) for key in ("street", "street_extra")) if part)
            org["street"] = self.text("street" if "street" in values else "street_extra", street, Organisation, "street")
        for key in ("municipality", "district"):
            if key in values:
                org[key] = self.text(key, " ".join(values[key].split()), Organisation, key)
        if "state" in values:
            org["state"] = self.text("state", normalise_state(values["state"]), Organisation, "state")
        if values.get("kind"):
            org["kind"] = self.choice("kind", values["kind"], self.kinds, Organisation.Kind)
        if "postcode" in values:
            self.postcode(values["postcode"], org, foreign=bool(country))
        if values.get("website"):
            org["website"] = self.website(values["website"])
        if values.get("employees"):
            try:
                org["employees"] = parse_int(values["employees"])
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
        for key in ("joined_on", "left_on"):
            if values.get(key) and (day := self.membership_date(key, values[key])) is not None:
                membership[key] = day
        if membership.get("left_on") and membership.get("joined_on") and membership["left_on"] < membership["joined_on"]:
            self.error("left_on", _("Der Austritt kann nicht vor dem Eintritt liegen."))
        if values.get("notes", "").strip():
            membership["notes"] = values["notes"].strip()
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

    def record_type(self, value: str) -> str:
        if (found := RECORD_TYPES.get(normalise_header(value))) is not None:
            return found
        self.error("record_type", _("„%(value)s“ ist weder Person noch Organisation.") % {"value": value[:40]})
        return ""

    def postcode(self, value: str, org: dict[str, Any], *, foreign: bool) -> None:
        value = value.replace(" ", "") if not foreign else " ".join(value.split())
        if re.fullmatch(r"\d{4}", value) and not foreign:
            value = "0" + value  # Excel drops the leading zero of 01067 Dresden
        if foreign and value and not re.fullmatch(r"\d{5}", value):
            # The PLZ field holds German postcodes only: a foreign one ("1010", "7511 AB") stays with the place.
            place = org.get("municipality", "")
            org["municipality"] = self.text("municipality", f"{value} {place}".strip(), Organisation, "municipality")
            self.row.warnings.append(_("Die ausländische Postleitzahl „%(value)s“ steht im Ort.") % {"value": value[:20]})
            value = ""
        elif value and not re.fullmatch(r"\d{5}", value):
            self.error("postcode", _("„%(value)s“ ist keine fünfstellige Postleitzahl.") % {"value": value[:40]})
        org["postcode"] = value

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
            fee = parse_fee(value)
        except (ValueError, InvalidOperation):
            self.error("annual_fee", _("„%(value)s“ ist kein Geldbetrag.") % {"value": value[:40]})
            return None
        if fee < 0:
            self.error("annual_fee", _("Der Beitrag darf nicht negativ sein."))
        elif fee.as_tuple().exponent < -2 or fee >= Decimal(10) ** 8:  # type: ignore[operator]  # exponent is a str only for NaN and infinity, which parse_fee never returns
            self.error("annual_fee", _("„%(value)s“ ist kein gültiger Beitrag (höchstens zwei Nachkommastellen).") % {"value": value[:40]})
        return fee

    def membership_date(self, key: str, value: str) -> date | None:
        label = str(TARGETS_BY_KEY[key].label)
        try:
            parsed = parse_date(value)
        except ValueError:
            self.error(key, _("„%(value)s“ ist kein Datum (z. B. 01.03.2019 oder 2019-03-01).") % {"value": value[:40]})
            return None
        if not 1900 <= parsed.value.year <= self.today.year + 1:
            self.error(key, _("„%(value)s“ ist kein mögliches Datum.") % {"value": value[:40]})
            return None
        if not parsed.completed and parsed.value <= self.today:
            return parsed.value
        shown = format_date(parsed.value, "date_short")
        if parsed.completed == "year":
            self.row.warnings.append(
                _("%(field)s „%(value)s“: nur das Jahr angegeben – übernommen als %(date)s.") % {"field": label, "value": value[:20], "date": shown}
            )
        elif parsed.completed == "month":
            self.row.warnings.append(
                _("%(field)s „%(value)s“: nur der Monat angegeben – übernommen als %(date)s.") % {"field": label, "value": value[:20], "date": shown}
            )
        if parsed.value > self.today:
            self.row.warnings.append(_("%(field)s: %(date)s liegt in der Zukunft.") % {"field": label, "date": shown})
        return parsed.value

    def salutation(self, value: str, name: PersonName) -> PersonName:
        """A salutation column's value wins over the name cell's; 'Frau Dr.' also brings a title, a CiviCRM prefix 'Dr.' only that."""
        if (found := self.salutations.get(normalise_header(value))) is not None:
            return PersonName(found, name.title, name.first_name, name.last_name)
        salutation, title = parse_salutation_cell(value)
        if salutation is None:
            self.choice("salutation", value, self.salutations, Contact.Salutation)  # says what is allowed
            return name
        return PersonName(salutation or name.salutation, title or name.title, name.first_name, name.last_name)

    def person_name(self, present: dict[str, str]) -> PersonName:
        name = parse_person_name(present["contact_name"]) if "contact_name" in present else PersonName()
        salutation, title, first, last = name.salutation, name.title, name.first_name, name.last_name
        # A first- or last-name cell may carry what belongs elsewhere: 'Dr. Müller', 'Frau Käthe'.
        titles = [title] if title else []
        if "first_name" in present:
            found_salutation, found_title, first = strip_name_part(present["first_name"])
            salutation = salutation or found_salutation
            titles += [found_title] if found_title else []
        if "last_name" in present:
            found_salutation, found_title, last = strip_name_part(present["last_name"])
            salutation = salutation or found_salutation
            titles += [found_title] if found_title else []
            if "first_name" not in present and "contact_name" not in present and " " in last and "," in present["last_name"]:
                # 'Müller, Käthe' in a Name column without a first-name column
                comma = parse_person_name(present["last_name"])
                first, last = comma.first_name, comma.last_name
        name = PersonName(salutation, " ".join(titles), first, last)
        if "title" in present:
            name = PersonName(name.salutation, " ".join(canonical_title(token) for token in present["title"].split()), name.first_name, name.last_name)
        if "salutation" in present:
            name = self.salutation(present["salutation"], name)
        return name

    def contact(self, values: dict[str, str]) -> dict[str, Any] | None:
        present = {key: " ".join(values[key].split()) for key in CONTACT_KEYS if values.get(key, "").strip()}
        if not present:
            return None
        data: dict[str, Any] = {}
        is_person = bool(PERSON_KEYS & set(present))
        if is_person:
            name = self.person_name(present)
            data.update(salutation=name.salutation, title=name.title, first_name=name.first_name, last_name=name.last_name)
            for key in ("title", "first_name", "last_name"):
                if len(data[key]) > max_length(Contact, key):
                    column = key if key in present else ("contact_name" if "contact_name" in present else "last_name")
                    self.error(column, _("Der Name der Kontaktperson ist zu lang."))
        elif "email" in present or "phone" in present:
            # An organisation's own e-mail or phone: kept as its general contact (see the module docstring).
            self.row.general_contact = True
            data.update(last_name=_("Zentrale"), function=_("Allgemeiner Kontakt"))
        else:
            return None  # a function without a person or an address says nothing
        if "function" in present:
            data["function"] = self.text("function", present["function"], Contact, "function")
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


# --- same organisation, same person --------------------------------------------------


@dataclass
class _Place:
    """An organisation seen before (a created row of the file, or one of the network): what its rows match on."""

    key: str  # members.matching.organisation_key of the name
    name: str
    postcode: str
    street: str  # members.matching.street_key
    line: int = 0  # the file's row that creates it
    pk: int | None = None  # the network's organisation

    @property
    def has_address(self) -> bool:
        return bool(self.postcode or self.street)


def _find(candidates: list[_Place], postcode: str, street: str) -> tuple[_Place, str] | None:
    """The organisation among same-named `candidates` a row with this address belongs to, and why in words."""
    if not (postcode or street):
        # A person's employer, or a list without addresses: the name alone decides.
        return (candidates[0], _("Name")) if candidates else None
    for place in candidates:
        if postcode and place.postcode == postcode:
            return place, _("Name und PLZ")
        if street and place.street == street:
            return place, _("Name und Straße")
    for place in candidates:
        if not place.has_address:
            return place, _("Name")
    return None


def _erased_emails(emails: set[str]) -> set[str]:
    """Which of these addresses have an erasure tombstone: one query per 500 addresses, not one per row."""
    if not emails or not ErasureTombstone.objects.exists():
        return set()
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    by_hash = {_email_hash(email, key=key): email for email in emails for key in keys}
    hashes = list(by_hash)
    erased: set[str] = set()
    for start in range(0, len(hashes), 500):
        found = ErasureTombstone.objects.filter(email_hash__in=hashes[start : start + 500]).values_list("email_hash", flat=True)
        erased.update(by_hash[value] for value in found)
    return erased


def _fill_gaps(first: PlannedRow, later: PlannedRow) -> None:
    """Values a later row of the same organisation has and the creating row lacks are taken over."""
    for target, source in ((first.organisation, later.organisation), (first.membership, later.membership)):
        for key, value in source.items():
            if value not in ("", None) and target.get(key) in ("", None):
                target[key] = value


def _near_duplicate(row: PlannedRow, domains: dict[str, str], phones: dict[str, str]) -> str:
    """A hint when a new organisation shares a company e-mail domain, website or phone number with one the network has."""
    contact = row.contact or {}
    for domain in (email_domain(contact.get("email", "")), website_domain(row.organisation.get("website", ""))):
        if domain and domain in domains:
            return _("Mögliche Dublette: „%(name)s“ im Verbund hat dieselbe Domain (%(domain)s). Nach dem Import auf der Seite „Dubletten“ prüfen.") % {
                "name": domains[domain],
                "domain": domain,
            }
    if (digits := phone_key(contact.get("phone", ""))) and digits in phones:
        return _("Mögliche Dublette: „%(name)s“ im Verbund hat dieselbe Telefonnummer. Nach dem Import auf der Seite „Dubletten“ prüfen.") % {
            "name": phones[digits]
        }
    return ""


def plan_import(*, network: Network, header: list[str], rows: list[list[str]], lines: list[int], mapping: dict[str, int], existing: str) -> ImportPlan:
    """Validate every row and decide what the write will do; touches nothing.

    Duplicates are looked for within the file and among the organisations and
    contacts of `network` only: the same organisation is the same
    organisation_key with the same postcode or street (see the module
    docstring), the same email the same person. `existing` says what happens
    to a row whose organisation the network already has: add its contact
    (EXISTING_ADD_CONTACT) or leave the row out (EXISTING_SKIP).
    """
    known: dict[str, list[_Place]] = {}
    for pk, name, postcode, street in Organisation.objects.for_network(network).values_list("pk", "name", "postcode", "street"):
        place = _Place(organisation_key(name), name, postcode, street_key(street), pk=pk)
        known.setdefault(place.key, []).append(place)
    known_emails: dict[str, str] = {}
    # Near duplicates (members.duplicates' reasons that need no name): a company e-mail domain, a website or a phone number
    # the network already has. They block nothing; the preview names them and the Dubletten page offers the merge.
    known_domains: dict[str, str] = {}
    known_phones: dict[str, str] = {}
    for email, phone, name in Contact.objects.for_network(network).filter(archived_at__isnull=True).values_list("email", "phone", "organisation__name"):
        if email:
            known_emails[email.lower()] = name
            if domain := email_domain(email):
                known_domains.setdefault(domain, name)
        if phone_digits := phone_key(phone):
            known_phones.setdefault(phone_digits, name)
    for website, name in Organisation.objects.for_network(network).exclude(website="").values_list("website", "name"):
        if domain := website_domain(website):
            known_domains.setdefault(domain, name)
    validator = _RowValidator()
    planned: list[PlannedRow] = []
    fingerprints: list[tuple[str, ...]] = []
    for line, cells in zip(lines, rows, strict=True):
        values = {key: cells[index] for key, index in mapping.items() if 0 <= index < len(cells)}
        planned.append(validator.validate(line, values))
        fingerprints.append(tuple(values.get(key, "").casefold() for key in sorted(mapping)))
    erased = _erased_emails({row.contact["email"] for row in planned if row.contact and row.contact.get("email") and not row.errors})

    seen_rows: dict[tuple[str, ...], int] = {}
    seen: dict[str, list[_Place]] = {}
    rows_by_line: dict[int, PlannedRow] = {}
    seen_emails: dict[str, int] = {}
    for row, fingerprint in zip(planned, fingerprints, strict=True):
        if (first_line := seen_rows.get(fingerprint)) is not None:
            row.notes.append(_("Doppelte Zeile: gleich wie Zeile %(line)s – wird übersprungen.") % {"line": first_line})
            row.organisation_action, row.create_contact, row.errors = "skip", False, []
            continue
        seen_rows[fingerprint] = row.line
        if row.errors or row.organisation_action == "skip":
            continue
        name = row.organisation["name"]
        key, postcode = organisation_key(name), row.organisation.get("postcode", "")
        street = street_key(row.organisation.get("street", "").split(",")[0])
        if found := _find(seen.get(key, []), postcode, street):
            place, reason = found
            row.organisation_action, row.same_as_line = "same_as", place.line
            first = rows_by_line[place.line]
            _fill_gaps(first, row)
            place.postcode, place.street = place.postcode or postcode, place.street or street
            what = _("sie wird einmal angelegt, die Kontaktperson ergänzt.") if row.create_contact else _("sie wird einmal angelegt, die Zeile ergänzt sie.")
            note = _("Gleiche Organisation (%(reason)s) wie Zeile %(line)s: %(what)s") % {"reason": reason, "line": place.line, "what": what}
            if fold(name) != fold(place.name):
                note += " " + _("„%(this)s“ und „%(that)s“ gelten als gleich.") % {"this": name, "that": place.name}
            row.notes.append(note)
        elif found := _find(known.get(key, []), postcode, street):
            place, _reason = found
            row.existing_organisation_id = place.pk
            spelled = "" if fold(name) == fold(place.name) else " " + _("(in der Datei: „%(name)s“)") % {"name": name}
            if existing == EXISTING_SKIP:
                row.organisation_action, row.create_contact = "skip", False
                row.notes.append(_("„%(name)s“ gibt es im Verbund schon – die Zeile wird übersprungen.") % {"name": place.name} + spelled)
            else:
                row.organisation_action = "existing"
                row.notes.append(_("„%(name)s“ gibt es im Verbund schon – nur die Kontaktperson wird ergänzt.") % {"name": place.name} + spelled)
        else:
            seen.setdefault(key, []).append(_Place(key, name, postcode, street, line=row.line))
            rows_by_line[row.line] = row
            if near := _near_duplicate(row, known_domains, known_phones):
                row.warnings.append(near)
        email = (row.contact or {}).get("email", "")
        if email and row.create_contact:
            if email in erased:
                # Erased on request (DSGVO): an import must not bring the person back.
                row.create_contact = False
                row.notes.append(_("Für %(email)s liegt ein Löschvermerk vor – die Kontaktperson wird nicht importiert.") % {"email": email})
            elif (first_line := seen_emails.get(email)) is not None:
                row.create_contact = False
                row.notes.append(
                    _("Die E-Mail-Adresse %(email)s steht schon in Zeile %(line)s – die Kontaktperson wird nicht doppelt angelegt.")
                    % {"email": email, "line": first_line}
                )
            elif email in known_emails:
                row.create_contact = False
                row.notes.append(
                    _("Eine Kontaktperson mit %(email)s gibt es im Verbund schon (%(name)s) – sie wird nicht neu angelegt.")
                    % {"email": email, "name": known_emails[email]}
                )
            else:
                seen_emails[email] = row.line
    return ImportPlan(planned)
