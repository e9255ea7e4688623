"""The member portal's qualification pages: our own matrix row, the network's aggregates, courses and enrolment, documentation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from members.models import Contact, Membership, Organisation
from qualification import matrix
from qualification.models import (
    Course,
    CourseFile,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)


def url(name: str, *args, slug: str = "netz-x") -> str:
    return reverse(f"qualification_portal:{name}", args=[slug, *args])


@pytest.fixture
def topic(world):
    return Topic.objects.create(network=world.network_x, title="Digitale Kompetenzen")


@pytest.fixture
def member(client, member_a_x):
    client.force_login(member_a_x)
    return client


def open_course(world, topic, seats=3) -> Course:
    course = Course.objects.create(network=world.network_x, title="Excel für Meister", year=2026, status="planned", seats=seats)
    course.topics.add(topic)
    start = timezone.now() + timedelta(days=20)
    CourseSession.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=3), place="Rheine")
    return course


def test_member_edits_own_row_and_a_forged_organisation_is_ignored(member, world, topic):
    response = member.post(
        url("need_edit", topic.pk),
        {"priority": 2, "head_count": 3, "organisation": world.org_b.pk, "network": world.network_y.pk, "target_group": "Meister"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"  # only the row, in place
    assert json.loads(response["HX-Trigger-After-Swap"]) == {"cell-saved": {"cell": f"edit-{topic.pk}"}}  # the editor closes
    body = response.content.decode()
    assert f'id="topic-{topic.pk}" hx-swap-oob="true"' in body and "wichtig" in body
    need = Need.objects.get()
    assert (need.organisation, need.network, need.head_count, need.target_group) == (world.org_a, world.network_x, 3, "Meister")
    bad = member.post(url("need_edit", topic.pk), {"priority": 2, "head_count": -5})
    assert bad.status_code == 400 and "ganze Zahl ab 0" in bad.content.decode()
    assert Need.objects.get().head_count == 3
    assert member.post(url("need_edit", 999999), {"priority": 1, "head_count": 1}).status_code == 404  # unknown topic
    foreign = Topic.objects.create(network=world.network_y, title="Y-Thema")
    assert member.post(url("need_edit", foreign.pk), {"priority": 1, "head_count": 1}).status_code == 404
    assert member.post(url("need_edit", foreign.pk, slug="netz-y"), {"priority": 1, "head_count": 1}).status_code == 404  # not our network
    assert Need.objects.count() == 1
    page = member.get(url("needs")).content.decode()
    assert "Digitale Kompetenzen" in page and "wichtig" in page


def test_members_see_aggregates_only_from_three_organisations(member, world, topic, manager_x):
    matrix.need_save(network=world.network_x, organisation=world.org_b, topic=topic, by=manager_x, data={"priority": 3, "head_count": 7})
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=manager_x, data={"priority": 1, "head_count": 2})
    page = member.get(url("needs")).content.decode()
    assert "weniger als 3 Organisationen" in page and ">9<" not in page and ">7<" not in page  # B's 7 people stay B's
    third = Organisation.objects.create(name="Delta")
    Membership.objects.create(organisation=third, network=world.network_x)
    matrix.need_save(network=world.network_x, organisation=third, topic=topic, by=manager_x, data={"priority": 2, "head_count": 1})
    rows = member.get(url("needs")).context["aggregates"]
    assert [(r["organisations"], r["head_count"]) for r in rows] == [(3, 10)]


def test_member_enrols_two_colleagues_then_the_waitlist_moves_up(member, client, world, topic):
    course = open_course(world, topic, seats=2)
    colleague = Contact.objects.create(organisation=world.org_a, first_name="Ben", last_name="Kaya")
    me = world.org_a.contacts.get(user=world.users["member_a_x"])
    response = member.post(url("enrol", course.pk), {"contacts": [me.pk, colleague.pk]})
    assert response.status_code == 302
    assert sorted(Enrolment.objects.values_list("contact__first_name", "status")) == [("Ben", "enrolled"), ("Mia", "enrolled")]
    client.force_login(world.users["member_b_x"])
    b_page = client.post(url("enrol", course.pk), {"head_count": 1}, follow=True).content.decode()
    assert "Warteliste" in b_page and "Ben" not in b_page  # B never sees A's people
    forged = client.post(url("enrol", course.pk), {"contacts": [colleague.pk]})
    assert forged.status_code == 400 and "gehört nicht zu Ihrer Organisation" in forged.content.decode()
    mine = Enrolment.objects.get(contact=colleague)
    assert client.post(url("enrolment_cancel", course.pk, mine.pk)).status_code == 404  # A's enrolment by B
    client.force_login(world.users["member_a_x"])
    client.post(url("enrolment_cancel", course.pk, mine.pk))
    assert Enrolment.objects.get(organisation=world.org_b).status == "enrolled"  # moved up
    over = client.post(url("enrol", course.pk), {"head_count": 3})
    assert over.status_code == 400 and "insgesamt 2 Plätze" in over.content.decode()
    empty = client.post(url("enrol", course.pk), {})
    assert empty.status_code == 400 and "Personen auswählen oder eine Anzahl" in empty.content.decode()
    negative = client.post(url("enrol", course.pk), {"head_count": "-2"})
    assert negative.status_code == 400
    assert Enrolment.objects.exclude(status="cancelled").count() == 2


def test_enrolling_several_is_all_or_nothing(member, world, topic):
    course = open_course(world, topic, seats=5)
    me = world.org_a.contacts.get(user=world.users["member_a_x"])
    Enrolment.objects.create(course=course, organisation=world.org_a, contact=me, head_count=1)
    colleague = Contact.objects.create(organisation=world.org_a, first_name="Ben", last_name="Kaya")
    response = member.post(url("enrol", course.pk), {"contacts": [colleague.pk, me.pk]})
    assert response.status_code == 400 and "bereits angemeldet" in response.content.decode()
    assert not Enrolment.objects.filter(contact=colleague).exists()


def test_courses_members_may_see_and_documentation_after_publishing(member, world, topic):
    course = open_course(world, topic)
    hidden = Course.objects.create(network=world.network_x, title="Nur ein Vorschlag", year=2026, status="proposed")
    page = member.get(url("courses")).content.decode()
    assert "Excel für Meister" in page and "Nur ein Vorschlag" not in page
    assert member.get(url("course", hidden.pk)).status_code == 404
    y_course = Course.objects.create(network=world.network_y, title="Y-Kurs", year=2026, status="planned")
    assert member.get(url("course", y_course.pk)).status_code == 404
    assert member.get(url("course", y_course.pk, slug="netz-y")).status_code == 404
    item = CourseFile(course=course, title="Handout", size=9)
    item.file.save("h.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    item.save()
    assert member.get(url("file_download", course.pk, item.pk)).status_code == 404  # not published yet
    Course.objects.filter(pk=course.pk).update(status="held", documentation="**Merksätze**", documentation_published_at=timezone.now())
    detail = member.get(url("course", course.pk)).content.decode()
    assert "<strong>Merksätze</strong>" in detail and "Handout" in detail
    download = member.get(url("file_download", course.pk, item.pk))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert member.post(url("enrol", course.pk), {"head_count": 1}).status_code == 400  # held: no more enrolment


def test_check_result_offers_the_suggested_topics_of_the_catalogue_for_the_matrix(member, world, member_a_x):
    from qualification import checks_service
    from qualification.models import CheckTemplate

    template = CheckTemplate.objects.get(network__isnull=True, key="unternehmens-check-basis", is_current=True)
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=template, by=member_a_x)
    for area in template.areas.all():
        for question in area.questions.all():
            checks_service.check_answer(check=check, question=question, value=0, by=member_a_x)
    checks_service.check_complete(check=check, by=member_a_x)
    suggested = template.areas.order_by("position").first().suggested_topics[0]
    catalogue = Topic.objects.create(network=world.network_x, title=suggested)
    page = member.get(reverse("qualification_portal:check_round", args=[check.pk])).content.decode()
    assert url("need_edit", catalogue.pk) in page


def test_documentation_disappears_when_the_course_is_set_back(member, world, topic):
    course = open_course(world, topic)
    Course.objects.filter(pk=course.pk).update(status="held", documentation="Geheimtipp", documentation_published_at=timezone.now())
    assert "Geheimtipp" in member.get(url("course", course.pk)).content.decode()
    Course.objects.filter(pk=course.pk).update(status="confirmed")
    assert "Geheimtipp" not in member.get(url("course", course.pk)).content.decode()


def test_networks_without_a_programme_say_so(member, world):
    page = member.get(reverse("qualification_portal:home")).content.decode()
    assert "kein Qualifizierungsprogramm" in page
    Topic.objects.create(network=world.network_x, title="Führung")
    assert "kein Qualifizierungsprogramm" not in member.get(reverse("qualification_portal:home")).content.decode()


def test_a_topics_editor_is_a_row_below_the_topic(member, world, topic):
    editor = member.get(url("need_edit", topic.pk), HTTP_HX_REQUEST="true").content.decode()
    assert editor.lstrip().startswith("<tr") and f'data-cell="edit-{topic.pk}"' in editor and "Schließen" in editor
    page = member.get(url("needs")).content.decode()
    assert f'<td id="edit-{topic.pk}"><a href=' in page and 'hx-target="closest tr"' in page
    refused = member.post(url("need_edit", topic.pk), {"priority": 2, "head_count": -1}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "<tr" not in refused.content.decode() and "ganze Zahl ab 0" in refused.content.decode()
    # Without JavaScript the topic has a page of its own.
    assert "Zurück" in member.get(url("need_edit", topic.pk)).content.decode()
