"""The programme: proposals accepted, merged and dropped; seats, waitlist and promotion; attendance; documentation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.models import Membership, Organisation
from qualification import courses, indicators, matrix
from qualification.models import Attendance, Course, CourseFile, Enrolment, Topic
from tests.hostile_files import pdf as pdf_bytes


@pytest.fixture
def topics(world):
    return [Topic.objects.create(network=world.network_x, title=title, position=i) for i, title in enumerate(["Führung", "Gesundheit", "Digital"])]


@pytest.fixture
def with_needs(world, manager_x, topics):
    orgs = [world.org_a, world.org_b, Organisation.objects.create(name="Delta OHG")]
    Membership.objects.create(organisation=orgs[2], network=world.network_x)
    for org in orgs:
        matrix.need_save(
            network=world.network_x, organisation=org, topic=topics[0], by=manager_x, data={"priority": 2, "head_count": 2, "preferred_format": "seminar"}
        )
        matrix.need_save(
            network=world.network_x, organisation=org, topic=topics[1], by=manager_x, data={"priority": 1, "head_count": 1, "preferred_format": "in_house"}
        )
    return orgs


def open_course(world, manager_x, topics, seats=4) -> Course:
    course = courses.course_from_topics(network=world.network_x, topic_ids=[topics[0].pk], by=manager_x, year=2026)
    course.seats = seats
    course.save()
    return course


def test_proposals_are_accepted_merged_or_dropped_and_do_not_come_back(world, manager_x, topics, with_needs):
    assert [r.topic for r in courses.open_proposals(world.network_x, 2026)] == topics[:2]
    merged = courses.course_from_topics(network=world.network_x, topic_ids=[t.pk for t in topics[:2]], by=manager_x, year=2026, title="")
    assert merged.title == "Führung / Gesundheit" and merged.status == Course.Status.PLANNED
    assert merged.format == "seminar"  # the most wished-for format; on a tie the first topic's
    assert courses.open_proposals(world.network_x, 2026) == []
    assert [r.topic for r in courses.open_proposals(world.network_x, 2027)] == topics[:2]  # next year's programme starts fresh
    dropped = courses.course_drop(network=world.network_x, topic_id=topics[0].pk, by=manager_x, year=2027)
    assert dropped.status == Course.Status.DROPPED
    assert [r.topic for r in courses.open_proposals(world.network_x, 2027)] == [topics[1]]
    foreign = Topic.objects.create(network=world.network_y, title="Fremd")
    with pytest.raises(ValidationError):
        courses.course_from_topics(network=world.network_x, topic_ids=[topics[2].pk, foreign.pk], by=manager_x, year=2026)
    with pytest.raises(ValidationError):
        courses.course_from_topics(network=world.network_x, topic_ids=[], by=manager_x, year=2026)
    assert Course.objects.count() == 2


def test_seats_waitlist_and_promotion_in_order(world, manager_x, topics):
    course = open_course(world, manager_x, topics, seats=4)
    first = courses.enrol(course=course, organisation=world.org_a, by=manager_x, head_count=3)
    big = courses.enrol(course=course, organisation=world.org_b, by=manager_x, head_count=2)
    person = world.org_a.contacts.get()
    small = courses.enrol(course=course, organisation=world.org_a, by=manager_x, contact=person)
    assert (first.status, big.status, small.status) == ("enrolled", "waitlisted", "enrolled")  # 3 + 1 = 4 seats
    assert courses.seats_free(course) == 0
    with pytest.raises(ValidationError, match="bereits angemeldet"):
        courses.enrol(course=course, organisation=world.org_a, by=manager_x, contact=person)
    with pytest.raises(ValidationError, match="insgesamt 4 Plätze"):
        courses.enrol(course=course, organisation=world.org_b, by=manager_x, head_count=5)
    with pytest.raises(ValidationError):
        courses.enrol(course=course, organisation=world.org_b, by=manager_x, head_count=0)
    with pytest.raises(ValidationError):  # a contact of another organisation
        courses.enrol(course=course, organisation=world.org_b, by=manager_x, contact=person)
    with pytest.raises(ValidationError):  # not a member of network X
        courses.enrol(course=course, organisation=world.org_c, by=manager_x, head_count=1)
    assert Enrolment.objects.count() == 3
    promoted = courses.enrolment_cancel(enrolment=small, by=manager_x)
    assert promoted == []  # 1 seat free, the 2 waiting do not fit
    promoted = courses.enrolment_cancel(enrolment=first, by=manager_x)
    assert [e.pk for e in promoted] == [big.pk] and courses.seats_free(course) == 2
    again = courses.enrol(course=course, organisation=world.org_a, by=manager_x, contact=person)  # re-enrolling after cancelling
    assert again.pk == small.pk and again.status == "enrolled"
    with pytest.raises(ValidationError):
        courses.course_update(course=course, by=manager_x, data={"seats": 2})  # 3 people enrolled
    assert Course.objects.get(pk=course.pk).seats == 4


def test_more_seats_move_the_waitlist_up(world, manager_x, topics):
    course = open_course(world, manager_x, topics, seats=1)
    courses.enrol(course=course, organisation=world.org_a, by=manager_x, head_count=1)
    waiting = courses.enrol(course=course, organisation=world.org_b, by=manager_x, head_count=1)
    assert waiting.status == "waitlisted"
    promoted = courses.course_update(course=course, by=manager_x, data={"seats": 2})
    assert [e.pk for e in promoted] == [waiting.pk]
    assert Enrolment.objects.get(pk=waiting.pk).status == "enrolled"


def test_status_transitions_attendance_and_indicators(world, manager_x, topics):
    course = open_course(world, manager_x, topics, seats=10)
    enrolment = courses.enrol(course=course, organisation=world.org_a, by=manager_x, head_count=3)
    with pytest.raises(ValidationError):
        courses.course_set_status(course=course, status="held", by=manager_x)  # planned → held skips confirmed
    courses.course_set_status(course=course, status="confirmed", by=manager_x)
    with pytest.raises(ValidationError, match="Termin"):
        courses.course_set_status(course=course, status="held", by=manager_x)  # no session has begun
    start = timezone.now() - timedelta(days=1)
    session = courses.session_add(course=course, by=manager_x, starts_at=start, ends_at=start + timedelta(hours=4), place="Rheine")
    with pytest.raises(ValidationError):
        courses.session_add(course=course, by=manager_x, starts_at=start, ends_at=start - timedelta(hours=1))
    courses.course_set_status(course=course, status="held", by=manager_x)
    with pytest.raises(ValidationError):
        courses.attendance_save(session=session, by=manager_x, present={enrolment.pk: 4})  # more than enrolled
    with pytest.raises(ValidationError):
        courses.attendance_save(session=session, by=manager_x, present={enrolment.pk: 2, 999999: 1})
    assert not Attendance.objects.exists()
    courses.attendance_save(session=session, by=manager_x, present={enrolment.pk: 2})
    figures = indicators.indicators(world.network_x, 2026)
    # Hand-computed: 1 planned course, held → 100 %; 2 attendees of 10 seats → 20 %; of 3 enrolled → 66.7 %; 1 company.
    assert (figures.planned, figures.held, str(figures.realisation)) == (1, 1, "100.0")
    assert (str(figures.participation_seats), str(figures.participation_enrolled), figures.companies_reached) == ("20.0", "66.7", 1)


def test_documentation_is_published_only_after_the_course_and_files_are_checked(world, manager_x, topics):
    course = open_course(world, manager_x, topics)
    with pytest.raises(ValidationError):
        courses.documentation_save(course=course, by=manager_x, text="Notizen", publish=True)
    saved = courses.documentation_save(course=course, by=manager_x, text="Notizen", publish=False)
    assert saved.documentation == "Notizen" and saved.documentation_published_at is None
    Course.objects.filter(pk=course.pk).update(status=Course.Status.HELD)
    published = courses.documentation_save(course=course, by=manager_x, text="Notizen", publish=True)
    assert published.documentation_published_at is not None
    with pytest.raises(ValidationError):
        courses.file_add(course=course, by=manager_x, upload=SimpleUploadedFile("x.pdf", b"<html>no pdf</html>"), title="Fake")
    assert not CourseFile.objects.exists()
    item = courses.file_add(course=course, by=manager_x, upload=SimpleUploadedFile("../../etc/passwd.pdf", pdf_bytes()), title="Handout")
    assert item.file.name.startswith(f"courses/{course.pk}/") and "passwd" not in item.file.name


def test_enrolment_mails_confirm_waitlist_and_moving_up(world, manager_x, member_a_x, topics, mailoutbox_files, django_capture_on_commit_callbacks):
    from tests.conftest import mail_text

    course = open_course(world, manager_x, topics, seats=1)
    person = world.org_a.contacts.get()
    with django_capture_on_commit_callbacks(execute=True):
        first = courses.enrol(course=course, organisation=world.org_a, by=member_a_x, contact=person)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = courses.enrol(course=course, organisation=world.org_b, by=manager_x, head_count=1)
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_cancel(enrolment=first, by=member_a_x)
    texts = [mail_text(raw) for raw in mailoutbox_files()]
    # The person enrolled is also the one who enrolled: one mail, not two. B's head count went to the office's manager.
    assert len(texts) == 3
    confirmed = [t for t in texts if "Mia member_a_x (Alpha GmbH) ist für den Kurs „Führung“" in t]
    waitlisted = [t for t in texts if "steht auf der Warteliste" in t and "Beta KG, 1 Person " in t]
    moved_up = [t for t in texts if "ist ein Platz frei geworden: Beta KG" in t and f"/portal/qualification/netz-x/courses/{course.pk}/" in t]
    assert len(confirmed) == len(waitlisted) == len(moved_up) == 1
    assert Enrolment.objects.get(pk=waiting.pk).status == "enrolled"
