"""The qualification matrix as XLSX and PDF for the network's managers (qualification/views/exports.py)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from members.models import Membership, Organisation
from qualification.models import Need, Topic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_url(slug: str = "netz-x") -> str:
    return reverse("qualification:matrix_xlsx", args=[slug])


def pdf_url(slug: str = "netz-x") -> str:
    return reverse("qualification:matrix_pdf", args=[slug])


def need(world, organisation, topic, priority: int, head_count: int, **details) -> Need:
    return Need.objects.create(network=topic.network, organisation=organisation, topic=topic, priority=priority, head_count=head_count, **details)


@pytest.fixture
def matrix_x(world):
    """X: topics Führung, Gesundheit, Azubimarketing; A (Rheine) and B (Steinfurt) with needs. Y has a topic of its own."""
    t = {title: Topic.objects.create(network=world.network_x, title=title, position=i) for i, title in enumerate(["Führung", "Gesundheit", "Azubimarketing"])}
    need(world, world.org_a, t["Führung"], Need.Priority.URGENT, 4, preferred_format="in_house", target_group="Meister")
    need(world, world.org_a, t["Gesundheit"], Need.Priority.USEFUL, 2)
    need(world, world.org_b, t["Führung"], Need.Priority.IMPORTANT, 3, preferred_format="in_house")
    need(world, world.org_b, t["Azubimarketing"], Need.Priority.NONE, 7)  # "kein Bedarf": not counted
    theirs = Topic.objects.create(network=world.network_y, title="Fremdthema Y-CANARY")
    need(world, world.org_c, theirs, Need.Priority.URGENT, 9)
    return t


def download(client, user, url: str, **params):
    client.force_login(user)
    return client.get(url, params)


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="qualifizierungsmatrix-netz-x-')
    return load_workbook(io.BytesIO(response.content))


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


# --- XLSX -------------------------------------------------------------------------------


def test_the_workbook_has_the_matrix_with_totals_the_alignment_and_the_details(client, world, manager_x, matrix_x):
    book = workbook(download(client, manager_x, xlsx_url()))
    assert book.sheetnames == ["Matrix", "Verbundabstimmung", "Bedarfe", "Filter"]
    rows = values(book["Matrix"])
    assert rows[0] == ["Organisation", "Ort", "Führung", "Gesundheit", "Azubimarketing", "Bedarfe", "Personen"]
    assert rows[1] == ["Alpha GmbH", "Rheine", "dringend · 4", "sinnvoll · 2", None, 2, 6]
    assert rows[2] == ["Beta KG", "Steinfurt", "wichtig · 3", None, None, 1, 3]  # "kein Bedarf" is left empty and not counted
    assert rows[3][0] == "Summe Bedarfe (Organisationen)" and rows[3][2:6] == [2, 1, 0, 3]
    assert rows[4][0] == "Summe Personen" and rows[4][2:5] == [7, 2, 0] and rows[4][6] == 9
    assert book["Matrix"]["C2"].fill.fgColor.rgb.endswith("555555")  # urgent is the darkest shade
    alignment = {row[0]: row for row in values(book["Verbundabstimmung"])[1:]}
    assert list(alignment) == ["Führung", "Gesundheit", "Azubimarketing"]  # by weighted priority
    assert alignment["Führung"][1:4] == [2, 7, 5]  # organisations, people, weighted priority (3 + 2)
    assert alignment["Führung"][4] == "Inhouse-Schulung: 2" and alignment["Führung"][6] == "nein"
    details = values(book["Bedarfe"])
    assert details[0][:4] == ["Organisation", "Thema", "Priorität", "Anzahl Personen"]
    assert ["Alpha GmbH", "Führung", "dringend", 4, "Meister", "Inhouse-Schulung"] == details[1][:6]
    assert len(details) == 1 + 3
    assert "Netzwerk X" in values(book["Filter"])[0][0]
    assert "Y-CANARY" not in str([values(book[name]) for name in book.sheetnames])


def test_a_formula_looking_name_stays_text(client, world, manager_x, matrix_x):
    evil = Organisation.objects.create(name='=HYPERLINK("http://evil.example","klick")', municipality="+49 Ort")
    Membership.objects.create(organisation=evil, network=world.network_x)
    need(world, evil, matrix_x["Führung"], Need.Priority.URGENT, 1)
    Topic.objects.create(network=world.network_x, title="@SUMME(A1)", position=9)
    book = workbook(download(client, manager_x, xlsx_url()))
    sheet = book["Matrix"]
    # Text as written, no apostrophe: a typed string cell with Excel's quote-prefix flag.
    assert sheet["A2"].value == evil.name and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert sheet["B2"].value == "+49 Ort" and sheet["B2"].quotePrefix
    assert "@SUMME(A1)" in values(sheet)[0]
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            assert all(c.data_type != "f" for c in row), f"a formula on sheet {name}"


def test_the_filters_of_the_heat_map_apply_to_the_workbook(client, world, manager_x, matrix_x):
    t = matrix_x
    book = workbook(download(client, manager_x, xlsx_url(), topic=[t["Führung"].pk, t["Azubimarketing"].pk], min_priority=3, municipality="Rheine"))
    rows = values(book["Matrix"])
    assert rows[0] == ["Organisation", "Ort", "Führung", "Azubimarketing", "Bedarfe", "Personen"]
    assert rows[1] == ["Alpha GmbH", "Rheine", "dringend · 4", None, 1, 4]
    assert len(rows) == 1 + 1 + 2
    described = [row[0] for row in values(book["Filter"])]
    assert "Zählen ab Priorität: dringend" in described and "Ort: Rheine" in described and "Themen: Führung, Azubimarketing" in described

    rows = values(workbook(download(client, manager_x, xlsx_url(), q="beta", min_priority=2)).active)
    assert [row[0] for row in rows[1:-2]] == ["Beta KG"] and rows[1][2] == "wichtig · 3"

    Organisation.objects.create(name="Ohne Bedarf GmbH")
    Membership.objects.create(organisation=Organisation.objects.get(name="Ohne Bedarf GmbH"), network=world.network_x)
    names = [row[0] for row in values(workbook(download(client, manager_x, xlsx_url())).active)[1:-2]]
    assert "Ohne Bedarf GmbH" in names
    names = [row[0] for row in values(workbook(download(client, manager_x, xlsx_url(), only_with_need="1")).active)[1:-2]]
    assert names == ["Alpha GmbH", "Beta KG"]


def test_bad_filter_values_are_ignored_not_an_error(client, world, manager_x, matrix_x):
    plain = values(workbook(download(client, manager_x, xlsx_url())).active)
    for params in (
        {"min_priority": "abc"},
        {"topic": "xyz"},
        {"min_priority": "0", "topic": ["-1", "１"]},
        {"min_priority": "7", "only_with_need": "0"},
        {"min_priority": "99999999999999999999"},
    ):
        assert values(workbook(download(client, manager_x, xlsx_url(), **params)).active) == plain, params
        assert download(client, manager_x, pdf_url(), **params).status_code == 200
    # Another network's topic, a place where no member is: dropped like on the heat map; the other filters still apply.
    theirs = Topic.objects.get(network=world.network_y)
    assert values(workbook(download(client, manager_x, xlsx_url(), topic=theirs.pk)).active) == plain
    rows = values(workbook(download(client, manager_x, xlsx_url(), topic=theirs.pk, municipality="Ibbenbüren", q="alpha")).active)
    assert [row[0] for row in rows[1:-2]] == ["Alpha GmbH"] and rows[0][2:5] == ["Führung", "Gesundheit", "Azubimarketing"]


# --- PDF --------------------------------------------------------------------------------


def test_the_pdf_shows_network_filters_matrix_totals_and_alignment(client, world, manager_x, matrix_x):
    pages = pdf_pages(download(client, manager_x, pdf_url(), min_priority=2))
    text = "\n".join(pages)
    assert "Qualifizierungsmatrix – Netzwerk X" in text
    assert "Zählen ab Priorität: wichtig" in text
    for title in ("Führung", "Gesundheit", "Azubimarketing"):
        assert title in text
    assert "Alpha GmbH" in text and "Beta KG" in text
    assert "dringend" in text and "wichtig" in text
    assert "Summe Personen" in text and "Verbundabstimmung" in text
    assert "Inhouse-Schulung: 2" in text  # the alignment's preferred formats
    assert f"Seite 1 von {len(pages)}" in pages[0]
    assert "Y-CANARY" not in text


def test_outsiders_get_404_and_anonymous_the_login(client, world, matrix_x):
    for url in (xlsx_url(), pdf_url()):
        for persona in ("manager_y", "member_a_x", "staff"):
            client.force_login(world.users[persona])
            assert client.get(url).status_code == 404, persona
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(world.users["manager_y"])
    assert client.get(xlsx_url("netz-y")).status_code == 200


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_big_matrix_is_exported_in_a_constant_number_of_queries_and_sane_pages(
    client,
    world,
    manager_x,
    matrix_x,
    django_assert_max_num_queries,
    monkeypatch,
):
    from qualification import exports

    monkeypatch.setattr(exports, "INLINE_PDF_CELLS", 10**9)  # rendered in the request here; the job path is tested below
    client.force_login(manager_x)
    small = {url: queries_for(client, url) for url in (xlsx_url(), pdf_url())}
    assert max(small.values()) <= 12
    build_big_matrix(world)  # only now: the counts above are of the three-topic matrix
    responses = {}
    for url, count in small.items():
        with django_assert_max_num_queries(count):
            responses[url] = client.get(url)
    book = workbook(responses[xlsx_url()])
    rows = values(book["Matrix"])
    assert len(rows) == 1 + 202 + 2 and len(rows[0]) == 2 + 43 + 2
    assert rows[-1][-1] == sum(row[-1] for row in rows[1:-2])  # the grand total is the sum of the row totals
    pages = pdf_pages(responses[pdf_url()])
    # 4 blocks of at most 12 topics, each 6 to 7 pages of 202 rows, then the alignment
    assert 16 <= len(pages) <= 36
    text = "\n".join(pages)
    assert "Themen 1–12 von 43" in text and "Themen 37–43 von 43" in text
    assert "Betrieb 199" in text and "Thema Nummer 39" in text
    assert f"Seite {len(pages)} von {len(pages)}" in pages[-1]


def build_big_matrix(world) -> None:
    """200 organisations × 40 topics more, every third cell a need."""
    topics = Topic.objects.bulk_create([Topic(network=world.network_x, title=f"Thema Nummer {i:02d}", position=10 + i) for i in range(40)])
    orgs = Organisation.objects.bulk_create([Organisation(name=f"Betrieb {i:03d}", municipality="Emsdetten") for i in range(200)])
    Membership.objects.bulk_create([Membership(organisation=o, network=world.network_x) for o in orgs])
    Need.objects.bulk_create(
        [
            Need(network=world.network_x, organisation=o, topic=t, priority=1 + i % 3, head_count=(i * j) % 7, preferred_format="seminar")
            for i, o in enumerate(orgs)
            for j, t in enumerate(topics)
            if (i + j) % 3 == 0
        ]
    )


def test_a_large_matrix_pdf_is_written_in_the_background(
    client,
    world,
    manager_x,
    matrix_x,
    monkeypatch,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    from qualification import exports
    from verbund.celery import app
    from verbund.models import BackgroundJob

    monkeypatch.setattr(exports, "INLINE_PDF_CELLS", 1)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    client.force_login(manager_x)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(pdf_url(), {"municipality": "Rheine"})
    finally:
        app.conf.task_always_eager = eager
    job = BackgroundJob.objects.get(user=manager_x, network=world.network_x)
    assert response.status_code == 302 and response["Location"] == reverse("io:job_detail", args=["netz-x", job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.params["query"] == {"municipality": ["Rheine"]}
    exports.matrix_pdf_run(job_id=job.pk)  # a redelivered task does nothing
    download = client.get(reverse("io:job_download", args=["netz-x", job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages)
    assert "Alpha GmbH" in text and "Beta KG" not in text  # the page's filter went along
    assert "Y-CANARY" not in text
    # Another manager of the network cannot fetch this manager's file.
    client.force_login(world.users["manager_xy"])
    assert client.get(reverse("io:job_download", args=["netz-x", job.pk])).status_code == 404
