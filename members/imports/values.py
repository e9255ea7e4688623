"""Cell values that lists write in many ways: dates, countries, German states.

Decisions, written down once:

* **Dates** (`parse_date`): dd.mm.yyyy, d.m.yy, yyyy-mm-dd (also with a time, as
  CiviCRM writes), dd/mm/yyyy, Excel serial numbers (43466 = 01.01.2019; the
  1900 system, counted from 30.12.1899), mm.yyyy and a bare year. A month or a
  year alone becomes its first day, and the row says so in a hint. Two-digit
  years up to the current one are 20yy, later ones 19yy. Nothing that cannot be
  read becomes a date, and no empty cell becomes today.
* **Country** (`normalise_country`): Germany in any spelling ("Deutschland",
  "Germany", "DE", "D", "BRD", "Bundesrepublik Deutschland") is stored as ""
  (Organisation.country says "leer lassen für Deutschland", and the directory
  shows nothing for the home country). ISO codes and English names of the
  neighbouring countries become their German name; anything else is kept as
  written.
* **"Land"** is a country column, unless most of its values are German states
  (`looks_like_states`): then it is the Bundesland.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from members.matching import fold

EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers of 01.01.1920 … 31.12.2099: anything else is a number, not a date.
_SERIAL_RANGE = range(7306, 73051)


class DateParse:
    """The result of reading a date cell: the date, and whether it was completed from a month or year."""

    __slots__ = ("value", "completed")

    def __init__(self, value: date, completed: str = "") -> None:
        self.value = value
        self.completed = completed  # "", "month" or "year"


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        pivot = timezone.localdate().year % 100
        return 2000 + year if year <= pivot else 1900 + year
    return year


def parse_date(value: str) -> DateParse:
    """Read a date as lists write it. Raises ValueError when the cell holds none."""
    text = value.strip()
    if match := re.fullmatch(r"(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text):
        day, month, year = match.groups()
        return DateParse(date(_year(year), int(month), int(day)))
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text):
        year, month, day = match.groups()
        return DateParse(date(int(year), int(month), int(day)))
    if match := re.fullmatch(r"(\d{1,2})\s*[./]\s*(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        first, second = match.groups()
        year, month = (second, first) if len(second) == 4 else (first, second)
        return DateParse(date(int(year), int(month), 1), completed="month")
    if re.fullmatch(r"(19|20)\d{2}", text):
        return DateParse(date(int(text), 1, 1), completed="year")
    if re.fullmatch(r"\d{4,5}(?:[.,]0+)?", text):
        serial = int(re.split(r"[.,]", text)[0])
        if serial in _SERIAL_RANGE:
            return DateParse(EXCEL_EPOCH + timedelta(days=serial))
    raise ValueError(value)


_GERMANY = {"deutschland", "germany", "de", "d", "deu", "ger", "brd", "bundesrepublik deutschland", "federal republic of germany", "allemagne"}
_COUNTRIES = {
    "at": "Österreich",
    "aut": "Österreich",
    "a": "Österreich",
    "austria": "Österreich",
    "oesterreich": "Österreich",
    "ch": "Schweiz",
    "che": "Schweiz",
    "switzerland": "Schweiz",
    "schweiz": "Schweiz",
    "nl": "Niederlande",
    "netherlands": "Niederlande",
    "the netherlands": "Niederlande",
    "holland": "Niederlande",
    "niederlande": "Niederlande",
    "be": "Belgien",
    "belgium": "Belgien",
    "belgien": "Belgien",
    "lu": "Luxemburg",
    "luxembourg": "Luxemburg",
    "luxemburg": "Luxemburg",
    "fr": "Frankreich",
    "france": "Frankreich",
    "frankreich": "Frankreich",
    "dk": "Dänemark",
    "denmark": "Dänemark",
    "daenemark": "Dänemark",
    "pl": "Polen",
    "poland": "Polen",
    "polen": "Polen",
    "cz": "Tschechien",
    "czech republic": "Tschechien",
    "czechia": "Tschechien",
    "tschechien": "Tschechien",
    "it": "Italien",
    "italy": "Italien",
    "italien": "Italien",
    "es": "Spanien",
    "spain": "Spanien",
    "spanien": "Spanien",
    "gb": "Vereinigtes Königreich",
    "uk": "Vereinigtes Königreich",
    "united kingdom": "Vereinigtes Königreich",
    "us": "Vereinigte Staaten",
    "usa": "Vereinigte Staaten",
    "united states": "Vereinigte Staaten",
}


def normalise_country(value: str) -> str:
    """'' for Germany in any spelling, the German name for common codes and English names, else the text as written."""
    text = " ".join(value.split())
    key = fold(text)
    if key in _GERMANY:
        return ""
    return _COUNTRIES.get(key, text)


def is_germany(value: str) -> bool:
    return normalise_country(value) == ""


_STATES = {
    "baden wuerttemberg": "Baden-Württemberg",
    "bw": "Baden-Württemberg",
    "bayern": "Bayern",
    "bavaria": "Bayern",
    "by": "Bayern",
    "berlin": "Berlin",
    "be": "Berlin",
    "brandenburg": "Brandenburg",
    "bb": "Brandenburg",
    "bremen": "Bremen",
    "hb": "Bremen",
    "hamburg": "Hamburg",
    "hh": "Hamburg",
    "hessen": "Hessen",
    "he": "Hessen",
    "mecklenburg vorpommern": "Mecklenburg-Vorpommern",
    "mv": "Mecklenburg-Vorpommern",
    "niedersachsen": "Niedersachsen",
    "lower saxony": "Niedersachsen",
    "ni": "Niedersachsen",
    "nordrhein westfalen": "Nordrhein-Westfalen",
    "north rhine westphalia": "Nordrhein-Westfalen",
    "nrw": "Nordrhein-Westfalen",
    "nw": "Nordrhein-Westfalen",
    "rheinland pfalz": "Rheinland-Pfalz",
    "rp": "Rheinland-Pfalz",
    "saarland": "Saarland",
    "sl": "Saarland",
    "sachsen": "Sachsen",
    "saxony": "Sachsen",
    "sn": "Sachsen",
    "sachsen anhalt": "Sachsen-Anhalt",
    "st": "Sachsen-Anhalt",
    "schleswig holstein": "Schleswig-Holstein",
    "sh": "Schleswig-Holstein",
    "thueringen": "Thüringen",
    "thuringia": "Thüringen",
    "th": "Thüringen",
}


def is_german_state(value: str) -> bool:
    key = fold(value)
    # Two letters are a state only in capitals ('NW'); 'be' written small is more likely Belgium's code.
    return key in _STATES and (len(key) > 3 or value.strip().isupper())


def looks_like_states(values: list[str]) -> bool:
    """Whether most non-empty values of a column are German states (then 'Land' means Bundesland)."""
    present = [value for value in values if value.strip()]
    return bool(present) and sum(1 for value in present if is_german_state(value)) * 2 > len(present)


def normalise_state(value: str) -> str:
    """'NRW', 'NW', 'nordrhein-westfalen' → 'Nordrhein-Westfalen'; anything else as written."""
    text = " ".join(value.split())
    return _STATES[fold(text)] if is_german_state(text) else text


def parse_int(value: str) -> int:
    """'1.200', '12', '12,0' → an int. Raises ValueError."""
    compact = value.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", compact):
        compact = compact.replace(".", "")
    if re.fullmatch(r"\d+([.,]0+)?", compact):
        return int(re.split(r"[.,]", compact)[0])
    raise ValueError(value)


def parse_fee(value: str) -> Decimal:
    """'1.200,50 €', '99.5', '250 EUR' → a Decimal. Raises ValueError (or InvalidOperation)."""
    compact = re.sub(r"(?i)\s|\u00a0|€|eur", "", value)
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", compact):
        compact = compact.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", compact):
        raise ValueError(value)
    return Decimal(compact)
