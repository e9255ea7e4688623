"""Template filters over verbund.formatting, loaded as a builtin: ``{{ meeting.starts_at|datetime_long }}``."""

from __future__ import annotations

from collections.abc import Callable

from django import template

from verbund import formatting

register = template.Library()

# Filter name → the pattern kind of verbund.formatting.DATE_PATTERNS it shows.
DATE_FILTERS = {
    "date_long": "date",
    "date_short": "date_short",
    "datetime_long": "datetime",
    "datetime_short": "datetime_short",
    "weekday_datetime": "weekday_datetime",
    "clock": "time",
    "month_year": "month",
    "weekday": "weekday",
    "weekday_short": "weekday_short",
}


def _date_filter(kind: str) -> Callable[[object], str]:
    def show(value):
        return formatting.format_date(value, kind)

    return show


for _name, _kind in DATE_FILTERS.items():
    register.filter(_name, _date_filter(_kind))


@register.filter
def num(value, decimals=None):
    return formatting.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def money(value):
    return formatting.format_money(value)


@register.filter
def percent(value, decimals=0):
    return formatting.format_percent(value, int(decimals))
