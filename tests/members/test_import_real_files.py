"""Importing the files offices really have: a CiviCRM contacts export, a hand-kept Excel list, an old Access CSV.

Each file is built here to look like the real one: title rows and merged
group headings above the header, umlauts, legal forms, titles inside names,
Excel date cells next to date strings, serial numbers and bare years.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members import imports
from members.imports.mappings import import_mapping_save
from members.imports.names import parse_person_name
from members.imports.planning import plan_import
from members.imports.reading import detect_header, read_table, suggest_mapping
from members.imports.values import normalise_country, parse_date
from members.models import Contact, ErasureTombstone, ImportMapping, Membership, Organisation
from members.services import contact_create
from tests.members.test_import_support import csv_bytes, io_url, upload
from verbund.models import BackgroundJob

# --- the files --------------------------------------------------------------------------

HAND_HEADER = ["Firma", "Ansprechpartner", "Straße", "PLZ", "Ort", "Telefon", "E-Mail", "Mitglied seit", "Beitrag", "Bemerkung", "Land"]


def messy_xlsx() -> bytes:
    """A member list kept by hand for years: title, blank row, merged group headings, the header in row 4."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Mitgliederliste Netzwerk X Stand 2019"
    sheet.merge_cells("A1:K1")
    # row 2 stays blank
    sheet["A3"], sheet["F3"], sheet["H3"] = "Organisation", "Kontakt", "Mitgliedschaft"
    sheet.merge_cells("A3:E3")
    sheet.merge_cells("F3:G3")
    sheet.merge_cells("H3:K3")
    for column, heading in enumerate(HAND_HEADER, start=1):
        sheet.cell(row=4, column=column, value=heading)
    rows = [
        # an Excel date cell
        [
            "Müller GmbH",
            "Frau Dr. Käthe Müller",
            "Hauptstraße 5",
            48431,
            "Rheine",
            "+49 5971 12345",
            "k.mueller@mueller.example",
            datetime(2019, 3, 15),
            250,
            "Gründungsmitglied",
            "Deutschland",
        ],
        # the same company, spelled differently, same street abbreviated: one organisation
        [
            "Mueller GmbH & Co. KG",
            "Herrn Prof. Dr.-Ing. Hans von der Heide",
            "Hauptstr. 5",
            48431,
            "Rheine",
            "05971 12346",
            "h.heide@mueller.example",
            None,
            None,
            None,
            None,
        ],
        # a date string, and an Excel serial number in a text-formatted column
        [
            "Öko-Bäckerei Groß e. K.",
            "Jürgen Groß",
            "Marktplatz 1",
            "01067",
            "Dresden",
            "+49 351 1234567",
            "info@oeko-baeckerei.example",
            "01.02.2017",
            "120,50",
            "",
            "DE",
        ],
        [
            "Straßenbau Süd AG",
            "Dipl.-Ing. (FH) Anna Maria Schulze",
            "Industriestr. 12",
            49477,
            "Ibbenbüren",
            "+49 5451 98765",
            "schulze@strassenbau.example",
            43466,
            "1.200,00",
            "zahlt jährlich",
            "Deutschland",
        ],
        # a bare year and a foreign postcode
        ["Wiener Werkstätten GmbH", "Mag. Eva Huber", "Ringstraße 1", "1010", "Wien", "+43 1 2345678", "huber@wiener.example", "2019", "", "", "Österreich"],
    ]
    for number, values in enumerate(rows, start=5):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    sheet.cell(row=8, column=8).number_format = "@"  # the serial stays a number typed into a text column
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CIVICRM_HEADER = [
    "Contact ID",
    "Contact Type",
    "Contact Subtype",
    "Organization Name",
    "Employer",
    "First Name",
    "Last Name",
    "Individual Prefix",
    "Job Title",
    "Street Address",
    "Supplemental Address 1",
    "Postal Code",
    "City",
    "Country",
    "Email",
    "Phone",
    "Website",
]


def civicrm_csv() -> bytes:
    """A CiviCRM contacts export: UTF-8, comma, every field quoted, organisations and individuals mixed."""
    rows = [
        CIVICRM_HEADER,
        # a person listed before her employer's own row
        [
            "101",
            "Individual",
            "",
            "",
            "Solartechnik Nord GmbH",
            "Käthe",
            "Müller",
            "Dr.",
            "Geschäftsführerin",
            "",
            "",
            "",
            "",
            "",
            "k.mueller@solar-nord.example",
            "+49 40 1234567",
            "",
        ],
        [
            "102",
            "Organization",
            "Sponsor",
            "Solartechnik Nord GmbH",
            "",
            "",
            "",
            "",
            "",
            "Hafenstraße 7",
            "Gebäude B",
            "20457",
            "Hamburg",
            "Germany",
            "info@solar-nord.example",
            "+49 40 1234560",
            "solar-nord.example",
        ],
        [
            "103",
            "Individual",
            "",
            "",
            "Solartechnik Nord GmbH",
            "Jan",
            "de Vries",
            "Mr.",
            "Vertrieb",
            "",
            "",
            "",
            "",
            "",
            "j.devries@solar-nord.example",
            "",
            "",
        ],
        # an organisation without any person: its general e-mail and phone are kept
        [
            "104",
            "Organization",
            "",
            "Windkraft Süd e. V.",
            "",
            "",
            "",
            "",
            "",
            "Bahnhofstr. 3",
            "",
            "79098",
            "Freiburg im Breisgau",
            "Germany",
            "kontakt@windkraft-sued.example",
            "+49 761 555123",
            "https://windkraft-sued.example",
        ],
        ["105", "Individual", "", "", "Windkraft Süd e.V.", "Lena", "Schmidt", "Ms.", "", "", "", "", "", "", "l.schmidt@windkraft-sued.example", "", ""],
        ["106", "Household", "", "", "", "", "", "", "", "", "", "", "", "", "familie@example.org", "", ""],
    ]
    buffer = io.StringIO(newline="")
    import csv

    csv.writer(buffer, delimiter=",", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


ACCESS_HEADER = ["Firma", "Anrede", "Titel", "Vorname", "Name", "Straße", "PLZ", "Ort", "Telefon", "E-Mail", "Mitglied seit", "Beitrag", "Bemerkung", "Land"]


def access_csv() -> bytes:
    """An export of an old Access database: Windows-1252, ';', dates with a midnight time, short years."""
    rows = [
        ACCESS_HEADER,
        [
            "Holzbau Köhler GmbH & Co. KG",
            "Herr",
            "Dr.",
            "Jörg",
            "Köhler",
            "Lindenallee 4",
            "48565",
            "Steinfurt",
            "02551 12345",
            "koehler@holzbau.example",
            "01.03.2015 00:00:00",
            "300",
            "Vorstand",
            "Deutschland",
        ],
        [
            "Metallbau Weiß",
            "Frau",
            "",
            "Ute",
            "Dr. Weiß",
            "Gartenweg 2",
            "48431",
            "Rheine",
            "05971 98765",
            "weiss@metallbau.example",
            "1.2.19",
            "150,00",
            "",
            "D",
        ],
        [
            "Kunststoff Ströer KG",
            "Frau Prof.",
            "",
            "Bärbel",
            "von Ströer",
            "Am Hafen 9",
            "49074",
            "Osnabrück",
            "",
            "stroeer@kunststoff.example",
            "2018-05-01",
            "",
            "",
            "",
        ],
    ]
    return csv_bytes(rows, delimiter=";", encoding="cp1252")


def read(content: bytes, name: str) -> imports.Table:
    return read_table(SimpleUploadedFile(name, content))


def plan_of(table: imports.Table, world, mapping: dict[str, int] | None = None) -> imports.ImportPlan:
    return plan_import(
        network=world.network_x,
        header=table.header,
        rows=table.rows,
        lines=table.lines,
        mapping=mapping if mapping is not None else suggest_mapping(table.header, table.rows),
        existing="add_contact",
    )


@pytest.fixture
def logged_in(client, manager_x):
    client.force_login(manager_x)
    return client


def mapping_post(job: BackgroundJob, **extra: str) -> dict[str, str]:
    return {"action": "map", **{f"col_{index}": key for key, index in job.params["mapping"].items()}, **extra}


# --- header row ----------------------------------------------------------------------------


def test_a_title_row_and_merged_group_headings_no_longer_cut_the_list_to_one_column():
    table = read(messy_xlsx(), "mitglieder.xlsx")
    assert table.header_line == 4
    assert table.header == HAND_HEADER
    assert len(table.rows) == 5 and table.lines[0] == 5
    assert table.rows[0][:2] == ["Müller GmbH", "Frau Dr. Käthe Müller"]
    # the rows above stay available for the choice "Kopfzeile in Zeile N"
    assert table.top_lines[:3] == [1, 3, 4]
    assert table.top[0][0] == "Mitgliederliste Netzwerk X Stand 2019"


def test_the_header_is_found_below_title_rows_in_a_csv():
    content = csv_bytes(
        [
            ["Mitgliederliste, Stand 2019"],
            [],
            ["Stammdaten", "", "", "Kontakt"],
            ["Name", "PLZ", "Ort", "E-Mail"],
            ["Alpha Neu GmbH", "48431", "Rheine", "a@b.example"],
        ]
    )
    table = read(content, "liste.csv")
    assert table.header == ["Name", "PLZ", "Ort", "E-Mail"]
    assert table.header_line == 4
    assert table.rows == [["Alpha Neu GmbH", "48431", "Rheine", "a@b.example"]]


def test_a_file_without_known_headings_takes_its_first_full_row():
    rows = [["Liste"], ["Spalte A", "Spalte B", "Spalte C"], ["x", "y", "z"]]
    assert detect_header(rows) == 1


def test_a_column_with_values_but_no_heading_is_kept_and_named():
    table = read(csv_bytes([["Firma", "Ort", ""], ["Alpha Neu", "Rheine", "wichtig"]]), "liste.csv")
    assert table.header == ["Firma", "Ort", "Spalte 3"]
    assert table.untitled == [2]
    assert table.rows == [["Alpha Neu", "Rheine", "wichtig"]]


def test_the_mapping_step_offers_the_header_row_and_re_splits(logged_in, world):
    response = upload(logged_in, messy_xlsx(), "mitglieder.xlsx")
    job = BackgroundJob.objects.get()
    page = logged_in.get(response.url)
    assert "Kopfzeile in Zeile" in page.text
    assert "Zeile 1: Mitgliederliste Netzwerk X Stand 2019" in page.text
    assert 'value="4" selected' in page.text
    # choosing the title row as header shows what that would mean: one named column, the rest without heading
    response = logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "header", "header_line": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.params["header_line"] == 1
    assert job.params["header"][0] == "Mitgliederliste Netzwerk X Stand 2019"
    assert len(job.params["header"]) == len(HAND_HEADER)  # not cut down to one column
    assert job.total == 7  # group headings, header and five rows are now data
    page = logged_in.get(io_url("import_mapping", pk=job.pk))
    assert "(ohne Überschrift)" in page.text
    # and back to row 4
    logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "header", "header_line": "4"})
    job.refresh_from_db()
    assert job.params["header"] == HAND_HEADER
    assert job.params["lines"] == [5, 6, 7, 8, 9]
    assert job.params["mapping"]["joined_on"] == 7


def test_a_header_row_without_data_below_is_refused_with_a_message(logged_in, world):
    upload(logged_in, messy_xlsx(), "mitglieder.xlsx")
    job = BackgroundJob.objects.get()
    last = job.params["top_lines"][-1]
    response = logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "header", "header_line": str(last)})
    assert response.status_code == 200
    assert "keine Datenzeilen" in response.text
    job.refresh_from_db()
    assert job.params["header_line"] == 4


def test_the_mapping_page_names_every_column_that_would_be_dropped(logged_in, world):
    upload(logged_in, civicrm_csv(), "civicrm.csv")
    job = BackgroundJob.objects.get()
    page = logged_in.get(io_url("import_mapping", pk=job.pk))
    assert 'id="dropped-columns"' in page.text
    dropped = page.context["dropped"]
    assert ("Contact ID", False) in dropped
    assert ("Contact Subtype", False) in dropped
    assert all(heading != "Organization Name" for heading, _untitled in dropped)
    # unmapping a column in a form with an error shows it among the dropped ones
    response = logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "map", "col_3": "", "col_14": "email"})
    assert response.status_code == 200
    assert "„Organization Name“" in response.text


# --- recognised column sets -------------------------------------------------------------------------


def test_a_civicrm_export_is_recognised():
    mapping = suggest_mapping(CIVICRM_HEADER)
    assert mapping == {
        "record_type": 1,
        "name": 3,
        "employer": 4,
        "first_name": 5,
        "last_name": 6,
        "salutation": 7,
        "function": 8,
        "street": 9,
        "street_extra": 10,
        "postcode": 11,
        "municipality": 12,
        "country": 13,
        "email": 14,
        "phone": 15,
        "website": 16,
    }


def test_a_german_hand_kept_list_is_recognised_with_name_as_the_last_name():
    mapping = suggest_mapping(ACCESS_HEADER)
    assert mapping == {
        "name": 0,
        "salutation": 1,
        "title": 2,
        "first_name": 3,
        "last_name": 4,
        "street": 5,
        "postcode": 6,
        "municipality": 7,
        "phone": 8,
        "email": 9,
        "joined_on": 10,
        "annual_fee": 11,
        "notes": 12,
        "country": 13,
    }


def test_land_is_the_state_when_its_values_are_german_states():
    header = ["Firma", "Land"]
    assert suggest_mapping(header, [["A", "Nordrhein-Westfalen"], ["B", "NRW"], ["C", "Bayern"]]) == {"name": 0, "state": 1}
    assert suggest_mapping(header, [["A", "Deutschland"], ["B", "Österreich"]]) == {"name": 0, "country": 1}
    assert suggest_mapping(["Firma", "Bundesland", "Land"]) == {"name": 0, "state": 1, "country": 2}


def test_civicrm_people_join_their_employer_and_organisations_keep_their_general_contact(world):
    table = read(civicrm_csv(), "civicrm.csv")
    plan = plan_of(table, world)
    assert plan.errors == []
    by_line = {row.line: row for row in plan.rows}
    kaethe, nord, jan, wind, lena, household = (by_line[line] for line in range(2, 8))
    # The person row comes first and creates the organisation, with the address of the organisation's own row.
    assert kaethe.organisation_action == "create"
    assert kaethe.organisation["name"] == "Solartechnik Nord GmbH"
    assert kaethe.organisation["street"] == "Hafenstraße 7, Gebäude B"
    assert kaethe.organisation["postcode"] == "20457"
    assert kaethe.organisation["website"] == "https://solar-nord.example"
    assert kaethe.organisation["country"] == ""  # Germany
    assert kaethe.contact == {
        "salutation": "",
        "title": "Dr.",
        "first_name": "Käthe",
        "last_name": "Müller",
        "function": "Geschäftsführerin",
        "email": "k.mueller@solar-nord.example",
        "phone": "+49 40 1234567",
    }
    assert (nord.organisation_action, nord.same_as_line) == ("same_as", 2)
    assert nord.general_contact
    assert nord.contact["last_name"] == "Zentrale" and nord.contact["email"] == "info@solar-nord.example"
    assert (jan.organisation_action, jan.same_as_line) == ("same_as", 2)
    assert (jan.contact["salutation"], jan.contact["first_name"], jan.contact["last_name"]) == ("mr", "Jan", "de Vries")
    assert wind.organisation_action == "create" and wind.general_contact
    assert wind.contact["phone"] == "+49 761 555123"
    # "Windkraft Süd e.V." (employer) and "Windkraft Süd e. V." are one organisation
    assert (lena.organisation_action, lena.same_as_line) == ("same_as", 5)
    assert household.organisation_action == "skip" and household.warnings


def test_a_person_without_employer_is_an_error_not_a_silent_organisation(world):
    rows = [CIVICRM_HEADER, ["201", "Individual", "", "", "", "Max", "Ohne", "", "", "", "", "", "", "", "max@example.org", "", ""]]
    table = read(csv_bytes(rows, delimiter=","), "civicrm.csv")
    plan = plan_of(table, world)
    assert [error.message for error in plan.errors] == ["Die Person hat keinen Arbeitgeber. Ohne Organisation kann sie nicht importiert werden."]


# --- membership fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "completed"),
    [
        ("15.03.2019", date(2019, 3, 15), ""),
        ("1.2.19", date(2019, 2, 1), ""),
        ("2019-01-01", date(2019, 1, 1), ""),
        ("2018-05-01 00:00:00", date(2018, 5, 1), ""),
        ("01.03.2015 00:00:00", date(2015, 3, 1), ""),
        ("43466", date(2019, 1, 1), ""),
        ("2019", date(2019, 1, 1), "year"),
        ("03.2019", date(2019, 3, 1), "month"),
    ],
)
def test_join_dates_are_read_in_the_forms_lists_use(value, expected, completed):
    parsed = parse_date(value)
    assert (parsed.value, parsed.completed) == (expected, completed)


@pytest.mark.parametrize("value", ["gestern", "31.02.2019", "12345678", "2019/13/01"])
def test_what_is_no_date_is_refused(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [("Deutschland", ""), ("Germany", ""), ("DE", ""), ("BRD", ""), ("AT", "Österreich"), ("Niederlande", "Niederlande"), ("Kanada", "Kanada")],
)
def test_germany_is_stored_as_empty_country_and_others_by_their_german_name(value, stored):
    assert normalise_country(value) == stored


def test_the_messy_xlsx_plans_join_dates_fees_notes_countries_and_one_mueller(world):
    table = read(messy_xlsx(), "mitglieder.xlsx")
    plan = plan_of(table, world)
    assert plan.errors == []
    mueller, mueller_kg, baeckerei, strassenbau, wien = plan.rows
    assert mueller.membership == {"annual_fee": Decimal("250"), "joined_on": date(2019, 3, 15), "notes": "Gründungsmitglied"}
    assert mueller.contact["salutation"] == "ms" and mueller.contact["title"] == "Dr."
    assert (mueller_kg.organisation_action, mueller_kg.same_as_line) == ("same_as", 5)
    assert "„Mueller GmbH & Co. KG“ und „Müller GmbH“ gelten als gleich." in mueller_kg.notes[0]
    assert (mueller_kg.contact["salutation"], mueller_kg.contact["title"], mueller_kg.contact["last_name"]) == ("mr", "Prof. Dr.-Ing.", "von der Heide")
    assert "joined_on" not in mueller_kg.membership  # an empty cell never becomes a date
    assert baeckerei.membership["joined_on"] == date(2017, 2, 1)
    assert baeckerei.membership["annual_fee"] == Decimal("120.50")
    assert strassenbau.membership["joined_on"] == date(2019, 1, 1)  # the Excel serial 43466
    assert strassenbau.contact["title"] == "Dipl.-Ing. (FH)" and strassenbau.contact["first_name"] == "Anna Maria"
    assert wien.membership["joined_on"] == date(2019, 1, 1)
    assert any("nur das Jahr angegeben" in warning for warning in wien.warnings)
    assert wien.organisation["country"] == "Österreich"
    assert wien.organisation["postcode"] == "" and wien.organisation["municipality"] == "1010 Wien"


def test_a_leaving_date_before_the_join_date_is_an_error(world):
    table = read(csv_bytes([["Firma", "Eintritt", "Austritt"], ["Alpha Neu", "01.01.2020", "01.01.2019"]]), "liste.csv")
    assert [error.message for error in plan_of(table, world).errors] == ["Der Austritt kann nicht vor dem Eintritt liegen."]


def test_an_unreadable_join_date_is_an_error_with_the_value(world):
    table = read(csv_bytes([["Firma", "Mitglied seit"], ["Alpha Neu", "seit Ewigkeiten"]]), "liste.csv")
    assert "„seit Ewigkeiten“ ist kein Datum" in plan_of(table, world).errors[0].message


# --- names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Frau Dr. Käthe Müller", ("ms", "Dr.", "Käthe", "Müller")),
        ("Herrn Prof. Dr.-Ing. Hans von der Heide", ("mr", "Prof. Dr.-Ing.", "Hans", "von der Heide")),
        ("Dipl.-Ing. Karl Meier", ("", "Dipl.-Ing.", "Karl", "Meier")),
        ("Dr. med. Lea van Dijk", ("", "Dr. med.", "Lea", "van Dijk")),
        ("Karl-Theodor zu Guttenberg", ("", "", "Karl-Theodor", "zu Guttenberg")),
        ("Müller, Käthe", ("", "", "Käthe", "Müller")),
        ("Müller, Frau Dr. Käthe", ("ms", "Dr.", "Käthe", "Müller")),
        ("Anna Maria de la Cruz", ("", "", "Anna Maria", "de la Cruz")),
        ("Hr. K. Schmidt", ("mr", "", "K.", "Schmidt")),
        ("Käthe Müller MBA", ("", "MBA", "Käthe", "Müller")),
        ("Yo-Yo Ma", ("", "", "Yo-Yo", "Ma")),
        ("Schmidt", ("", "", "", "Schmidt")),
    ],
)
def test_german_names_are_parsed_into_salutation_title_first_and_last_name(value, expected):
    name = parse_person_name(value)
    assert (name.salutation, name.title, name.first_name, name.last_name) == expected


def test_salutation_and_title_columns_win_and_titles_leave_the_name_columns(world):
    table = read(access_csv(), "access.csv")
    plan = plan_of(table, world)
    assert plan.errors == []
    koehler, weiss, stroeer = (row.contact for row in plan.rows)
    assert (koehler["salutation"], koehler["title"], koehler["first_name"], koehler["last_name"]) == ("mr", "Dr.", "Jörg", "Köhler")
    # "Dr. Weiß" in the Name column: the title moves out of the last name
    assert (weiss["salutation"], weiss["title"], weiss["first_name"], weiss["last_name"]) == ("ms", "Dr.", "Ute", "Weiß")
    # "Frau Prof." in the Anrede column brings the title along
    assert (stroeer["salutation"], stroeer["title"], stroeer["first_name"], stroeer["last_name"]) == ("ms", "Prof.", "Bärbel", "von Ströer")


def test_a_civicrm_prefix_dr_is_a_title_not_an_unknown_salutation(world):
    table = read(csv_bytes([["Firma", "Prefix", "First Name", "Last Name"], ["Alpha Neu", "Dr.", "Käthe", "Müller"]]), "x.csv")
    plan = plan_of(table, world)
    assert plan.errors == []
    assert (plan.rows[0].contact["salutation"], plan.rows[0].contact["title"]) == ("", "Dr.")


# --- duplicates ----------------------------------------------------------------------------------------


def test_an_organisation_of_the_network_is_found_in_another_spelling_at_the_same_postcode(world):
    table = read(csv_bytes([["Firma", "PLZ", "Nachname"], ["ALPHA GmbH & Co. KG", "48431", "Neu"], ["Alpha GmbH", "10115", "Berlin"]]), "x.csv")
    plan = plan_of(table, world)
    same, elsewhere = plan.rows
    assert same.organisation_action == "existing" and same.existing_organisation_id == world.org_a.pk
    assert "(in der Datei: „ALPHA GmbH & Co. KG“)" in same.notes[0]
    assert elsewhere.organisation_action == "create"  # same name, another town: another organisation


def test_planning_asks_the_database_a_fixed_number_of_times_whatever_the_rows(world, django_assert_max_num_queries):
    ErasureTombstone.objects.create(email_hash="0" * 64)
    rows = [["Firma", "PLZ", "Nachname", "E-Mail"]] + [[f"Firma {i} GmbH", "48431", f"Person {i}", f"p{i}@firma{i}.example"] for i in range(1500)]
    table = read(csv_bytes(rows), "x.csv")
    with django_assert_max_num_queries(8):
        plan = plan_of(table, world)
    assert plan.new_organisations == 1500


def test_an_erased_address_is_still_kept_out_with_the_tombstones_read_once(world):
    from members.privacy import _email_hash

    ErasureTombstone.objects.create(email_hash=_email_hash("weg@example.org"))
    table = read(csv_bytes([["Firma", "Nachname", "E-Mail"], ["Alpha Neu", "Weg", "WEG@example.org"]]), "x.csv")
    row = plan_of(table, world).rows[0]
    assert not row.create_contact
    assert "Löschvermerk" in row.notes[0]


# --- saved mappings ------------------------------------------------------------------------------------


def test_a_mapping_saved_in_the_mapping_step_is_applied_to_the_next_file_of_the_same_shape(logged_in, world, manager_x):
    content = csv_bytes([["Mitgliederliste"], ["Betrieb", "Wer", "Seit wann"], ["Alpha Neu", "Frau Käthe Müller", "2019"]])
    upload(logged_in, content, "eigene.csv")
    job = BackgroundJob.objects.get()
    assert job.params["header_line"] == 2
    form = {"action": "map", "col_0": "name", "col_1": "contact_name", "col_2": "joined_on", "save_as": "Unsere Excel-Liste"}
    response = logged_in.post(io_url("import_mapping", pk=job.pk), form)
    assert response.status_code == 302
    saved = ImportMapping.objects.get(network=world.network_x)
    assert (saved.name, saved.header_row, saved.header, saved.mapping) == (
        "Unsere Excel-Liste",
        2,
        ["Betrieb", "Wer", "Seit wann"],
        {"name": 0, "contact_name": 1, "joined_on": 2},
    )
    # the next file: the same headings, columns in another order
    upload(logged_in, csv_bytes([["Mitgliederliste 2020"], ["Seit wann", "Betrieb", "Wer"], ["2020", "Beta Neu", "Herr Jan Kurz"]]), "eigene2.csv")
    second = BackgroundJob.objects.latest("pk")
    assert second.params["mapping"] == {"joined_on": 0, "name": 1, "contact_name": 2}
    page = logged_in.get(io_url("import_mapping", pk=second.pk))
    assert "Die gespeicherte Zuordnung „Unsere Excel-Liste“ ist angewendet." in page.text


def test_a_saved_mapping_can_be_chosen_from_a_select(logged_in, world, manager_x):
    saved = import_mapping_save(network=world.network_x, by=manager_x, name="CiviCRM", header=["Org", "Mail"], header_row=1, mapping={"name": 0, "email": 1})
    upload(logged_in, csv_bytes([["Mail", "Org", "Notiz"], ["a@b.example", "Alpha Neu", "x"]]), "x.csv")
    job = BackgroundJob.objects.get()
    assert job.params["mapping"] == {"email": 0, "notes": 2}  # the suggestion: the header differs from the saved one
    page = logged_in.get(io_url("import_mapping", pk=job.pk))
    assert 'id="saved-mapping"' in page.text
    # applied by heading, wherever the column now is; "Notiz" is not in the saved mapping
    logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "saved", "saved": str(saved.pk)})
    job.refresh_from_db()
    assert job.params["mapping"] == {"email": 0, "name": 1}
    assert job.params["saved_mapping"] == "CiviCRM"


def test_saving_under_an_existing_name_replaces_the_mapping(world, manager_x):
    import_mapping_save(network=world.network_x, by=manager_x, name="Liste", header=["A"], header_row=1, mapping={"name": 0})
    import_mapping_save(network=world.network_x, by=manager_x, name=" Liste ", header=["B", "C"], header_row=3, mapping={"name": 1})
    saved = ImportMapping.objects.get()
    assert (saved.header, saved.header_row, saved.mapping) == (["B", "C"], 3, {"name": 1})


def test_another_networks_saved_mappings_are_neither_applied_nor_offered(client, world):
    manager_y = world.users["manager_y"]
    import_mapping_save(network=world.network_y, by=manager_y, name="Y-Liste", header=["Betrieb", "Wer"], header_row=1, mapping={"name": 0, "contact_name": 1})
    client.force_login(world.users["manager_x"])
    upload(client, csv_bytes([["Betrieb", "Wer"], ["Alpha Neu", "Käthe Müller"]]), "x.csv")
    job = BackgroundJob.objects.get()
    assert job.params["mapping"] == {"name": 0}
    page = client.get(io_url("import_mapping", pk=job.pk))
    assert "Y-Liste" not in page.text
    y_mapping = ImportMapping.objects.get()
    response = client.post(io_url("import_mapping", pk=job.pk), {"action": "saved", "saved": str(y_mapping.pk)})
    assert response.status_code == 200  # not a valid choice here
    job.refresh_from_db()
    assert job.params["mapping"] == {"name": 0}


# --- end to end ----------------------------------------------------------------------------------------


def confirm(client, job: BackgroundJob) -> BackgroundJob:
    response = client.get(io_url("import_preview", pk=job.pk))
    assert response.status_code == 200
    assert response.context["error_count"] == 0, response.context["errors"]
    client.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    return job


def test_the_messy_xlsx_is_imported_end_to_end_with_join_dates_titles_and_no_duplicates(logged_in, world):
    upload(logged_in, messy_xlsx(), "mitglieder.xlsx")
    job = BackgroundJob.objects.get()
    # the header choice round trip, then the suggested mapping
    logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "header", "header_line": "3"})
    logged_in.post(io_url("import_mapping", pk=job.pk), {"action": "header", "header_line": "4"})
    job.refresh_from_db()
    assert logged_in.post(io_url("import_mapping", pk=job.pk), mapping_post(job)).status_code == 302
    confirm(logged_in, job)
    mueller = Membership.objects.for_network(world.network_x).get(organisation__name="Müller GmbH")
    assert mueller.joined_on == date(2019, 3, 15)
    assert mueller.notes == "Gründungsmitglied"
    assert mueller.annual_fee == Decimal("250")
    assert not Organisation.objects.filter(name__startswith="Mueller").exists()
    kaethe = Contact.objects.get(email="k.mueller@mueller.example")
    assert (kaethe.salutation, kaethe.title, kaethe.first_name, kaethe.last_name) == ("ms", "Dr.", "Käthe", "Müller")
    assert kaethe.phone == "+49 5971 12345"
    assert mueller.organisation.contacts.count() == 2
    assert Membership.objects.get(organisation__name="Straßenbau Süd AG").joined_on == date(2019, 1, 1)
    wien = Organisation.objects.get(name="Wiener Werkstätten GmbH")
    assert (wien.country, wien.postcode, wien.municipality) == ("Österreich", "", "1010 Wien")


def test_the_civicrm_export_is_imported_end_to_end(logged_in, world):
    upload(logged_in, civicrm_csv(), "civicrm.csv")
    job = BackgroundJob.objects.get()
    assert logged_in.post(io_url("import_mapping", pk=job.pk), mapping_post(job)).status_code == 302
    confirm(logged_in, job)
    nord = Organisation.objects.get(name="Solartechnik Nord GmbH")
    assert (nord.street, nord.postcode, nord.municipality, nord.country) == ("Hafenstraße 7, Gebäude B", "20457", "Hamburg", "")
    assert sorted(nord.contacts.values_list("last_name", flat=True)) == ["Müller", "Zentrale", "de Vries"]
    assert nord.contacts.get(last_name="Zentrale").email == "info@solar-nord.example"
    # The general address comes first in the file, but the main contact is a person, never "Zentrale".
    assert not nord.contacts.get(last_name="Zentrale").is_primary
    assert nord.contacts.filter(is_primary=True).exclude(last_name="Zentrale").count() == 1
    assert Organisation.objects.filter(name__startswith="Windkraft").count() == 1
    assert not Contact.objects.filter(email="familie@example.org").exists()


def test_the_access_csv_is_imported_end_to_end(logged_in, world):
    upload(logged_in, access_csv(), "access.csv")
    job = BackgroundJob.objects.get()
    assert logged_in.post(io_url("import_mapping", pk=job.pk), mapping_post(job)).status_code == 302
    confirm(logged_in, job)
    koehler = Membership.objects.get(organisation__name="Holzbau Köhler GmbH & Co. KG")
    assert koehler.joined_on == date(2015, 3, 1)
    assert koehler.notes == "Vorstand"
    assert Membership.objects.get(organisation__name="Metallbau Weiß").joined_on == date(2019, 2, 1)
    assert Contact.objects.get(email="weiss@metallbau.example").title == "Dr."
    assert Membership.objects.get(organisation__name="Kunststoff Ströer KG").joined_on == date(2018, 5, 1)


def test_a_membership_without_a_join_date_in_the_file_does_not_join_today(logged_in, world):
    upload(logged_in, csv_bytes([["Firma", "PLZ"], ["Ohne Datum GmbH", "48431"]]), "x.csv")
    job = BackgroundJob.objects.get()
    logged_in.post(io_url("import_mapping", pk=job.pk), mapping_post(job))
    confirm(logged_in, job)
    assert Membership.objects.get(organisation__name="Ohne Datum GmbH").joined_on is None


def test_the_preview_names_values_taken_over_differently_from_the_file(logged_in, world):
    upload(logged_in, messy_xlsx(), "mitglieder.xlsx")
    job = BackgroundJob.objects.get()
    logged_in.post(io_url("import_mapping", pk=job.pk), mapping_post(job))
    page = logged_in.get(io_url("import_preview", pk=job.pk))
    assert 'id="warnings"' in page.text
    assert "Mitglied seit (Eintritt) „2019“: nur das Jahr angegeben – übernommen als 01.01.2019." in page.text
    assert "Die ausländische Postleitzahl „1010“ steht im Ort." in page.text


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        (["Firma", "Nachname"], ["Alpha Neu", "Müller, Käthe"], ("", "", "Käthe", "Müller")),
        (["Firma", "Anrede", "Nachname"], ["Alpha Neu", "Herrn", "Prof. Dr. Kurz"], ("mr", "Prof. Dr.", "", "Kurz")),
        (["Firma", "Anrede", "Vorname", "Nachname"], ["Alpha Neu", "Sehr geehrte Frau", "Frau Käthe", "Müller"], ("ms", "", "Käthe", "Müller")),
        (["Firma", "Titel", "Ansprechpartner"], ["Alpha Neu", "Dr", "Frau Prof. Dr. Käthe Müller"], ("ms", "Dr.", "Käthe", "Müller")),
    ],
)
def test_name_columns_are_cleaned_of_salutations_and_titles(world, header, cells, expected):
    table = read(csv_bytes([header, cells]), "x.csv")
    row = plan_of(table, world).rows[0]
    assert row.errors == []
    contact = row.contact
    assert (contact["salutation"], contact["title"], contact["first_name"], contact["last_name"]) == expected


def test_a_state_column_is_written_out_and_an_email_only_row_is_the_general_contact(world):
    table = read(csv_bytes([["Firma", "Land", "E-Mail"], ["Alpha Neu", "NRW", "info@alpha-neu.example"], ["Beta Neu", "Bayern", ""]]), "x.csv")
    first, second = plan_of(table, world).rows
    assert first.organisation["state"] == "Nordrhein-Westfalen" and "country" not in first.organisation
    assert first.general_contact and first.contact == {"last_name": "Zentrale", "function": "Allgemeiner Kontakt", "email": "info@alpha-neu.example"}
    assert second.contact is None and not second.create_contact


def test_the_general_address_never_becomes_the_main_contact_even_when_it_comes_first(logged_in, world):
    """An organisation row of a CiviCRM export ("Zentrale") before its people: the first person is the main contact."""
    blank = [""] * len(CIVICRM_HEADER)

    def row(**cells: str) -> list[str]:
        values = list(blank)
        for heading, value in cells.items():
            values[CIVICRM_HEADER.index(heading.replace("_", " "))] = value
        return values

    content = csv_bytes(
        [
            CIVICRM_HEADER,
            row(
                **{
                    "Contact_ID": "1",
                    "Contact_Type": "Organization",
                    "Organization_Name": "Zentral GmbH",
                    "Postal_Code": "48431",
                    "Email": "info@zentral.example",
                }
            ),
            row(
                **{
                    "Contact_ID": "2",
                    "Contact_Type": "Individual",
                    "Employer": "Zentral GmbH",
                    "First_Name": "Ina",
                    "Last_Name": "Erste",
                    "Email": "ina@zentral.example",
                }
            ),
        ],
        delimiter=",",
    )
    upload(logged_in, content, "civicrm.csv")
    job = BackgroundJob.objects.get()
    assert logged_in.post(io_url("import_mapping", pk=job.pk), mapping_post(job)).status_code == 302
    confirm(logged_in, job)
    organisation = Organisation.objects.get(name="Zentral GmbH")
    assert sorted(organisation.contacts.values_list("last_name", "is_primary")) == [("Erste", True), ("Zentrale", False)]


def test_a_new_organisation_sharing_a_domain_or_phone_with_a_member_is_named_as_a_possible_duplicate(world, manager_x):
    """ "Alpha Technik" is spelled too differently to be the same, but mails from alpha.example: a hint, nothing blocked."""
    contact_create(organisation=world.org_a, by=manager_x, data={"last_name": "Vertrieb", "email": "vertrieb@alpha.example", "phone": "05971 123456"})
    rows = [
        ["Firma", "PLZ", "Name", "E-Mail", "Telefon"],
        ["Alpha Technik Nord", "20457", "Ohm", "ohm@alpha.example", ""],
        ["Ganz Anders KG", "80331", "Volt", "volt@anders.example", "+49 5971 123456"],
        ["Freemail Handel", "10115", "Watt", "watt@gmail.com", ""],
    ]
    plan = plan_of(read(csv_bytes(rows), "liste.csv"), world)
    assert not plan.errors
    hints = {row.line: " ".join(row.warnings) for row in plan.rows}
    assert "Mögliche Dublette: „Alpha GmbH“ im Verbund hat dieselbe Domain (alpha.example)" in hints[2]
    assert "Mögliche Dublette: „Alpha GmbH“ im Verbund hat dieselbe Telefonnummer" in hints[3]
    assert "Dublette" not in hints[4]  # a free-mail domain says nothing
    assert [row.organisation_action for row in plan.rows] == ["create", "create", "create"]
