"""verbund.formatting: the one place for numbers, money and dates — German by default, English when chosen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from verbund import formatting

MOMENT = dt.datetime(2026, 3, 4, 13, 5, tzinfo=dt.UTC)  # 14:05 in Berlin


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["4. März 2026", "04.03.2026", "Mittwoch, 4. März 2026, 14:05", "14:05", "März 2026", "50.000", "1.234,50\xa0€", "42\xa0%"]),
        ("en", ["4 March 2026", "4 Mar 2026", "Wednesday, 4 March 2026, 14:05", "14:05", "March 2026", "50,000", "€1,234.50", "42%"]),
    ],
)
def test_each_language_formats_in_its_own_way(settings, language, expected):
    settings.TIME_ZONE = "Europe/Berlin"
    with translation.override(language):
        got = [
            formatting.format_date(MOMENT, "date"),
            formatting.format_date(MOMENT, "date_short"),
            formatting.format_date(MOMENT, "weekday_datetime"),
            formatting.format_date(MOMENT, "time"),
            formatting.format_date(MOMENT, "month"),
            formatting.format_number(50000),
            formatting.format_money(Decimal("1234.5")),
            formatting.format_percent(42),
        ]
    assert got == expected


def test_templates_use_the_filters_without_loading_them():
    template = engines["django"].from_string("{{ when|date_long }} · {{ n|num }} · {{ amount|money }} · {{ share|percent }} · {{ x|num:1 }}")
    with translation.override("de"):
        text = template.render({"when": dt.date(2026, 12, 6), "n": 50000, "amount": "12.5", "share": 7, "x": 2.25})
    assert text == "6. Dezember 2026 · 50.000 · 12,50\xa0€ · 7\xa0% · 2,3"


def test_empty_and_foreign_values_do_not_break_a_page():
    assert formatting.format_date(None) == ""
    assert formatting.format_number("") == ""
    assert formatting.format_number("k. A.") == "k. A."
    assert formatting.format_money("auf Anfrage") == "auf Anfrage"


def test_a_naive_date_time_is_shown_as_given():
    naive = dt.datetime(2026, 1, 2, 9, 30)
    with translation.override("de"):
        assert formatting.format_date(naive, "datetime_short") == "02.01.2026, 09:30"
