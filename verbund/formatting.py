"""The one place that formats numbers, money and dates for people: German by default, English when chosen.

Templates use the filters of ``verbund.templatetags.fmt`` (a template builtin); Python code that writes text for
people (mail subjects, PDF lines) calls these functions. Machine formats (CSV, iCalendar, JSON) do not come here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import dateformat, timezone
from django.utils.numberformat import format as number_format
from django.utils.translation import get_language

# Date patterns per language (django.utils.dateformat syntax). German: "3. März 2026", "03.03.2026", "14:30";
# English: "3 March 2026", "3 Mar 2026" (unambiguous for readers on both sides of the Atlantic), 24-hour clock.
DATE_PATTERNS: dict[str, dict[str, str]] = {
    "de": {
        "date": "j. F Y",
        "date_short": "d.m.Y",
        "datetime": "j. F Y, H:i",
        "datetime_short": "d.m.Y, H:i",
        "weekday_datetime": "l, j. F Y, H:i",
        "time": "H:i",
        "month": "F Y",
        "weekday": "l",
        "weekday_short": "D",
    },
    "en": {
        "date": "j F Y",
        "date_short": "j M Y",
        "datetime": "j F Y, H:i",
        "datetime_short": "j M Y, H:i",
        "weekday_datetime": "l, j F Y, H:i",
        "time": "H:i",
        "month": "F Y",
        "weekday": "l",
        "weekday_short": "D",
    },
}
NUMBER_SEPARATORS: dict[str, tuple[str, str]] = {"de": (",", "."), "en": (".", ",")}  # (decimal, thousands)


def _language() -> str:
    code = (get_language() or "de").split("-")[0]
    return code if code in DATE_PATTERNS else "de"


def date_pattern(kind: str) -> str:
    return DATE_PATTERNS[_language()][kind]


def format_date(value: dt.date | dt.datetime | None, kind: str = "date") -> str:
    """A date or moment as people read it; aware datetimes are shown in the portal's time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, dt.time):
        return dateformat.time_format(value, date_pattern(kind))
    return dateformat.format(value, date_pattern(kind))


def format_number(value: object, decimals: int | None = None) -> str:
    """50000 → "50.000" (de) / "50,000" (en); decimals rounds, None keeps what the value has."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)  # numberformat only cuts digits
    decimal_sep, thousands = NUMBER_SEPARATORS[_language()]
    return number_format(number, decimal_sep, decimal_pos=decimals, grouping=3, thousand_sep=thousands, force_grouping=True)


def format_money(value: object, currency: str = "€") -> str:
    """1234.5 → "1.234,50 €" (de) / "€1,234.50" (en)."""
    if value in (None, ""):
        return ""
    try:
        Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    amount = format_number(value, 2)
    return f"{amount}\u00a0{currency}" if _language() == "de" else f"{currency}{amount}"


def format_percent(value: object, decimals: int = 0) -> str:
    """A share 0..100 → "42 %" (de, with a no-break space) / "42%" (en)."""
    if value in (None, ""):
        return ""
    number = format_number(value, decimals)
    return f"{number}\u00a0%" if _language() == "de" else f"{number}%"
