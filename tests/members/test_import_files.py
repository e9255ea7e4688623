"""Reading uploads: encodings, delimiters, XLSX, and every kind of bad file ends in a clear German message."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from members import imports
from members.imports import read_table, suggest_mapping
from members.models import Organisation
from tests.members.test_import_support import HEADER, csv_bytes, member_row, upload, xlsx_bytes
from verbund.models import BackgroundJob


def read(content: bytes, name: str = "liste.csv") -> imports.Table:
    return read_table(SimpleUploadedFile(name, content))


def message_of(content: bytes, name: str = "liste.csv") -> str:
    with pytest.raises(ValidationError) as excinfo:
        read(content, name)
    return excinfo.value.messages[0]


# --- what is read -------------------------------------------------------------------


def test_utf8_with_bom_and_semicolons_is_read_with_umlauts():
    table = read(csv_bytes([HEADER, member_row("Müller Maschinenbau GmbH")]))
    assert table.header[1] == "Straße"
    assert table.rows[0][0] == "Müller Maschinenbau GmbH"
    assert table.lines == [2]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_delimiter_is_detected(delimiter):
    table = read(csv_bytes([["Name", "PLZ", "Ort"], ["Alpha, Beta & Co", "48431", "Rheine"]], delimiter=delimiter))
    assert table.header == ["Name", "PLZ", "Ort"]
    assert table.rows[0] == ["Alpha, Beta & Co", "48431", "Rheine"]


def test_windows_1252_from_german_excel_is_read():
    table = read(csv_bytes([["Firma", "Ort"], ["Bäckerei Öztürk", "Düsseldorf"]], encoding="cp1252"))
    assert table.rows[0] == ["Bäckerei Öztürk", "Düsseldorf"]


def test_utf16_unicode_text_from_excel_is_read():
    table = read(csv_bytes([["Firma", "Ort"], ["Straßenbau Groß", "Köln"]], delimiter="\t", encoding="utf-16"))
    assert table.rows[0] == ["Straßenbau Groß", "Köln"]


def test_xlsx_is_read_with_numbers_as_text_and_leading_zero_restored():
    content = xlsx_bytes([["Firma", "PLZ", "Beschäftigte", "Beitrag"], ["Dresdner Werk", 1067, 12, 250.5]])
    table = read(content, "liste.xlsx")
    assert table.file_format == "xlsx"
    assert table.rows[0] == ["Dresdner Werk", "1067", "12", "250.5"]


def test_empty_rows_are_skipped_and_line_numbers_kept():
    table = read(b"Name;PLZ\r\n\r\nAlpha;48431\r\n;\r\nBeta;48565\r\n")
    assert [row[0] for row in table.rows] == ["Alpha", "Beta"]
    assert table.lines == [3, 5]


def test_mapping_is_suggested_from_german_and_english_headings():
    german = suggest_mapping(
        [
            "Firma",
            "Straße",
            "Postleitzahl",
            "Ort",
            "E-Mail-Adresse",
            "Telefon",
            "Vorname",
            "Nachname",
            "Funktion",
            "Rolle",
            "Status",
            "Jahresbeitrag (EUR)",
            "Webseite",
            "Beschäftigte",
        ]
    )
    assert german == {
        "name": 0,
        "street": 1,
        "postcode": 2,
        "municipality": 3,
        "email": 4,
        "phone": 5,
        "first_name": 6,
        "last_name": 7,
        "function": 8,
        "role": 9,
        "status": 10,
        "annual_fee": 11,
        "website": 12,
        "employees": 13,
    }
    english = suggest_mapping(["Company", "ZIP", "City", "Email", "Phone", "First name", "Last name", "Role", "Fee"])
    assert english == {"name": 0, "postcode": 1, "municipality": 2, "email": 3, "phone": 4, "first_name": 5, "last_name": 6, "role": 7, "annual_fee": 8}


# --- what is refused, and how it is said --------------------------------------------------


def test_malformed_encoding_is_refused_with_a_hint():
    # Invalid as UTF-8 and containing bytes Windows-1252 does not define.
    assert "Zeichenkodierung" in message_of(b"Name;Ort\r\nAlpha\x81\x8d;Rheine\r\n")


def test_broken_utf8_behind_a_bom_is_refused():
    assert "UTF-8" in message_of(b"\xef\xbb\xbfName;Ort\r\nAlpha\xff\xfe\xfd;Rheine\r\n")


def test_a_file_mixing_utf8_and_windows_1252_is_refused():
    content = "Name;Ort\r\nMüller;Rheine\r\n".encode() + "Bäcker;Köln\r\n".encode("cp1252")
    assert "mischt" in message_of(content)


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n"])
def test_an_empty_file_is_refused(content):
    assert message_of(content) == "Die Datei ist leer."


def test_a_header_without_rows_is_refused():
    assert "keine Datenzeilen" in message_of(b"Name;PLZ;Ort\r\n")


def test_binary_garbage_is_refused():
    assert "weder eine CSV-Datei noch eine Excel-Datei" in message_of(os.urandom(64 * 1024), "liste.csv")


def test_a_legacy_xls_file_gets_its_own_message():
    assert ".xls" in message_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(1024), "liste.xls")


def test_a_damaged_xlsx_is_refused():
    assert "Excel-Datei" in message_of(b"PK\x03\x04" + os.urandom(2048), "liste.xlsx")
    assert "keine gültige Excel-Datei" in message_of(b"Name;Ort\r\nAlpha;Rheine\r\n", "liste.xlsx")


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hallo.txt", "kein Arbeitsblatt")
    assert "Excel-Datei kann nicht gelesen werden" in message_of(buffer.getvalue(), "liste.xlsx")


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(imports.reading, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>")
    assert len(buffer.getvalue()) < 100_000
    assert "entpackt zu groß" in message_of(buffer.getvalue(), "bombe.xlsx")


def test_more_than_50000_rows_are_refused():
    rows = "".join(f"Firma {i};48431\r\n" for i in range(imports.MAX_ROWS + 1))
    assert "mehr als 50.000 Datenzeilen" in message_of(("Name;PLZ\r\n" + rows).encode())


def test_exactly_50000_rows_are_accepted():
    rows = "".join(f"Firma {i};48431\r\n" for i in range(imports.MAX_ROWS))
    assert len(read(("Name;PLZ\r\n" + rows).encode()).rows) == imports.MAX_ROWS


def test_nul_bytes_and_control_characters_in_a_text_file_are_refused():
    assert "weder eine CSV-Datei" in message_of(b"Name;Ort\r\nAl\x00pha;Rheine\r\n")


# --- through the upload page ----------------------------------------------------------


def test_a_26_mb_garbage_upload_is_refused_with_a_clear_message(client, world, manager_x):
    client.force_login(manager_x)
    response = upload(client, os.urandom(26 * 1024 * 1024), "riesig.csv")
    assert response.status_code == 200
    assert "Die Datei ist größer als 25 MB." in response.text
    assert not BackgroundJob.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "leer.csv", "Die Datei ist leer."),
        (b"Name;Ort\r\nAlpha\x81\x8d;Rheine\r\n", "kaputt.csv", "Zeichenkodierung"),
        (b"PK\x03\x04garbage", "kaputt.xlsx", "Excel-Datei"),
    ],
)
def test_bad_files_are_answered_on_the_upload_page(client, world, manager_x, content, name, message):
    client.force_login(manager_x)
    response = upload(client, content, name)
    assert response.status_code == 200
    assert message in response.text
    assert 'class="message message-error"' in response.text
    assert not BackgroundJob.objects.exists()
    assert Organisation.objects.count() == 3


def test_posting_without_a_file_asks_for_one(client, world, manager_x):
    from tests.members.test_import_support import io_url

    client.force_login(manager_x)
    response = client.post(io_url("import_upload"), {})
    assert response.status_code == 200
    assert "Bitte wählen Sie eine Datei aus." in response.text


def test_the_upload_page_labels_its_file_input(client, world, manager_x):
    client.force_login(manager_x)
    from tests.members.test_import_support import io_url

    response = client.get(io_url("import_upload"))
    assert response.status_code == 200
    assert '<label for="id_file">' in response.text
    assert 'id="id_file"' in response.text
