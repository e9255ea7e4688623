"""The write side of the import: bulk writes with join dates, the batch it leaves, its job page, undo, valid rows only."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from members import imports, tasks
from members.imports.planning import ImportPlan, PlannedRow
from members.matching import fold, organisation_key
from members.models import Consent, Contact, ContactExit, Membership, MembershipStatusChange, Organisation
from members.services import consent_grant, contact_create
from tests.members.test_import_support import HEADER, csv_bytes, io_url, member_row, upload_to_preview
from verbund.background import job_enqueue, threads_join
from verbund.models import BackgroundJob


@pytest.fixture
def logged_in(client, manager_x):
    client.force_login(manager_x)
    return client


def planned(
    line: int, name: str, postcode: str = "48431", *, membership=None, contact=None, action: str = "create", same_as_line=None, **organisation
) -> PlannedRow:
    return PlannedRow(
        line=line,
        organisation={"name": name, "postcode": postcode, **organisation},
        membership=membership or {},
        contact=contact,
        create_contact=contact is not None,
        organisation_action=action,
        same_as_line=same_as_line,
    )


def person(last: str, email: str = "") -> dict:
    return {"first_name": "Eva", "last_name": last, "email": email or f"{last.lower()}@example.org", "phone": "+49 5971 123456"}


def import_job(world, manager, **params) -> BackgroundJob:
    return BackgroundJob.objects.create(
        user=manager, network=world.network_x, kind=BackgroundJob.Kind.IMPORT, title="Import: t.csv", status=BackgroundJob.Status.RUNNING, params=params
    )


def finish(job: BackgroundJob, *, days_ago: int = 0) -> BackgroundJob:
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.DONE, finished_at=timezone.now() - timedelta(days=days_ago))
    job.refresh_from_db()
    return job


# --- what a row becomes -------------------------------------------------------------------


def test_a_membership_keeps_the_join_date_status_fee_and_notes_of_its_row_and_the_organisation_its_country(world, manager_x):
    job = import_job(world, manager_x)
    plan = ImportPlan(
        [
            planned(
                2,
                "Seit 2019 GmbH",
                country="Niederlande",
                membership={
                    "joined_on": date(2019, 3, 1),
                    "status": "paused",
                    "role": "supplier",
                    "annual_fee": Decimal("250.00"),
                    "notes": "Gründungsmitglied",
                },
            ),
            planned(3, "Ausgetreten KG", "48565", membership={"joined_on": date(2015, 1, 1), "left_on": date(2023, 12, 31), "status": "left"}),
        ]
    )
    imports.import_write(plan=plan, network=world.network_x, by=manager_x, job=job)
    first = Membership.objects.get(organisation__name="Seit 2019 GmbH")
    assert (first.joined_on, first.status, first.role, first.annual_fee, first.notes) == (
        date(2019, 3, 1),
        "paused",
        "supplier",
        Decimal("250.00"),
        "Gründungsmitglied",
    )
    assert first.organisation.country == "Niederlande"
    assert list(first.status_changes.values_list("to_status", "effective_on")) == [("paused", date(2019, 3, 1))]
    left = Membership.objects.get(organisation__name="Ausgetreten KG")
    assert (left.joined_on, left.left_on) == (date(2015, 1, 1), date(2023, 12, 31))
    steps = MembershipStatusChange.objects.filter(membership=left).order_by("effective_on")
    assert [(s.from_status, s.to_status, s.effective_on) for s in steps] == [("", "active", date(2015, 1, 1)), ("active", "left", date(2023, 12, 31))]


def test_without_a_join_date_the_membership_stays_without_one_and_the_preview_says_so(logged_in, world):
    # Before: every imported membership "joined today". Now the file's silence stays visible.
    job = upload_to_preview(logged_in, csv_bytes([HEADER, member_row("Ohne Datum GmbH")]))
    preview = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "Eintritt unbekannt" in preview.text
    assert "nicht mit dem heutigen Datum" in preview.text
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    membership = Membership.objects.get(organisation__name="Ohne Datum GmbH")
    assert membership.joined_on is None
    change = membership.status_changes.get()
    assert change.effective_on == timezone.localdate()  # the day it was recorded; the membership's own date stays empty
    assert "Eintritt unbekannt" in change.note
    page = logged_in.get(io_url("job_detail", pk=job.pk))
    assert "Eintritt unbekannt" in page.text


def test_the_folded_search_columns_are_written_with_the_rows(world, manager_x):
    imports.import_write(plan=ImportPlan([planned(2, "Müller GmbH & Co. KG", municipality="Höxter")]), network=world.network_x, by=manager_x)
    organisation = Organisation.objects.get(name="Müller GmbH & Co. KG")
    assert organisation.search_name == fold("Müller GmbH & Co. KG")
    assert organisation_key("Müller GmbH & Co. KG") in organisation.search_text
    assert "hoexter" in organisation.search_text


def test_history_names_the_importing_user_for_every_record(world, manager_x):
    imports.import_write(plan=ImportPlan([planned(2, "Historie AG", contact=person("Alt"))]), network=world.network_x, by=manager_x)
    membership = Membership.objects.get(organisation__name="Historie AG")
    contact = Contact.objects.get(last_name="Alt")
    for record in (membership.organisation.history.get(), membership.history.get(), contact.history.get()):
        assert record.history_user == manager_x
        assert record.history_type == "+"


def test_the_number_of_queries_does_not_grow_with_the_rows(world, manager_x, django_assert_max_num_queries):
    rows = [planned(line, f"Firma {line} GmbH", contact=person(f"Person{line}")) for line in range(2, 602)]
    with django_assert_max_num_queries(60):  # three chunks of bulk inserts; through the services it was ~15 queries a row
        result = imports.import_write(plan=ImportPlan(rows), network=world.network_x, by=manager_x)
    assert (result.organisations, result.contacts) == (600, 600)
    assert Membership.objects.for_network(world.network_x).count() == 602


def test_primary_contacts_are_decided_across_chunks_and_respect_existing_ones(world, manager_x, monkeypatch):
    monkeypatch.setattr(imports.jobs, "CHUNK_ROWS", 2)
    empty = Organisation.objects.create(name="Leer GmbH", postcode="48000")
    Membership.objects.create(organisation=empty, network=world.network_x)
    plan = ImportPlan(
        [
            planned(2, "Neu GmbH", contact=person("Erste")),
            planned(3, "Anders AG", "48565"),
            planned(4, "Neu GmbH", contact=person("Zweite"), action="same_as", same_as_line=2),  # the next chunk
            PlannedRow(
                line=5,
                organisation={"name": "Alpha GmbH"},
                contact=person("Neu"),
                create_contact=True,
                organisation_action="existing",
                existing_organisation_id=world.org_a.pk,
            ),
            PlannedRow(
                line=6,
                organisation={"name": "Leer GmbH"},
                contact=person("Leer"),
                create_contact=True,
                organisation_action="existing",
                existing_organisation_id=empty.pk,
            ),
            PlannedRow(
                line=7,
                organisation={"name": "Leer GmbH"},
                contact=person("Leer2"),
                create_contact=True,
                organisation_action="existing",
                existing_organisation_id=empty.pk,
            ),
        ]
    )
    imports.import_write(plan=plan, network=world.network_x, by=manager_x)
    neu = Organisation.objects.get(name="Neu GmbH")
    assert dict(neu.contacts.values_list("last_name", "is_primary")) == {"Erste": True, "Zweite": False}
    assert not Contact.objects.get(last_name="Neu").is_primary  # Alpha has its primary contact
    assert dict(empty.contacts.values_list("last_name", "is_primary")) == {"Leer": True, "Leer2": False}


def test_an_organisation_that_left_the_network_since_the_preview_fails_its_row(world, manager_x):
    row = PlannedRow(
        line=9,
        organisation={"name": "Gamma AG"},
        contact=person("Weg"),
        create_contact=True,
        organisation_action="existing",
        existing_organisation_id=world.org_c.pk,
    )
    with pytest.raises(imports.ImportRowFailed) as failed:
        imports.import_write(plan=ImportPlan([planned(2, "Vorher GmbH"), row]), network=world.network_x, by=manager_x)
    assert failed.value.line == 9
    assert not Organisation.objects.filter(name="Vorher GmbH").exists()


# --- the batch and its page -----------------------------------------------------------------


def test_every_membership_and_contact_written_belongs_to_the_batch(logged_in, world):
    rows = [HEADER, member_row("Batch Eins GmbH"), member_row("Alpha GmbH", "48431", last="Dazu", email="dazu@alpha.example")]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert list(Membership.objects.filter(import_job=job).values_list("organisation__name", flat=True)) == ["Batch Eins GmbH"]
    assert sorted(Contact.objects.filter(import_job=job).values_list("last_name", flat=True)) == ["Dazu", "Muster"]
    assert not Membership.objects.filter(organisation=world.org_a, import_job=job).exists()


def test_the_job_page_lists_what_the_import_created_and_added_paginated(logged_in, world):
    rows = [HEADER] + [member_row(f"Seite {i:02d} GmbH", f"48{i:03d}", last=f"P{i}") for i in range(60)]
    rows.append(member_row("Alpha GmbH", "48431", last="Ergänzt", email="ergaenzt@alpha.example"))
    job = upload_to_preview(logged_in, csv_bytes(rows))
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    page = logged_in.get(io_url("job_detail", pk=job.pk))
    assert "60 neu angelegte Organisationen" in page.text
    assert "Seite 00 GmbH" in page.text and "Seite 55 GmbH" not in page.text
    first = Membership.objects.get(organisation__name="Seite 00 GmbH")
    assert f'href="/manage/netz-x/organisations/{first.organisation_id}/"' in page.text
    assert "1 Kontaktperson bei vorhandenen Organisationen ergänzt" in page.text
    assert "Ergänzt" in page.text and "Alpha GmbH" in page.text
    assert "?page=2" in page.text
    second = logged_in.get(io_url("job_detail", pk=job.pk), {"page": 2})
    assert "Seite 55 GmbH" in second.text and "Seite 00 GmbH" not in second.text
    assert "Import rückgängig machen" in page.text
    directory = logged_in.get(f"/manage/netz-x/organisations/?import={job.pk}")
    assert f'href="/manage/netz-x/organisations/?import={job.pk}"' in page.text
    assert "Seite 00 GmbH" in directory.text and "Beta KG" not in directory.text


# --- undo ---------------------------------------------------------------------------------------


@pytest.fixture
def imported(logged_in, world):
    rows = [
        HEADER,
        member_row("Undo Eins GmbH", last="Eins"),
        member_row("Undo Zwei KG", "48565", last="Zwei"),
        member_row("Alpha GmbH", "48431", last="Extra", email="extra@alpha.example"),
    ]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    return job


def test_undo_asks_first_with_counts_then_moves_the_batch_to_the_trash(logged_in, world, manager_x, imported):
    confirm = logged_in.get(io_url("import_undo", pk=imported.pk))
    assert confirm.status_code == 200
    assert '<dd id="undo-memberships">2</dd>' in confirm.text
    assert '<dd id="undo-contacts">3</dd>' in confirm.text
    assert '<dd id="undo-blocked">0</dd>' in confirm.text
    assert Membership.objects.filter(import_job=imported, archived_at__isnull=True).count() == 2  # asking changed nothing

    response = logged_in.post(io_url("import_undo", pk=imported.pk), follow=True)
    assert "2 Organisationen und 3 Kontaktpersonen des Imports liegen jetzt im Papierkorb" in response.text
    for membership in Membership.objects.filter(import_job=imported):
        assert membership.archived_at is not None and membership.archived_by == manager_x
        assert membership.history.first().history_user == manager_x
    assert not Contact.objects.filter(import_job=imported, archived_at__isnull=True).exists()
    assert Contact.objects.get(last_name="Extra").organisation == world.org_a  # Alpha itself stays, only the added person goes
    assert Membership.objects.get(organisation=world.org_a).archived_at is None
    directory = logged_in.get("/manage/netz-x/organisations/")
    assert "Undo Eins GmbH" not in directory.text and "Alpha GmbH" in directory.text
    trash = logged_in.get("/manage/netz-x/trash/")
    assert "Undo Eins GmbH" in trash.text
    assert "wurde am" in response.text and "rückgängig gemacht" in response.text
    # Once is enough: a second undo is refused and changes nothing.
    again = logged_in.post(io_url("import_undo", pk=imported.pk), follow=True)
    assert "Dieser Import wurde bereits rückgängig gemacht." in again.text


def test_undo_leaves_what_others_now_depend_on_and_says_why(logged_in, world, manager_x, imported):
    eins = Contact.objects.get(last_name="Eins")
    consent_grant(contact=eins, network=world.network_x, purpose=Consent.Purpose.NEWSLETTER, source=Consent.Source.EMAIL, by=manager_x)
    zwei = Organisation.objects.get(name="Undo Zwei KG")
    contact_create(organisation=zwei, by=manager_x, data={"last_name": "Später"})
    confirm = logged_in.get(io_url("import_undo", pk=imported.pk))
    assert '<dd id="undo-memberships">0</dd>' in confirm.text
    assert '<dd id="undo-contacts">1</dd>' in confirm.text  # only the person added to Alpha
    assert "Was nicht rückgängig gemacht werden kann" in confirm.text
    assert "Einwilligungen" in confirm.text
    assert "später ergänzte Kontaktpersonen" in confirm.text
    logged_in.post(io_url("import_undo", pk=imported.pk))
    assert Membership.objects.filter(import_job=imported, archived_at__isnull=True).count() == 2
    eins.refresh_from_db()
    assert eins.archived_at is None
    assert Contact.objects.get(last_name="Extra").archived_at is not None


def test_a_contact_with_a_login_is_not_undone(world, manager_x, imported):
    contact = Contact.objects.get(last_name="Extra")
    Contact.objects.filter(pk=contact.pk).update(user=world.users["manager_y"])
    plan = imports.import_undo_plan(imported)
    assert contact.pk not in plan.contacts
    assert ("Eva Extra", "Zugang zum Portal") in plan.blocked or any("Zugang zum Portal" in reason for _name, reason in plan.blocked)


def test_undo_after_thirty_days_is_refused_and_says_so(logged_in, world, imported):
    BackgroundJob.objects.filter(pk=imported.pk).update(finished_at=timezone.now() - timedelta(days=31))
    page = logged_in.get(io_url("job_detail", pk=imported.pk))
    assert "mehr als 30 Tage zurück" in page.text
    confirm = logged_in.get(io_url("import_undo", pk=imported.pk))
    assert "kann nicht mehr rückgängig gemacht werden" in confirm.text
    assert 'type="submit">Import rückgängig machen' not in confirm.text
    logged_in.post(io_url("import_undo", pk=imported.pk))
    assert Membership.objects.filter(import_job=imported, archived_at__isnull=True).count() == 2


def test_another_manager_of_the_network_cannot_undo_the_import(client, world, imported):
    client.force_login(world.users["manager_xy"])
    assert client.get(io_url("import_undo", pk=imported.pk)).status_code == 404
    assert client.post(io_url("import_undo", pk=imported.pk)).status_code == 404
    assert Membership.objects.filter(import_job=imported, archived_at__isnull=True).count() == 2


# --- only the valid rows ------------------------------------------------------------------------


def test_valid_rows_only_imports_them_and_hands_back_the_others_as_xlsx_with_an_error_column(logged_in, world):
    rows = [
        HEADER,
        member_row("Gültig GmbH"),
        member_row("Falsche PLZ GmbH", "123", last="Plz"),
        member_row("Formel KG", "48565", last="=HYPERLINK(1)"),
        member_row("Auch Gültig AG", "48566", last="Gut"),
    ]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    preview = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "Nur gültige Zeilen importieren" in preview.text
    assert "2 gültige Zeilen werden importiert" in preview.text
    # All or nothing stays the default: without the option nothing is written.
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert not Organisation.objects.filter(name="Gültig GmbH").exists()

    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact", "valid_only": "on"})
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert set(Membership.objects.filter(import_job=job).values_list("organisation__name", flat=True)) == {"Gültig GmbH", "Auch Gültig AG"}
    assert "2 Zeilen mit Fehlern wurden nicht importiert" in job.message
    assert job.result_file
    page = logged_in.get(io_url("job_detail", pk=job.pk))
    assert "Nicht importierte Zeilen herunterladen" in page.text
    download = logged_in.get(io_url("job_download", pk=job.pk))
    assert download.status_code == 200
    assert "mitglieder-nicht-importiert.xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Zeile", *HEADER, "Fehler"]
    assert [row[0] for row in values[1:]] == [3, 4]
    assert values[1][1] == "Falsche PLZ GmbH" and "fünfstellige Postleitzahl" in values[1][-1]
    assert "Tabellenformel" in values[2][-1]
    formula_cell = sheet.cell(row=3, column=1 + HEADER.index("Nachname") + 1)
    assert formula_cell.data_type == "s"  # handed back as text, never as a formula


def test_valid_rows_only_with_no_valid_row_is_refused(logged_in, world):
    job = upload_to_preview(logged_in, csv_bytes([HEADER, member_row("Kaputt GmbH", "1")]))
    preview = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "Nur gültige Zeilen importieren" not in preview.text
    response = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact", "valid_only": "on"}, follow=True)
    assert "Keine Zeile ist fehlerfrei" in response.text
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.PENDING


def test_the_rejected_rows_file_goes_with_housekeeping_and_with_the_job(world, manager_x):
    old = BackgroundJob.objects.create(
        user=manager_x,
        network=world.network_x,
        kind="import",
        status="done",
        title="Import",
        message="3 Organisationen",
        finished_at=timezone.now() - timedelta(days=8),
    )
    old.result_file.save("alt.xlsx", ContentFile(b"x"), save=True)
    path = old.result_file.path
    assert tasks.delete_old_export_files() == 1
    old.refresh_from_db()
    assert old.result_file.name == "" and old.message == "3 Organisationen"  # the import's summary stays
    import os

    assert not os.path.exists(path)
    recent = BackgroundJob.objects.create(user=manager_x, network=world.network_x, kind="import", status="done", title="Import", finished_at=timezone.now())
    recent.result_file.save("neu.xlsx", ContentFile(b"x"), save=True)
    path = recent.result_file.path
    recent.delete()
    assert not os.path.exists(path)


# --- progress ---------------------------------------------------------------------------------


def test_progress_of_a_running_import_reaches_the_job_page_through_the_cache(logged_in, world, manager_x):
    job = BackgroundJob.objects.create(
        user=manager_x, network=world.network_x, kind="import", title="Import: gross.csv", status="running", total=400, params={"confirmed": True}
    )
    with imports.jobs._ProgressWriter(job) as report:
        report(300)
    assert imports.job_progress(job) == 300
    page = logged_in.get(io_url("job_detail", pk=job.pk))
    assert "300 von 400 Zeilen" in page.text
    assert 'value="75"' in page.text
    assert '<noscript><meta http-equiv="refresh"' in page.text  # without JavaScript the page reloads itself


# --- the embedded default: the import runs in a thread, the request returns -----------------------


@pytest.fixture
def eager_celery():
    from verbund.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
def test_on_the_embedded_default_the_confirm_returns_at_once_and_the_page_shows_progress(client, world, manager_x, settings, monkeypatch, eager_celery):
    # Before: the confirm request wrote the whole import itself while its message said "läuft im Hintergrund".
    settings.BACKGROUND_THREADS = True
    monkeypatch.setattr(imports, "INLINE_IMPORT_ROWS", 2)
    monkeypatch.setattr(imports.jobs, "CHUNK_ROWS", 2)
    reached, release = threading.Event(), threading.Event()
    real_write = imports.jobs._BatchWriter.write
    chunks: list[int] = []

    def held_at_the_second_chunk(self, rows):
        chunks.append(len(rows))
        if len(chunks) == 2:
            reached.set()
            release.wait(10)
        return real_write(self, rows)

    monkeypatch.setattr(imports.jobs._BatchWriter, "write", held_at_the_second_chunk)
    if connection.vendor == "sqlite":
        # The embedded default is a file in WAL mode, where readers never wait for the writer; the in-memory test
        # database shares one cache with table locks instead, so this reader must not wait for the open import.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")
    client.force_login(manager_x)
    rows = [HEADER, member_row("Faden Eins GmbH"), member_row("Faden Zwei KG", "48565", last="Zwei"), member_row("Faden Drei AG", "49477", last="Drei")]
    job = upload_to_preview(client, csv_bytes(rows))
    try:
        response = client.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
        assert response.status_code == 302
        assert reached.wait(10), "the import never started"
        job.refresh_from_db()
        assert job.status == BackgroundJob.Status.RUNNING  # the request has returned; the import is still being written
        page = client.get(io_url("job_detail", pk=job.pk))
        assert "2 von 3 Zeilen" in page.text  # the first chunk, reported through the cache
        assert 'hx-trigger="every 1s"' in page.text
    finally:
        release.set()
        threads_join(30)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 0")
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert Membership.objects.filter(import_job=job).count() == 3
    done = client.get(io_url("job_detail", pk=job.pk), HTTP_HX_REQUEST="true")
    assert done.status_code == 286
    assert "3 neu angelegte Organisationen" in done.text


def test_without_background_threads_a_job_runs_where_it_is_enqueued(world, manager_x, settings, eager_celery, django_capture_on_commit_callbacks):
    # The tests' setting (conftest): deterministic, the job has ended when the request returns.
    assert settings.BACKGROUND_THREADS is False
    job = BackgroundJob.objects.create(user=manager_x, network=world.network_x, kind="import", title="t", params={"confirmed": False})
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(job)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.PENDING  # a draft is never run; the point is that nothing was left to a thread
    assert not any(thread.name.startswith("job:") for thread in threading.enumerate())


def test_a_large_file_with_errors_is_refused_by_the_job_not_planned_again_in_the_request(
    logged_in, world, monkeypatch, eager_celery, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "INLINE_IMPORT_ROWS", 2)
    job = upload_to_preview(
        logged_in, csv_bytes([HEADER, member_row("Gross Eins GmbH"), member_row("Gross Zwei GmbH", "123"), member_row("Gross Drei AG", "48566")])
    )
    planned_in_request = []
    real_plan = imports.job_plan
    monkeypatch.setattr(imports, "job_plan", lambda *args, **kwargs: planned_in_request.append(1) or real_plan(*args, **kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert response.url == io_url("job_detail", pk=job.pk)
    assert planned_in_request == []
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "Es wurde nichts importiert." in job.message
    assert job.errors[0]["line"] == 3
    assert not Organisation.objects.filter(name__startswith="Gross").exists()


def test_undo_keeps_the_people_of_a_company_another_network_now_holds(logged_in, world, manager_x, imported):
    """Shared companies (docs/SHARED-COMPANIES.md): undo ends this network's relation, never another network's."""
    eins = Organisation.objects.get(name="Undo Eins GmbH")
    Membership.objects.create(organisation=eins, network=world.network_y)
    person = Contact.objects.get(last_name="Eins")
    confirm = logged_in.get(io_url("import_undo", pk=imported.pk))
    assert '<dd id="undo-exits">1</dd>' in confirm.text and '<dd id="undo-contacts">2</dd>' in confirm.text
    logged_in.post(io_url("import_undo", pk=imported.pk))
    person.refresh_from_db()
    assert person.archived_at is None  # still there for Y
    assert person in Contact.objects.current_in(world.network_y)
    assert ContactExit.objects.filter(contact=person, network=world.network_x).exists()
    assert Membership.objects.get(organisation=eins, network=world.network_x).archived_at is not None  # X's own membership goes
    assert Membership.objects.get(organisation=eins, network=world.network_y).archived_at is None
