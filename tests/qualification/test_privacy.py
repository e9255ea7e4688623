"""DSGVO: the organisation's export holds its needs, checks and enrolments, and nothing of another company."""

from __future__ import annotations

import json

from members.models import Contact
from members.privacy import organisation_data_export
from qualification import checks_service, courses, matrix
from qualification.models import CheckTemplate, Course, Topic


def test_export_holds_needs_checks_and_enrolments_of_the_own_organisation_only(world, manager_x, member_a_x):
    topic = Topic.objects.create(network=world.network_x, title="Gesundheit")
    matrix.need_save(
        network=world.network_x, organisation=world.org_a, topic=topic, by=manager_x, data={"priority": 2, "head_count": 3, "target_group": "Azubis"}
    )
    matrix.need_save(
        network=world.network_x, organisation=world.org_b, topic=topic, by=manager_x, data={"priority": 3, "head_count": 9, "target_group": "B-GEHEIM"}
    )
    template = CheckTemplate.objects.get(network__isnull=True, key="unternehmens-check-basis", is_current=True)
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=template, by=member_a_x)
    question = template.areas.first().questions.first()
    checks_service.check_answer(check=check, question=question, value=3, by=member_a_x, note="Mitarbeitergespräche jährlich")
    checks_service.check_share(check=check, by=member_a_x, with_managers=True)
    course = Course.objects.create(network=world.network_x, title="Rückenschule", year=2026, status="planned", seats=5)
    person = Contact.objects.get(organisation=world.org_a)
    courses.enrol(course=course, organisation=world.org_a, by=member_a_x, contact=person)
    courses.enrol(course=course, organisation=world.org_b, by=manager_x, head_count=2)

    data = organisation_data_export(organisation=world.org_a)
    text = json.dumps(data, ensure_ascii=False)
    assert [(n["topic"], n["head_count"], n["target_group"]) for n in data["qualification_needs"]] == [("Gesundheit", 3, "Azubis")]
    [exported] = data["company_checks"]
    assert exported["answers"] == [{"statement": question.text, "value": 3, "note": "Mitarbeitergespräche jährlich"}]
    assert exported["shared"][0]["with_office"] is True and exported["shared"][0]["withdrawn_at"] is None
    assert [(e["course"], e["person"], e["head_count"]) for e in data["course_enrolments"]] == [("Rückenschule", person.full_name, 1)]
    assert "B-GEHEIM" not in text and "Beta KG" not in text


def test_readable_export_shows_the_qualification_sections(client, world, manager_x, member_a_x):
    topic = Topic.objects.create(network=world.network_x, title="Arbeiten im Alter")
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=manager_x, data={"priority": 3, "head_count": 2})
    client.force_login(member_a_x)
    from django.urls import reverse

    page = client.get(reverse("privacy:export_html")).content.decode()
    assert "Qualifizierungsbedarf" in page and "Arbeiten im Alter" in page and "Kursanmeldungen" in page
