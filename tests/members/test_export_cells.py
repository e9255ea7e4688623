"""Export cells as German Excel reads them: XLSX typed without apostrophes, CSV guarded as OWASP says, phones as written.

The bytes on the wire are checked (the sheet XML inside the XLSX, the CSV text), because Excel is not available here:
what Excel shows for each form is written down in members/exports.py.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from members import exports
from members.exports import WORD_JOINER, Phone, csv_phone, export_rows
from members.models import Contact, Membership
from tests.members.test_import_support import io_url

PHONE = "+49 5971 123456"


@pytest.fixture
def logged_in(client, manager_x):
    client.force_login(manager_x)
    return client


@pytest.fixture
def alpha(world):
    Membership.objects.filter(organisation=world.org_a, network=world.network_x).update(annual_fee=Decimal("1200.50"), joined_on=date(2024, 3, 1))
    Contact.objects.filter(organisation=world.org_a).update(phone=PHONE, function="-Leitung-")
    return world.org_a


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def cell_xml(xml: str, value: str) -> str:
    """The <c> element holding this text."""
    match = re.search(r"<c [^>]*>(?:(?!</c>).)*?" + re.escape(value) + r"(?:(?!</c>).)*?</c>", xml)
    assert match, f"{value!r} not in the sheet"
    return match.group(0)


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_phone_is_a_text_cell_without_an_apostrophe(logged_in, alpha):
    content = logged_in.get(io_url("export") + "?format=xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    phone = sheet.cell(row=2, column=header.index("Telefon") + 1)
    assert phone.value == PHONE  # before the fix: "'+49 5971 123456", an apostrophe in a cell that is already text
    assert phone.data_type == "s"
    assert phone.quotePrefix is True  # Excel's own text flag: shown as written, stays text when edited
    xml = sheet_xml(content)
    assert "<f>" not in xml
    assert "'+49" not in xml
    assert 't="inlineStr"' in cell_xml(xml, PHONE)


def test_xlsx_text_that_looks_like_a_formula_is_text_as_written(logged_in, alpha):
    content = logged_in.get(io_url("export") + "?format=xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    function = sheet.cell(row=2, column=header.index("Funktion") + 1)
    assert (function.value, function.data_type, function.quotePrefix) == ("-Leitung-", "s", True)
    name = sheet.cell(row=2, column=1)
    assert (name.value, name.quotePrefix) == ("Alpha GmbH", False)  # plain text needs no flag


def test_xlsx_numbers_dates_and_fees_are_typed(logged_in, alpha):
    content = logged_in.get(io_url("export") + "?format=xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {name: sheet.cell(row=2, column=index + 1) for index, name in enumerate(header)}
    assert (row["Beschäftigte"].value, row["Beschäftigte"].data_type) == (12, "n")
    assert (row["Jahresbeitrag (EUR)"].value, row["Jahresbeitrag (EUR)"].data_type) == (1200.5, "n")
    assert row["Jahresbeitrag (EUR)"].number_format == "#,##0.00"
    assert row["Eintritt"].is_date and row["Eintritt"].value.date() == date(2024, 3, 1)
    assert row["Eintritt"].number_format == "DD.MM.YYYY"
    assert (row["PLZ"].value, row["PLZ"].data_type) == ("48431", "s")  # a postcode keeps a leading zero as text


# --- CSV ------------------------------------------------------------------------------------------


def csv_text(client) -> str:
    content = client.get(io_url("export") + "?format=csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    return content[3:].decode("utf-8")


def test_csv_phone_is_written_behind_a_word_joiner(logged_in, alpha):
    text = csv_text(logged_in)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Telefon"] == WORD_JOINER + PHONE
    # On the wire: the UTF-8 bytes of U+2060 (E2 81 A0) right before the plus, no apostrophe.
    assert ";\u2060+49 5971 123456\r\n" in text or ";\u2060+49 5971 123456;" in text
    assert "\u2060+49 5971 123456".encode() == b"\xe2\x81\xa0+49 5971 123456"
    assert "'+49" not in text


def test_csv_other_formula_starts_get_the_owasp_quote(logged_in, alpha):
    rows = list(csv.reader(io.StringIO(csv_text(logged_in), newline=""), delimiter=";"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Funktion"] == "'-Leitung-"
    assert record["Jahresbeitrag (EUR)"] == "1200,50"
    assert record["Eintritt"] == "01.03.2024"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (PHONE, WORD_JOINER + PHONE),
        ("+49 (0)5971 12-34/56", WORD_JOINER + "+49 (0)5971 12-34/56"),
        ("05971 123456", "05971 123456"),
        ("", ""),
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),  # not a phone shape: OWASP's quote
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t+49 5971 1", "'\t+49 5971 1"),
    ],
)
def test_csv_phone_guard(value, written):
    assert csv_phone(value) == written


def test_no_csv_field_starts_with_a_formula_character_even_a_phone(world):
    Contact.objects.filter(organisation=world.org_a).update(phone=PHONE)
    Contact.objects.filter(organisation=world.org_b).update(phone="=1+1")
    content = exports.write_csv(*export_rows(Membership.objects.for_network(world.network_x)))
    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";") for cell in row]
    assert [cell for cell in cells if exports.starts_like_formula(cell)] == []
    assert "'=1+1" in cells and WORD_JOINER + PHONE in cells


def test_the_phone_column_is_marked_as_a_phone(world):
    Contact.objects.filter(organisation=world.org_a).update(phone=PHONE)
    headers, rows = export_rows(Membership.objects.for_network(world.network_x).filter(organisation=world.org_a))
    [row] = list(rows)
    assert isinstance(row[headers.index("Telefon")], Phone)
