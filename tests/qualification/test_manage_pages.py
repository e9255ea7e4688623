"""The manager pages of the Qualifizierungsverbund: catalogue, matrix cells, heat map, alignment → course, enrolments, attendance, indicators."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Membership, Organisation
from qualification import courses, matrix
from qualification.models import (
    Attendance,
    Course,
    CourseFile,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)
from tests.hostile_files import pdf
from verbund.models import ManagerRole


def url(name: str, *args) -> str:
    return reverse(f"qualification:{name}", args=["netz-x", *args])


@pytest.fixture
def topic(world):
    return Topic.objects.create(network=world.network_x, title="Führung für Meister", description="Führen ohne Titel")


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return client


def test_topic_catalogue_adds_refuses_duplicates_and_archives(manager, world, topic):
    response = manager.post(url("topics"), {"title": "Arbeiten im Alter", "description": "Demografie", "position": 2})
    assert response.status_code == 302
    added = Topic.objects.get(network=world.network_x, title="Arbeiten im Alter")
    assert added.history.get().history_user == world.users["manager_x"]  # audited (D-3)
    duplicate = manager.post(url("topics"), {"title": "führung für meister", "position": 0})
    assert duplicate.status_code == 400
    assert "gibt es im Katalog schon" in duplicate.content.decode()
    assert Topic.objects.filter(network=world.network_x).count() == 2
    manager.post(url("topic_archive", topic.pk))
    topic.refresh_from_db()
    assert topic.archived_at is not None
    assert [t.title for t in manager.get(url("matrix")).context["grid"].topics] == ["Arbeiten im Alter"]
    other = Topic.objects.create(network=world.network_y, title="Y-Thema")
    assert manager.get(url("topic_edit", other.pk)).status_code == 404
    assert manager.post(url("topic_archive", other.pk)).status_code == 404


def test_a_duplicate_title_hidden_by_a_control_character_is_refused_not_a_crash(manager, world, topic):
    """Control characters leave the title only after clean_title: the clash check must compare the stored text (S-2)."""
    response = manager.post(url("topics"), {"title": "Führung für Meister\x1b", "position": 0})
    assert response.status_code == 400
    assert "gibt es im Katalog schon" in response.content.decode()
    assert Topic.objects.filter(network=world.network_x).count() == 1


def test_observer_reads_but_cannot_write(client, world, topic):
    observer = ManagerRole.objects.create(user=world.users["member_a_x"], network=world.network_x, role=ManagerRole.Role.OBSERVER).user
    client.force_login(observer)
    assert client.get(url("matrix")).status_code == 200
    assert client.post(url("topics"), {"title": "Neu", "position": 0}).status_code == 403
    assert client.post(url("cell", world.org_a.pk, topic.pk), {"priority": 2, "head_count": 1}).status_code == 403
    assert not Need.objects.exists() and Topic.objects.count() == 1


def test_cell_editor_is_a_row_and_a_save_updates_the_cell_and_totals_in_place(manager, world, topic):
    cell = url("cell", world.org_a.pk, topic.pk)
    editor = manager.get(cell, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    body = editor.content.decode()
    assert editor.status_code == 200 and "<html" not in body and "Alpha GmbH" in body
    # A table row to go right below the cell's row, spanning organisation, the topics and both totals.
    assert body.lstrip().startswith("<tr") and f'data-cell="cell-{world.org_a.pk}-{topic.pk}"' in body and 'colspan="4"' in body
    assert "Schließen" in body and "Zurück zur Matrix" not in body
    matrix_page = "http://testserver" + url("matrix") + "?municipality=Rheine"
    saved = manager.post(
        cell,
        {"priority": 3, "head_count": 4, "preferred_format": "in_house", "preferred_time": "Freitags"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=matrix_page,
    )
    assert saved.status_code == 200 and saved["HX-Reswap"] == "none"
    assert json.loads(saved["HX-Trigger-After-Swap"]) == {"cell-saved": {"cell": f"cell-{world.org_a.pk}-{topic.pk}"}}
    html = saved.content.decode()
    assert "Gespeichert: Alpha GmbH" in html and "dringend" in html
    # The cell, its row's totals and its column's totals, swapped in by htmx out of band.
    assert f'id="cell-{world.org_a.pk}-{topic.pk}" hx-swap-oob="true"' in html and "heat-3" in html and "+++" in html
    assert f'id="row-heads-{world.org_a.pk}" hx-swap-oob="true">4<' in html
    assert f'id="col-heads-{topic.pk}" hx-swap-oob="true">4<' in html and 'id="total-heads" hx-swap-oob="true">4<' in html
    need = Need.objects.get()
    assert (need.organisation, need.priority, need.head_count, need.updated_by) == (world.org_a, 3, 4, world.users["manager_x"])
    table = manager.get(url("matrix"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="matrix-results").content.decode()
    assert 'id="matrix-results"' in table and "<html" not in table
    assert f'id="cell-{world.org_a.pk}-{topic.pk}"' in table and "heat-3" in table and "+++" in table
    # Without JavaScript: a page of its own, and back to the matrix after saving.
    page = manager.get(cell)
    assert page.status_code == 200 and "Zurück zur Matrix" in page.content.decode()
    assert manager.post(cell, {"priority": 1, "head_count": 2}).status_code == 302


def test_totals_after_a_save_follow_the_filters_of_the_page(manager, world, topic):
    """Beta KG (Steinfurt) has a need too; on the page filtered to Rheine the column counts Alpha GmbH only."""
    matrix.need_save(network=world.network_x, organisation=world.org_b, topic=topic, by=world.users["manager_x"], data={"priority": 2, "head_count": 10})
    cell = url("cell", world.org_a.pk, topic.pk)
    filtered = manager.post(
        cell, {"priority": 1, "head_count": 3}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver" + url("matrix") + "?municipality=Rheine"
    ).content.decode()
    assert f'id="col-heads-{topic.pk}" hx-swap-oob="true">3<' in filtered
    everyone = manager.post(
        cell, {"priority": 1, "head_count": 3}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver" + url("matrix")
    ).content.decode()
    assert f'id="col-heads-{topic.pk}" hx-swap-oob="true">13<' in everyone and 'id="total-needs" hx-swap-oob="true">2<' in everyone


def test_a_refused_save_in_the_editor_shows_the_form_again(manager, world, topic):
    response = manager.post(url("cell", world.org_a.pk, topic.pk), {"priority": 2, "head_count": -1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    body = response.content.decode()
    assert "ganze Zahl ab 0" in body and "<tr" not in body and 'hx-target="#cell-editor"' in body
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"priority": 2, "head_count": -3},
        {"priority": 2, "head_count": "drei"},
        {"priority": 9, "head_count": 1},
        {"priority": 2, "head_count": 1, "preferred_format": "fernstudium"},
    ],
)
def test_bad_cell_values_get_a_message_and_change_nothing(manager, world, topic, bad):
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=world.users["manager_x"], data={"priority": 1, "head_count": 2})
    response = manager.post(url("cell", world.org_a.pk, topic.pk), bad, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode() or "ganze Zahl" in response.content.decode()
    need = Need.objects.get()
    assert (need.priority, need.head_count, need.preferred_format) == (1, 2, "")


def test_cells_of_outsiders_and_unknown_topics_are_404(manager, world, topic):
    assert manager.post(url("cell", world.org_c.pk, topic.pk), {"priority": 1, "head_count": 1}).status_code == 404  # member of Y
    foreign = Topic.objects.create(network=world.network_y, title="Y-Thema")
    assert manager.post(url("cell", world.org_a.pk, foreign.pk), {"priority": 1, "head_count": 1}).status_code == 404
    assert manager.post(url("cell", world.org_a.pk, 999999), {"priority": 1, "head_count": 1}).status_code == 404
    Membership.objects.filter(organisation=world.org_b).update(status="left")
    assert manager.post(url("cell", world.org_b.pk, topic.pk), {"priority": 1, "head_count": 1}).status_code == 404
    assert not Need.objects.exists()


def test_heat_map_filters_and_totals(manager, world, topic):
    second = Topic.objects.create(network=world.network_x, title="Gesundheit", position=1)
    by = world.users["manager_x"]
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=by, data={"priority": 3, "head_count": 4})
    matrix.need_save(network=world.network_x, organisation=world.org_b, topic=topic, by=by, data={"priority": 1, "head_count": 2})
    matrix.need_save(network=world.network_x, organisation=world.org_b, topic=second, by=by, data={"priority": 2, "head_count": 5})
    grid = manager.get(url("matrix")).context["grid"]
    assert (grid.needs, grid.head_count, grid.column_heads, [r.head_count for r in grid.rows]) == (3, 11, [6, 5], [4, 7])
    grid = manager.get(url("matrix"), {"min_priority": 2}).context["grid"]
    assert (grid.needs, grid.head_count, grid.column_heads) == (2, 9, [4, 5])
    grid = manager.get(url("matrix"), {"municipality": "Steinfurt"}).context["grid"]
    assert [r.organisation for r in grid.rows] == [world.org_b]
    grid = manager.get(url("matrix"), {"topic": [second.pk]}).context["grid"]
    assert grid.topics == [second] and grid.head_count == 5
    # Nonsense filters are dropped, not an error page.
    response = manager.get(url("matrix"), {"min_priority": "abc", "topic": "xyz", "municipality": "Atlantis"})
    assert response.status_code == 200 and response.context["grid"].head_count == 11


def test_matrix_page_queries_do_not_grow_with_organisations_and_topics(manager, world):
    def grow(orgs: int, topics: int) -> None:
        start = Organisation.objects.count()
        new = Organisation.objects.bulk_create([Organisation(name=f"Firma {start + i:04d}") for i in range(orgs)])
        Membership.objects.bulk_create([Membership(organisation=o, network=world.network_x) for o in new])
        offset = Topic.objects.count()
        made = Topic.objects.bulk_create([Topic(network=world.network_x, title=f"Thema {offset + i}", position=offset + i) for i in range(topics)])
        Need.objects.bulk_create(
            [Need(network=world.network_x, organisation=o, topic=t, priority=(o.pk + t.pk) % 4, head_count=o.pk % 5) for o in new for t in made]
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager.get(url("matrix")).status_code == 200
        return len(queries)

    grow(5, 3)
    small = count()
    grow(195, 37)  # 200 organisations (+2 of the world) × 40 topics
    big = count()
    assert big == small, f"{small} queries for 7×3, {big} for 202×40"
    assert Need.objects.count() == 5 * 3 + 195 * 37


def test_proposal_becomes_a_course_member_enrols_attendance_and_indicators(manager, world, topic):
    by = world.users["manager_x"]
    extra = [Organisation.objects.create(name=f"Extra {i}") for i in range(2)]
    Membership.objects.bulk_create([Membership(organisation=o, network=world.network_x) for o in extra])
    for org in [world.org_a, world.org_b, *extra]:
        matrix.need_save(network=world.network_x, organisation=org, topic=topic, by=by, data={"priority": 2, "head_count": 2, "preferred_format": "in_house"})
    year = timezone.localdate().year
    page = manager.get(url("alignment")).content.decode()
    assert "Führung für Meister" in page and "über der Schwelle" in page
    mixed = manager.post(url("proposal") + f"?year={year}", {"topics": [topic.pk, 999999], "title": "Mein Titel", "action": "accept"})
    assert mixed.status_code == 400 and 'value="Mein Titel"' in mixed.content.decode()
    assert f'value="{topic.pk}" checked' in mixed.content.decode() and not Course.objects.exists()
    response = manager.post(url("proposal") + f"?year={year}", {"topics": [topic.pk], "title": "Führen im Betrieb", "action": "accept"})
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == url("course", course.pk)
    assert (course.title, course.status, course.format, list(course.topics.all())) == ("Führen im Betrieb", "planned", "in_house", [topic])
    assert manager.get(url("alignment")).context["proposals"] == []
    # Forged: a topic that is no open proposal.
    assert manager.post(url("proposal"), {"topics": [topic.pk], "action": "accept"}).status_code == 400
    assert Course.objects.count() == 1
    manager.post(url("course_edit", course.pk), {"title": "Führen im Betrieb", "topics": [topic.pk], "format": "in_house", "seats": 3, "year": year})
    course.refresh_from_db()
    assert course.seats == 3
    manager.post(url("course_enrol", course.pk), {"organisation": world.org_a.pk, "head_count": 2})
    manager.post(url("course_enrol", course.pk), {"organisation": world.org_b.pk, "head_count": 2})
    assert list(Enrolment.objects.order_by("pk").values_list("status", flat=True)) == ["enrolled", "waitlisted"]
    over = manager.post(url("course_enrol", course.pk), {"organisation": world.org_b.pk, "head_count": 4}, follow=True)
    assert "insgesamt 3 Plätze" in over.content.decode() and Enrolment.objects.count() == 2
    foreign = manager.post(url("course_enrol", course.pk), {"organisation": world.org_c.pk, "head_count": 1}, follow=True)
    assert "Mitgliedsorganisation" in foreign.content.decode() and Enrolment.objects.count() == 2
    negative = manager.post(url("course_enrol", course.pk), {"organisation": world.org_b.pk, "head_count": -2}, follow=True)
    assert "mindestens eine Person" in negative.content.decode() and Enrolment.objects.count() == 2
    start = timezone.now() - timedelta(hours=5)
    manager.post(
        url("session_add", course.pk),
        {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), "place": "Rheine"},
    )
    session = course.sessions.get()
    manager.post(url("course_status", course.pk), {"status": "confirmed"})
    manager.post(url("course_status", course.pk), {"status": "held"})
    course.refresh_from_db()
    assert course.status == "held"
    enrolled = Enrolment.objects.get(status="enrolled")
    too_many = manager.post(url("attendance", course.pk, session.pk), {f"present-{enrolled.pk}": "5"})
    assert too_many.status_code == 400 and not Attendance.objects.exists()
    assert manager.post(url("attendance", course.pk, session.pk), {f"present-{enrolled.pk}": "-1"}).status_code == 400
    manager.post(url("attendance", course.pk, session.pk), {f"present-{enrolled.pk}": "2"})
    figures = manager.get(url("indicators")).context["figures"]
    # Hand-computed: 1 of 1 course held; 2 present of 3 seats = 66.7 %; of 2 enrolled = 100 %; 4 needs, all covered; 1 company.
    assert (str(figures.realisation), str(figures.participation_seats), str(figures.participation_enrolled)) == ("100.0", "66.7", "100.0")
    assert (figures.expressed_needs, str(figures.coverage), figures.companies_reached) == (4, "100.0", 1)


def test_indicators_page_shows_not_computable_for_empty_years(manager):
    page = manager.get(url("indicators"), {"year": "2031"}).content.decode()
    assert page.count("nicht berechenbar") >= 4 and "Realisierungsquote: durchgeführte Kurse" in page
    assert manager.get(url("indicators"), {"year": "abc"}).status_code == 200


def test_documentation_and_files(manager, world, topic):
    course = courses.course_from_topics(network=world.network_x, topic_ids=[topic.pk], by=world.users["manager_x"], year=2026)
    early = manager.post(url("documentation", course.pk), {"text": "Inhalte", "publish": "on"})
    assert early.status_code == 400 and "erst nach dem Kurs" in early.content.decode()
    course.refresh_from_db()
    assert course.documentation_published_at is None and course.documentation == ""
    fake = manager.post(url("file_add", course.pk), {"title": "Fake", "upload": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")})
    assert fake.status_code == 400 and "kein lesbares PDF" in fake.content.decode() and 'value="Fake"' in fake.content.decode()
    assert not CourseFile.objects.exists()
    manager.post(url("file_add", course.pk), {"title": "Handout", "upload": SimpleUploadedFile("h.pdf", pdf(pages=1))})
    item = CourseFile.objects.get()
    download = manager.get(url("file_download", course.pk, item.pk))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff" and b"".join(download.streaming_content).startswith(b"%PDF")
    manager.post(url("file_delete", course.pk, item.pk))
    assert not CourseFile.objects.exists()


def test_odd_input_on_the_course_page_is_a_400_with_the_values_kept(manager, world, topic):
    course = courses.course_from_topics(network=world.network_x, topic_ids=[topic.pk], by=world.users["manager_x"], year=timezone.localdate().year)
    for starts, ends in [("0001-01-01T00:30", "0001-01-01T02:30"), ("1900-05-05T09:00", "1900-05-05T12:00"), ("9999-12-31T09:00", "9999-12-31T10:00")]:
        response = manager.post(url("session_add", course.pk), {"starts_at": starts, "ends_at": ends, "place": "Rheine"})
        assert response.status_code == 400, starts
        assert 'value="Rheine"' in response.content.decode()  # the form keeps what was typed
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    data = {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}
    assert manager.post(url("session_add", course.pk), data).status_code == 302
    assert manager.post(url("session_add", course.pk), data).status_code == 400  # the same session twice
    assert course.sessions.count() == 1
    unicode_digit = manager.post(url("course_enrol", course.pk), {"organisation": "²", "head_count": "2"})
    assert unicode_digit.status_code == 400 and not Enrolment.objects.exists()
    kept = manager.post(url("course_enrol", course.pk), {"organisation": world.org_a.pk, "head_count": "0"})
    assert kept.status_code == 400 and 'value="0"' in kept.content.decode()
    # Attendance of a session that has not begun, and a course nobody enrolled in, are refused.
    future = course.sessions.get()
    assert manager.post(url("attendance", course.pk, future.pk), {}).status_code == 400
    courses.course_set_status(course=course, status="confirmed", by=world.users["manager_x"])
    past = CourseSession.objects.create(course=course, starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError, match="ohne Anmeldungen"):
        courses.course_set_status(course=course, status="held", by=world.users["manager_x"])
    enrolment = Enrolment.objects.create(course=course, organisation=world.org_a, head_count=2)
    assert manager.post(url("attendance", course.pk, past.pk), {f"present-{enrolment.pk}": "²"}).status_code == 400
    assert not Attendance.objects.exists()
    assert manager.post(url("course_edit", course.pk), {"title": "Kurs", "topics": [topic.pk], "year": course.year, "seats": 0}).status_code == 400


def test_a_course_keeps_its_archived_topic_and_suggestions_fill_the_catalogue(manager, world, topic):
    course = courses.course_from_topics(network=world.network_x, topic_ids=[topic.pk], by=world.users["manager_x"], year=2026)
    manager.post(url("topic_archive", topic.pk))
    response = manager.post(url("course_edit", course.pk), {"title": "Neuer Titel", "topics": [topic.pk], "year": 2026})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Neuer Titel" and list(course.topics.all()) == [topic]
    page = manager.get(url("topics"))
    assert "Digitale Kompetenzen" in page.context["suggestions"]
    manager.post(url("topics"), {"title": "Digitale Kompetenzen", "position": "101"})
    assert Topic.objects.filter(network=world.network_x, title="Digitale Kompetenzen").exists()
    assert "Digitale Kompetenzen" not in manager.get(url("topics")).context["suggestions"]
    assert manager.post(url("topics"), {"title": "Ohne Reihenfolge", "position": ""}).status_code == 302


def test_alignment_counts_repeated_times_once(manager, world, topic):
    for org in (world.org_a, world.org_b):
        matrix.need_save(network=world.network_x, organisation=org, topic=topic, by=world.users["manager_x"], data={"priority": 1, "preferred_time": "Samstag"})
    page = manager.get(url("alignment")).content.decode()
    assert "Samstag (2)" in page and "Samstag; Samstag" not in page


def test_more_seats_on_the_edit_page_announce_who_moved_up(manager, world, topic):
    course = courses.course_from_topics(network=world.network_x, topic_ids=[topic.pk], by=world.users["manager_x"], year=2026)
    Course.objects.filter(pk=course.pk).update(seats=1)
    courses.enrol(course=course, organisation=world.org_a, by=world.users["manager_x"], head_count=1)
    courses.enrol(course=course, organisation=world.org_b, by=world.users["manager_x"], head_count=1)
    page = manager.post(url("course_edit", course.pk), {"title": course.title, "topics": [topic.pk], "year": 2026, "seats": 2}, follow=True)
    assert "Von der Warteliste nachgerückt: Beta KG, 1 Person." in page.content.decode()
