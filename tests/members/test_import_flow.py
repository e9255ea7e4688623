"""The import from upload to confirmation: validation, duplicates, all-or-nothing, background runs, access."""

from __future__ import annotations

from decimal import Decimal

import pytest

from members import imports
from members.models import Contact, Membership, Organisation
from members.tasks import import_job_task
from tests.members.test_import_support import HEADER, csv_bytes, io_url, member_row, upload, upload_to_preview, xlsx_bytes
from verbund.models import BackgroundJob


def db_state() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Contact.objects.count(),
        Membership.objects.count(),
        Organisation.history.count(),
        Contact.history.count(),
        Membership.history.count(),
    )


@pytest.fixture
def logged_in(client, manager_x):
    client.force_login(manager_x)
    return client


THREE = [HEADER, member_row("Delta Metall GmbH"), member_row("Epsilon Holz KG", "48565", last="Kurz"), member_row("Zeta IT", "49477", last="Lang")]


# --- the happy path -------------------------------------------------------------------


def test_nothing_is_written_before_the_confirmation(logged_in, world):
    before = db_state()
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert response.status_code == 200
    assert "Delta Metall GmbH" in response.text
    assert response.context["plan"].new_organisations == 3
    assert db_state() == before


def test_confirmed_import_creates_organisations_contacts_and_memberships_with_history(logged_in, world, manager_x):
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    response = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert "3 Organisationen und 3 Kontaktpersonen angelegt" in job.message
    membership = Membership.objects.for_network(world.network_x).get(organisation__name="Delta Metall GmbH")
    assert membership.role == Membership.Role.MANUFACTURER
    assert membership.status == Membership.Status.ACTIVE
    assert membership.annual_fee == Decimal("1200.50")
    contact = membership.organisation.contacts.get()
    assert (contact.first_name, contact.last_name, contact.email) == ("Erika", "Muster", "muster@delta.example")
    assert contact.phone == "+49 5971 123456"
    assert contact.is_primary
    assert membership.organisation.history.first().history_user == manager_x
    assert contact.history.first().history_user == manager_x
    assert membership.history.first().history_user == manager_x
    # The uploaded rows are not kept once the job has ended.
    assert "rows" not in job.params


def test_xlsx_import_works_end_to_end(logged_in, world):
    rows = [
        ["Organisation", "PLZ", "Ort", "Nachname", "E-Mail", "Rolle", "Status", "Jahresbeitrag (EUR)", "Beschäftigte"],
        ["Sachsen Glas", 1067, "Dresden", "Wolf", "wolf@glas.example", "Zulieferer / Vorproduzent", "Interessent", 99.5, 14],
    ]
    job = upload_to_preview(logged_in, xlsx_bytes(rows), "liste.xlsx")
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    membership = Membership.objects.get(organisation__name="Sachsen Glas")
    assert membership.organisation.postcode == "01067"
    assert membership.organisation.employees == 14
    assert (membership.role, membership.status, membership.annual_fee) == ("supplier", "prospect", Decimal("99.50"))


def test_german_and_english_labels_are_accepted_for_role_and_status(world):
    table = [
        member_row("A", role="Forschung", status="Ruhend"),
        member_row("B", "48565", role="supplier", status="left"),
        member_row("C", "48566", role="öffentliche verwaltung", status="AUSGETRETEN"),
        member_row("D", "48567", role="Consultant", status="Prospect"),
    ]
    plan = imports.plan_import(
        network=world.network_x, header=HEADER, rows=table, lines=[2, 3, 4, 5], mapping=imports.suggest_mapping(HEADER), existing="add_contact"
    )
    assert plan.errors == []
    assert [(r.membership["role"], r.membership["status"]) for r in plan.rows] == [
        ("research", "paused"),
        ("supplier", "left"),
        ("administration", "left"),
        ("consultant", "prospect"),
    ]


# --- per-row validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({6: "keine-mail"}, "E-Mail", "„keine-mail“ ist keine gültige E-Mail-Adresse."),
        ({6: "a@b"}, "E-Mail", "keine gültige E-Mail-Adresse"),
        ({2: "123"}, "PLZ", "„123“ ist keine fünfstellige Postleitzahl."),
        ({2: "4843A"}, "PLZ", "keine fünfstellige Postleitzahl"),
        ({2: "484311"}, "PLZ", "keine fünfstellige Postleitzahl"),
        ({7: "12"}, "Telefon", "Bitte eine gültige Telefonnummer angeben"),
        ({7: "Durchwahl fragen"}, "Telefon", "Bitte eine gültige Telefonnummer angeben"),
        ({8: "Chef"}, "Rolle im Verbund", "„Chef“ ist kein bekannter Wert. Erlaubt sind: Hersteller"),
        ({9: "vielleicht"}, "Status", "„vielleicht“ ist kein bekannter Wert. Erlaubt sind: Interessent, Aktiv"),
        ({0: ""}, "Name der Organisation", "Der Name der Organisation fehlt."),
        ({5: ""}, "Nachname", "Für die Kontaktperson fehlt der Nachname."),
        ({10: "viel"}, "Jahresbeitrag (EUR)", "„viel“ ist kein Geldbetrag."),
        ({10: "12,345"}, "Jahresbeitrag (EUR)", "höchstens zwei Nachkommastellen"),
        ({0: "X" * 201}, "Name der Organisation", "Der Wert ist zu lang (höchstens 200 Zeichen)."),
    ],
)
def test_invalid_values_are_reported_per_row_and_field(world, changes, field, message):
    row = member_row("Omega GmbH")
    for index, value in changes.items():
        row[index] = value
    plan = imports.plan_import(
        network=world.network_x,
        header=HEADER,
        rows=[member_row("Gut AG", "48000"), row],
        lines=[2, 3],
        mapping=imports.suggest_mapping(HEADER),
        existing="add_contact",
    )
    assert [(e.line, e.field) for e in plan.errors] == [(3, field)]
    assert message in plan.errors[0].message


@pytest.mark.parametrize(
    ("index", "payload"),
    [
        (0, '=HYPERLINK("http://evil.example","Klick")'),
        (0, "+cmd|' /C calc'!A0"),
        (1, "-2+3+cmd|' /C calc'!A0"),
        (3, "@SUM(1+1)*cmd|' /C calc'!A0"),
        (4, "  =1+1"),
        (7, "=1+1"),
        (10, "=A1*2"),
    ],
)
def test_formula_payloads_are_refused_with_a_clear_message(world, index, payload):
    row = member_row("Omega GmbH")
    row[index] = payload
    plan = imports.plan_import(network=world.network_x, header=HEADER, rows=[row], lines=[2], mapping=imports.suggest_mapping(HEADER), existing="add_contact")
    assert len(plan.errors) == 1
    assert "sieht wie eine Tabellenformel aus und wird nicht übernommen" in plan.errors[0].message


def test_a_phone_number_with_plus_is_data_not_a_formula(world):
    row = member_row("Omega GmbH", phone="+49 251 1234567")
    plan = imports.plan_import(network=world.network_x, header=HEADER, rows=[row], lines=[2], mapping=imports.suggest_mapping(HEADER), existing="add_contact")
    assert plan.errors == []
    assert plan.rows[0].contact["phone"] == "+49 251 1234567"


def test_rows_with_errors_block_the_import_and_nothing_is_written(logged_in, world):
    rows = [HEADER, member_row("Gut GmbH"), member_row("Schlecht GmbH", "1", email="kaputt")]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "„1“ ist keine fünfstellige Postleitzahl." in response.text
    assert "„kaputt“ ist keine gültige E-Mail-Adresse." in response.text
    assert "Import bestätigen" not in response.text
    before = db_state()
    response = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"}, follow=True)
    assert "Die Datei enthält noch Fehler. Es wurde nichts importiert." in response.text
    assert db_state() == before
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.PENDING


# --- columns ----------------------------------------------------------------------------


def test_a_file_with_unknown_columns_asks_for_a_mapping(logged_in, world):
    response = upload(logged_in, csv_bytes([["Spalte A", "Spalte B"], ["x", "y"]]))
    job = BackgroundJob.objects.get()
    assert response.url == io_url("import_mapping", pk=job.pk)
    page = logged_in.get(response.url)
    assert "Keine Spalte wurde als Name der Organisation erkannt" in page.text
    assert page.text.count('<label for="id_col_') == 2
    response = logged_in.post(io_url("import_mapping", pk=job.pk), {"col_0": "", "col_1": ""})
    assert response.status_code == 200
    assert "Bitte ordnen Sie eine Spalte dem Namen der Organisation zu." in response.text
    # Without a name mapping, the preview sends back to the mapping.
    assert logged_in.get(io_url("import_preview", pk=job.pk)).url == io_url("import_mapping", pk=job.pk)


def test_one_field_cannot_take_two_columns(logged_in, world):
    upload(logged_in, csv_bytes([["Firma", "Name"], ["x", "y"]]))
    job = BackgroundJob.objects.get()
    response = logged_in.post(io_url("import_mapping", pk=job.pk), {"col_0": "name", "col_1": "name"})
    assert "„Name der Organisation“ ist zwei Spalten zugeordnet: „Firma“ und „Name“." in response.text


def test_contact_columns_need_a_last_name_column(logged_in, world):
    # E-mail and phone alone are the organisation's general contact; a first name needs a last name.
    upload(logged_in, csv_bytes([["Firma", "Vorname"], ["x", "Anna"]]))
    job = BackgroundJob.objects.get()
    response = logged_in.post(io_url("import_mapping", pk=job.pk), {"col_0": "name", "col_1": "first_name"})
    assert "braucht es eine Spalte „Nachname“" in response.text


def test_a_full_contact_name_column_is_split(logged_in, world):
    job = upload_to_preview(logged_in, csv_bytes([["Firma", "Ansprechpartner:in", "E-Mail"], ["Eta GmbH", "Frau Dr. Anna Maria Beispiel", "ab@eta.example"]]))
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    contact = Contact.objects.get(email="ab@eta.example")
    assert (contact.salutation, contact.title, contact.first_name, contact.last_name) == ("ms", "Dr.", "Anna Maria", "Beispiel")


def test_unmapped_columns_are_ignored(logged_in, world):
    upload(logged_in, csv_bytes([["Firma", "Geheim"], ["Theta AG", "=cmd|' /C calc'!A0"]]))
    job = BackgroundJob.objects.get()
    logged_in.post(io_url("import_mapping", pk=job.pk), {"col_0": "name", "col_1": ""})
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert Organisation.objects.filter(name="Theta AG").exists()


# --- duplicates -------------------------------------------------------------------------


def test_duplicates_within_the_file_are_detected_and_not_created_twice(logged_in, world):
    rows = [
        HEADER,
        member_row("Iota GmbH", last="Eins"),
        member_row("Iota GmbH", last="Eins"),  # the same row again
        member_row("IOTA  GmbH", last="Zwei"),  # same organisation (name and postcode), another person
        member_row("Kappa KG", "48565", last="Drei", email="eins@iota.example"),  # the first person's email again
    ]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "Doppelte Zeile: gleich wie Zeile 2 – wird übersprungen." in response.text
    assert "Gleiche Organisation (Name und PLZ) wie Zeile 2" in response.text
    assert "Die E-Mail-Adresse eins@iota.example steht schon in Zeile 2" in response.text
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    iota = Organisation.objects.get(name="Iota GmbH")
    assert sorted(iota.contacts.values_list("last_name", flat=True)) == ["Eins", "Zwei"]
    assert iota.contacts.filter(is_primary=True).count() == 1
    assert Organisation.objects.filter(name="Kappa KG").get().contacts.count() == 0
    assert Contact.objects.filter(email="eins@iota.example").count() == 1


def test_existing_organisation_of_the_same_network_gets_only_the_contact(logged_in, world):
    rows = [HEADER, member_row("Alpha GmbH", "48431", last="Neu", email="neu@alpha.example")]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "„Alpha GmbH“ gibt es im Verbund schon – nur die Kontaktperson wird ergänzt." in response.text
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert Organisation.objects.filter(name="Alpha GmbH").count() == 1
    contact = Contact.objects.get(email="neu@alpha.example")
    assert contact.organisation == world.org_a
    assert not contact.is_primary  # Alpha has its primary contact already


def test_existing_organisation_can_be_skipped(logged_in, world):
    rows = [HEADER, member_row("Alpha GmbH", "48431", last="Neu", email="neu@alpha.example"), member_row("Lambda AG", "48000")]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    response = logged_in.get(io_url("import_preview", pk=job.pk), {"existing": "skip"})
    assert "„Alpha GmbH“ gibt es im Verbund schon – die Zeile wird übersprungen." in response.text
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "skip"})
    assert not Contact.objects.filter(email="neu@alpha.example").exists()
    assert Organisation.objects.filter(name="Lambda AG").exists()
    job.refresh_from_db()
    assert "1 Zeilen übersprungen" in job.message


def test_an_existing_contact_email_of_the_network_is_not_created_again(logged_in, world):
    rows = [HEADER, member_row("My GmbH", "48000", email="member_a_x@example.org")]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "Eine Kontaktperson mit member_a_x@example.org gibt es im Verbund schon (Alpha GmbH)" in response.text
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert Organisation.objects.filter(name="My GmbH").exists()
    assert Contact.objects.filter(email="member_a_x@example.org").count() == 1


def test_organisations_and_contacts_of_another_network_are_no_duplicates(logged_in, world):
    # Gamma AG and its contact are members of Y only: for X they are new, and nothing about Y is shown.
    rows = [HEADER, member_row("Gamma AG", "49477", email="member_c_y@example.org")]
    job = upload_to_preview(logged_in, csv_bytes(rows))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "gibt es im Verbund schon" not in response.text
    assert response.context["plan"].duplicates == []
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert Organisation.objects.filter(name="Gamma AG").count() == 2
    assert Membership.objects.for_network(world.network_x).filter(organisation__name="Gamma AG").count() == 1


def test_an_erased_person_is_not_brought_back_by_an_import(logged_in, world):
    from members.models import ErasureTombstone
    from members.privacy import _email_hash

    ErasureTombstone.objects.create(email_hash=_email_hash("weg@omikron.example"))
    job = upload_to_preview(logged_in, csv_bytes([HEADER, member_row("Omikron GmbH", "48000", email="Weg@omikron.example")]))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "Für weg@omikron.example liegt ein Löschvermerk vor – die Kontaktperson wird nicht importiert." in response.text
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert Organisation.objects.filter(name="Omikron GmbH").exists()
    assert not Contact.objects.filter(email="weg@omikron.example").exists()


# --- all or nothing -----------------------------------------------------------------------


def _tampered_plans(monkeypatch, change):
    """The write re-plans the job; let `change` spoil that plan the way a drifted planner would."""
    real = imports.jobs.job_plan

    def tampered(job, **kwargs):
        plan = real(job, **kwargs)
        change(plan)
        return plan

    monkeypatch.setattr(imports.jobs, "job_plan", tampered)


def test_a_row_failing_on_write_leaves_the_database_unchanged(logged_in, world, monkeypatch):
    # The write checks each row's lengths before its bulk insert: line 4's last name is too long for the model.
    _tampered_plans(monkeypatch, lambda plan: plan.rows[2].contact.update(last_name="X" * 101))
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    before = db_state()
    response = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"}, follow=True)
    assert db_state() == before
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "Zeile 4 konnte nicht gespeichert werden" in job.message
    assert "Nachname: Der Wert ist zu lang" in job.message
    assert "Es wurde nichts importiert." in job.message
    assert job.errors[0]["line"] == 4
    assert "Zeile 4 konnte nicht gespeichert werden" in response.text


def test_a_database_error_on_write_rolls_back_everything(logged_in, world, monkeypatch):
    # A negative fee passes no check of the writer, only the database's CHECK constraint: the chunk is refused,
    # written again row by row to find the line, and nothing of the earlier rows stays.
    _tampered_plans(monkeypatch, lambda plan: plan.rows[1].membership.update(annual_fee=Decimal("-1")))
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    before = db_state()
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert db_state() == before
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "Zeile 3" in job.message


# --- background runs and the job page ---------------------------------------------------------


@pytest.fixture
def eager_celery():
    from verbund.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def test_a_large_import_runs_in_celery_and_the_job_shows_the_result(logged_in, world, monkeypatch, eager_celery, django_capture_on_commit_callbacks):
    monkeypatch.setattr(imports, "INLINE_IMPORT_ROWS", 2)
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    response = logged_in.get(io_url("import_preview", pk=job.pk))
    assert "der Import läuft im Hintergrund" in response.text
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert len(callbacks) == 1
    assert response.url == io_url("job_detail", pk=job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert Membership.objects.for_network(world.network_x).count() == 5
    page = logged_in.get(io_url("job_detail", pk=job.pk))
    assert "3 Organisationen und 3 Kontaktpersonen angelegt" in page.text
    assert job.title in logged_in.get(io_url("index")).text


def test_the_task_is_idempotent(logged_in, world, monkeypatch):
    monkeypatch.setattr(imports, "INLINE_IMPORT_ROWS", 2)
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})  # on_commit never fires here
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.PENDING and job.params["confirmed"]
    import_job_task.apply(args=[job.pk])
    import_job_task.apply(args=[job.pk])  # redelivered: the job is DONE, nothing happens
    assert Organisation.objects.filter(name="Delta Metall GmbH").count() == 1
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.RUNNING)
    import_job_task.apply(args=[job.pk])
    assert Organisation.objects.filter(name="Delta Metall GmbH").count() == 1


def test_an_unconfirmed_draft_is_never_run_by_the_task(logged_in, world):
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    before = db_state()
    import_job_task.apply(args=[job.pk])
    assert db_state() == before
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.PENDING


def test_a_double_submit_imports_once(logged_in, world):
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    first = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    second = logged_in.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"})
    assert first.url == second.url == io_url("job_detail", pk=job.pk)
    assert Organisation.objects.filter(name="Delta Metall GmbH").count() == 1


def test_the_progress_partial_polls_while_running_and_stops_with_286_when_done(logged_in, world, manager_x):
    job = BackgroundJob.objects.create(
        user=manager_x,
        network=world.network_x,
        kind=BackgroundJob.Kind.IMPORT,
        title="Import: x.csv",
        status=BackgroundJob.Status.RUNNING,
        total=400,
        done=100,
        params={"confirmed": True},
    )
    url = io_url("job_detail", pk=job.pk)
    running = logged_in.get(url, HTTP_HX_REQUEST="true")
    assert running.status_code == 200
    assert 'hx-trigger="every 1s"' in running.text
    assert 'value="25"' in running.text
    assert "<html" not in running.text
    full = logged_in.get(url)
    assert full.status_code == 200
    assert f'href="{url}"' in full.text  # the plain refresh link without JavaScript
    job.status, job.done, job.message = BackgroundJob.Status.DONE, 400, "fertig"
    job.save()
    done = logged_in.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 286
    assert "hx-trigger" not in done.text
    assert "fertig" in done.text
    assert logged_in.get(url).status_code == 200


def test_cancelling_a_draft_discards_it(logged_in, world):
    job = upload_to_preview(logged_in, csv_bytes(THREE))
    response = logged_in.post(io_url("import_cancel", pk=job.pk), follow=True)
    assert "Der Import wurde verworfen. Es wurde nichts gespeichert." in response.text
    assert not BackgroundJob.objects.filter(pk=job.pk).exists()


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager_y", "manager_xy", "member_a_x", "staff"])
def test_someone_elses_import_is_404_and_cannot_be_confirmed(client, world, manager_x, persona):
    client.force_login(manager_x)
    job = upload_to_preview(client, csv_bytes(THREE))
    client.force_login(world.users[persona])
    before = db_state()
    for name in ("import_mapping", "import_preview", "job_detail"):
        assert client.get(io_url(name, pk=job.pk)).status_code == 404, name
    assert client.post(io_url("import_confirm", pk=job.pk), {"existing": "add_contact"}).status_code == 404
    assert client.post(io_url("import_cancel", pk=job.pk)).status_code == 404
    assert db_state() == before
    assert BackgroundJob.objects.get(pk=job.pk).status == BackgroundJob.Status.PENDING


def test_the_jobs_list_shows_only_the_users_own_jobs_in_this_network(client, world, manager_x):
    mine = BackgroundJob.objects.create(user=manager_x, network=world.network_x, kind="export", title="Mein Export")
    BackgroundJob.objects.create(user=world.users["manager_xy"], network=world.network_x, kind="export", title="Fremder Export")
    BackgroundJob.objects.create(user=world.users["manager_xy"], network=world.network_y, kind="export", title="Export Y")
    client.force_login(manager_x)
    page = client.get(io_url("index"))
    assert mine.title in page.text
    assert "Fremder Export" not in page.text
    assert "Export Y" not in page.text


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_others_while_the_import_transaction_is_open():
    from django.db import connection, connections, transaction

    from verbund.models import Network, User

    if connection.vendor != "postgresql":
        pytest.skip("progress during the write is reported through a second PostgreSQL connection")
    user = User.objects.create_user(email="progress@example.org")
    network = Network.objects.create(name="P", slug="p")
    job = BackgroundJob.objects.create(user=user, network=network, kind="import", title="t", total=100, status="running")
    observer = connections.create_connection("default")
    try:
        with transaction.atomic(), imports.jobs._ProgressWriter(job) as report:
            report(50)
            with observer.cursor() as cursor:
                cursor.execute(f"SELECT done FROM {BackgroundJob._meta.db_table} WHERE id = %s", [job.pk])
                assert cursor.fetchone()[0] == 50
    finally:
        observer.close()
