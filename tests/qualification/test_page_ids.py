"""Every qualification page, manager's and member's, with data on it: each id once, every label and ARIA reference
pointing at an element (parsed with html.parser). Pages that show two forms (a course's sessions and enrolment, the
documentation and its files, a cell's form) would otherwise give two fields the same id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from qualification import checks_service, matrix
from qualification.models import CheckArea, CheckQuestion, CheckTemplate, Course, CourseFile, CourseSession, Enrolment, Topic
from tests.qualification.html_ids import id_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world):
    manager = world.users["manager_x"]
    topic = Topic.objects.create(network=world.network_x, title="Arbeitssicherheitsunterweisung", description="Pflicht")
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=manager, data={"priority": 2, "head_count": 3})
    course = Course.objects.create(network=world.network_x, title="Ergonomie", year=timezone.localdate().year, status="held", seats=5)
    course.topics.add(topic)
    start = timezone.now() - timedelta(days=2)
    session = CourseSession.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=2), place="Rheine")
    Enrolment.objects.create(course=course, organisation=world.org_a, head_count=2)
    Enrolment.objects.create(course=course, organisation=world.org_b, head_count=1, status="waitlisted")
    item = CourseFile(course=course, title="Handout", size=8)
    item.file.save("h.pdf", ContentFile(b"%PDF-1.4"), save=False)
    item.save()
    template = CheckTemplate.objects.get(network=None, key="unternehmens-check-basis", version=1)
    member = world.users["member_a_x"]
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=template, by=member)
    for question in CheckQuestion.objects.filter(area__template=template):
        checks_service.check_answer(check=check, question=question, value=3, by=member)
    checks_service.check_complete(check=check, by=member)
    checks_service.check_share(check=check, by=member, with_managers=True)
    draft = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=template, by=member)
    own = checks_service.template_copy(template=template, network=world.network_x, by=manager)
    return {"topic": topic, "course": course, "session": session, "template": template, "check": check, "draft": draft, "own": own}


def manager_pages(p) -> list[str]:
    def m(name, *args):
        return reverse(f"qualification:{name}", args=["netz-x", *args])

    course, world_topic = p["course"], p["topic"]
    area = CheckArea.objects.filter(template=p["template"]).first()
    pages = [
        m("home"),
        m("topics"),
        m("topic_edit", world_topic.pk),
        m("matrix"),
        m("alignment"),
        m("courses"),
        m("course_create"),
        m("course", course.pk),
        m("course_edit", course.pk),
        m("attendance", course.pk, p["session"].pk),
        m("documentation", course.pk),
        m("indicators"),
        m("checks"),
        m("check_template", p["template"].pk),
        m("check_round", p["check"].pk),
    ]
    own_area = CheckArea.objects.filter(template=p["own"]).first()
    assert area is not None and own_area is not None
    question = CheckQuestion.objects.filter(area=own_area).first()
    assert question is not None
    pages += [
        m("check_template", p["own"].pk),
        m("check_template_edit", p["own"].pk),
        m("check_area_create", p["own"].pk),
        m("check_area_edit", own_area.pk),
        m("check_question_create", own_area.pk),
        m("check_question_edit", question.pk),
    ]
    return pages


def test_manager_pages_have_each_id_once(client, world, programme):
    client.force_login(world.users["manager_x"])
    org = world.org_a
    pages = [*manager_pages(programme), reverse("qualification:cell", args=["netz-x", org.pk, programme["topic"].pk])]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert id_problems(response.content.decode()) == [], path


def test_the_cell_editor_in_the_matrix_adds_no_id_of_the_page(client, world, programme):
    """The editor row is inserted into the matrix page: its ids must not be on that page already."""
    client.force_login(world.users["manager_x"])
    page = client.get(reverse("qualification:matrix", args=["netz-x"])).content.decode()
    editor = client.get(reverse("qualification:cell", args=["netz-x", world.org_b.pk, programme["topic"].pk]), HTTP_HX_REQUEST="true").content.decode()
    assert id_problems(page.replace("</tbody>", editor + "</tbody>", 1)) == []


def test_member_pages_have_each_id_once(client, world, programme):
    client.force_login(world.users["member_a_x"])
    course, topic = programme["course"], programme["topic"]
    for path in [
        reverse("qualification_portal:home"),
        reverse("qualification_portal:needs", args=["netz-x"]),
        reverse("qualification_portal:need_edit", args=["netz-x", topic.pk]),
        reverse("qualification_portal:courses", args=["netz-x"]),
        reverse("qualification_portal:course", args=["netz-x", course.pk]),
        reverse("qualification_portal:checks"),
        reverse("qualification_portal:check_round", args=[programme["check"].pk]),
        reverse("qualification_portal:check_answer", args=[programme["draft"].pk]),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert id_problems(response.content.decode()) == [], path
