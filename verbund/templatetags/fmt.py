"""Template filters over verbund.formatting, loaded as a builtin: ``{{ meeting.starts_at|datetime_long }}``."""

from __future__ import annotations

from django import template

from verbund import formatting

register = template.Library()


@register.filter
def date_long(value):
    return formatting.format_date(value, "date")


@register.filter
def date_short(value):
    return formatting.format_date(value, "date_short")


@register.filter
def datetime_long(value):
    return formatting.format_date(value, "datetime")


@register.filter
def datetime_short(value):
    return formatting.format_date(value, "datetime_short")


@register.filter
def weekday_datetime(value):
    return formatting.format_date(value, "weekday_datetime")


@register.filter
def weekday_date(value):
    return formatting.format_date(value, "weekday_date")


@register.filter
def clock(value):
    return formatting.format_date(value, "time")


@register.filter
def month_year(value):
    return formatting.format_date(value, "month")


@register.filter
def weekday(value):
    return formatting.format_date(value, "weekday")


@register.filter
def weekday_short(value):
    return formatting.format_date(value, "weekday_short")


@register.filter
def num(value, decimals=None):
    return formatting.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def money(value):
    return formatting.format_money(value)


@register.filter
def percent(value, decimals=0):
    return formatting.format_percent(value, int(decimals))
