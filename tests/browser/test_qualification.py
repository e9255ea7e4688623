"""Issue 6 in Chromium: a member fills in its matrix row; the manager sees the aggregation, edits a cell in the heat map,
turns the proposal into a course; the member enrols two employees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from members.models import Contact, Membership, Organisation
from qualification import matrix
from qualification.models import Course, Enrolment, Need, Topic
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_matrix_row_alignment_course_and_enrolment(page, world):
    topic = Topic.objects.create(network=world.network_x, title="Führung für Meister", description="Vom Kollegen zur Führungskraft")
    Topic.objects.create(network=world.network_x, title="Gesundheit", position=1)
    delta = Organisation.objects.create(name="Delta OHG", municipality="Emsdetten")
    Membership.objects.create(organisation=delta, network=world.network_x)
    for org in (world.org_b, delta):
        matrix.need_save(
            network=world.network_x,
            organisation=org,
            topic=topic,
            by=world.users["manager_x"],
            data={"priority": 2, "head_count": 2, "preferred_format": "in_house"},
        )
    Contact.objects.create(organisation=world.org_a, first_name="Ben", last_name="Kaya")

    # The member company states its need, cell by cell, without leaving the page.
    log_in(page, "member_a_x@example.org")
    page.get_by_role("link", name="Qualifizierung").first.click()
    expect(page.get_by_role("heading", name="Qualifizierung", level=1)).to_be_visible()
    page.get_by_role("link", name="Unser Qualifizierungsbedarf").click()
    expect(page.get_by_role("heading", name="Unser Qualifizierungsbedarf", level=1)).to_be_visible()
    assert_accessible(page)  # waits for the load event too: htmx has taken over the links before the flag is set
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Bearbeiten Führung für Meister").click()
    editor = page.locator("#need-editor")
    editor.get_by_label("dringend").check()
    editor.get_by_label("Anzahl Personen").fill("3")
    editor.get_by_label("Zielgruppe").fill("Vorarbeiter")
    assert_accessible(page)
    editor.get_by_role("button", name="Speichern").click()
    editor.get_by_role("status").filter(has_text="Gespeichert").wait_for()
    row = page.locator(f"#topic-{topic.pk}")
    expect(row).to_contain_text("dringend", use_inner_text=True)
    expect(row).to_contain_text("3", use_inner_text=True)
    # Read after the swapped row is shown: a full page load would already have cleared the flag, it cannot come back.
    assert page.evaluate("window.__sameDocument") is True
    assert Need.objects.get(organisation=world.org_a).priority == 3
    # Three organisations stand behind the topic now: members see the network's number.
    page.reload()
    expect(page.get_by_role("row", name="Führung für Meister 3 7")).to_contain_text("7", use_inner_text=True)

    # The manager sees the heat map, corrects a cell in place, and turns the proposal into a course.
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/matrix/")
    assert_accessible(page)
    # A pattern, not a string, keeps the tabs between the cells (strings are compared with whitespace collapsed).
    expect(page.locator("tfoot")).to_contain_text(re.compile(r"Summe Personen\t7\t0"), use_inner_text=True)  # 3 + 2 + 2 on Führung, nobody on Gesundheit
    cell = page.locator(f"#cell-{delta.pk}-{topic.pk} a")
    expect(cell).to_have_text(re.compile(r"^2"), use_inner_text=True)  # shade
    expect(cell).to_contain_text("++", use_inner_text=True)  # and symbol
    cell.click()
    cell_editor = page.locator("#cell-editor")
    cell_editor.get_by_label("Anzahl Personen").fill("-1")
    cell_editor.get_by_role("button", name="Speichern").click()
    cell_editor.get_by_text("ganze Zahl ab 0").wait_for()
    cell_editor.get_by_label("Anzahl Personen").fill("4")
    cell_editor.get_by_role("button", name="Speichern").click()
    cell_editor.get_by_role("status").wait_for()
    page.locator("tfoot").filter(has_text="Summe Personen\t9").wait_for()  # the table reloaded itself with the new totals
    page.goto("/manage/netz-x/qualification/alignment/")
    assert_accessible(page)
    page.get_by_label("Führung für Meister – 3 Organisationen, 9 Personen").check()
    page.get_by_label("Kurstitel (leer: aus den Themen)").fill("Führen im Betrieb")
    page.get_by_role("button", name="Als Kurs übernehmen").click()
    page.get_by_role("heading", name="Führen im Betrieb", level=1).wait_for()
    assert_accessible(page)
    course = Course.objects.get()
    assert course.status == "planned" and course.format == "in_house"

    # The member enrols two employees by name.
    page.context.clear_cookies()
    log_in(page, "member_a_x@example.org")
    page.goto("/portal/qualification/netz-x/courses/")
    page.get_by_role("link", name="Führen im Betrieb").click()
    expect(page.get_by_role("heading", name="Führen im Betrieb", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ben Kaya").check()
    page.get_by_label("Mia member_a_x").check()
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("2 Personen angemeldet.").wait_for()
    assert Enrolment.objects.filter(course=course, organisation=world.org_a, status="enrolled").count() == 2
    assert page.csp_violations == []


def test_every_qualification_page_is_accessible(page, world):
    """axe (WCAG 2.1 A/AA) and CSP on every qualification page of a manager and of a member, with data on them."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from qualification.models import CourseFile, CourseSession

    topic = Topic.objects.create(network=world.network_x, title="Arbeiten im Alter", description="Demografie")
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=world.users["manager_x"], data={"priority": 1, "head_count": 1})
    course = Course.objects.create(
        network=world.network_x,
        title="Ergonomie",
        year=timezone.localdate().year,
        status="held",
        seats=5,
        documentation="**Merkblatt**",
        documentation_published_at=timezone.now(),
    )
    course.topics.add(topic)
    start = timezone.now() - timedelta(days=3)
    session = CourseSession.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=2), place="Rheine")
    Enrolment.objects.create(course=course, organisation=world.org_a, head_count=2)
    item = CourseFile(course=course, title="Handout", size=8)
    item.file.save("h.pdf", ContentFile(b"%PDF-1.4"), save=False)
    item.save()
    log_in(page, "manager_x@example.org")
    base = "/manage/netz-x/qualification/"
    for path in [
        "",
        "topics/",
        f"topics/{topic.pk}/",
        "matrix/",
        f"matrix/{world.org_b.pk}/{topic.pk}/",
        "alignment/",
        "courses/",
        "courses/new/",
        f"courses/{course.pk}/",
        f"courses/{course.pk}/edit/",
        f"courses/{course.pk}/sessions/{session.pk}/attendance/",
        f"courses/{course.pk}/documentation/",
        "indicators/",
    ]:
        page.goto(base + path)
        expect(page.locator("h1"), path).to_have_count(1)
        assert_accessible(page)
    page.context.clear_cookies()
    log_in(page, "member_a_x@example.org")
    for path in [
        "/portal/qualification/",
        "/portal/qualification/netz-x/needs/",
        f"/portal/qualification/netz-x/needs/{topic.pk}/",
        "/portal/qualification/netz-x/courses/",
        f"/portal/qualification/netz-x/courses/{course.pk}/",
    ]:
        page.goto(path)
        expect(page.locator("h1"), path).to_have_count(1)
        assert_accessible(page)
    assert page.csp_violations == []
