"""Company check scoring and the network's indicators, against hand-computed values (incl. empty and zero denominators)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from members.models import Organisation
from qualification import checks
from qualification.indicators import indicators
from qualification.models import (
    Attendance,
    CheckAnswer,
    CheckQuestion,
    CheckRound,
    CheckTemplate,
    Course,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)


def basis() -> CheckTemplate:
    return CheckTemplate.objects.get(network=None, key="unternehmens-check-basis", version=1)


def test_default_checks_are_installed_in_two_depths(db):
    intensiv = CheckTemplate.objects.get(network=None, key="unternehmens-check-intensiv")
    assert basis().depth == "basis" and intensiv.depth == "intensiv"
    assert basis().areas.count() == intensiv.areas.count() == 6
    assert CheckQuestion.objects.filter(area__template=basis()).count() == 18
    assert CheckQuestion.objects.filter(area__template=intensiv).count() == 36


def answer(round, area_key: str, values: list[int]) -> None:
    questions = list(CheckQuestion.objects.filter(area__template=round.template, area__key=area_key).order_by("position"))
    for question, value in zip(questions, values, strict=False):
        CheckAnswer.objects.update_or_create(round=round, question=question, defaults={"value": value})


def test_scores_strengths_needs_and_suggested_topics(world):
    check = CheckRound.objects.create(network=world.network_x, organisation=world.org_a, template=basis())
    answer(check, "fuehrung", [4, 3, 4])  # 11 of 12 → 92 %
    answer(check, "gesundheit", [1, 0, 2])  # 3 of 12 → 25 %
    answer(check, "personalentwicklung", [2, 1])  # 3 of 8 answered → 38 %, incomplete
    scores = {s.key: s for s in checks.area_scores(check)}
    assert scores["fuehrung"].percent == 92 and scores["fuehrung"].complete
    assert scores["gesundheit"].percent == 25
    assert scores["personalentwicklung"].percent == 38 and not scores["personalentwicklung"].complete
    assert scores["vielfalt"].percent is None and scores["vielfalt"].answered == 0
    listed = list(scores.values())
    assert [s.key for s in checks.strengths(listed)] == ["fuehrung"]
    assert [s.key for s in checks.needs(listed)] == ["gesundheit", "personalentwicklung"]  # weakest first
    assert checks.suggested_topics(listed)[:2] == ["Betriebliches Gesundheitsmanagement", "Arbeiten im Alter"]
    # Weights count: a weight-3 question at 0 pulls the area down.
    question = CheckQuestion.objects.filter(area__template=basis(), area__key="fuehrung").order_by("position").first()
    CheckQuestion.objects.filter(pk=question.pk).update(weight=3)
    answer(check, "fuehrung", [0, 3, 4])  # (3·0 + 3 + 4) / (3·4 + 4 + 4) = 7/20 → 35 %
    assert {s.key: s.percent for s in checks.area_scores(check)}["fuehrung"] == 35


def test_progress_between_rounds(world):
    first = CheckRound.objects.create(network=world.network_x, organisation=world.org_a, template=basis())
    answer(first, "gesundheit", [1, 0, 2])  # 25 %
    second = CheckRound.objects.create(network=world.network_x, organisation=world.org_a, template=basis())
    answer(second, "gesundheit", [3, 2, 2])  # 58 %
    change = checks.progress(first, second)
    assert change["gesundheit"] == 33 and change["fuehrung"] is None


def test_answers_stay_on_the_scale(world):
    check = CheckRound.objects.create(network=world.network_x, organisation=Organisation.objects.create(name="Skala GmbH"), template=basis())
    with pytest.raises(IntegrityError):
        CheckAnswer.objects.create(round=check, question=CheckQuestion.objects.filter(area__template=basis()).first(), value=5)


@pytest.fixture
def programme(world):
    """Hand-made programme of network X in 2026:
    courses: A held (10 seats), B held (5 seats), C planned, D cancelled, E proposed (not planned), F held in 2025.
    enrolments in A: org_a 4 people (3 came), org_b 2 people (nobody came); in B: org_a 1 person (came), one cancelled enrolment.
    needs: org_a urgent in T1, org_b useful in T1, org_a important in T2, org_b "none" in T2 (not expressed), T3 useful by org_a.
    A covers T1, B covers T2 → covered: 3 of 4 expressed.
    """
    x = world.network_x
    t1, t2, t3 = (Topic.objects.create(network=x, title=t) for t in ("Führung", "Gesundheit", "Azubimarketing"))
    now = timezone.now()
    a = Course.objects.create(network=x, title="A", year=2026, status="held", seats=10)
    b = Course.objects.create(network=x, title="B", year=2026, status="held", seats=5)
    Course.objects.create(network=x, title="C", year=2026, status="planned", seats=8)
    Course.objects.create(network=x, title="D", year=2026, status="cancelled", seats=8)
    Course.objects.create(network=x, title="E", year=2026, status="proposed")
    Course.objects.create(network=x, title="F", year=2025, status="held", seats=20)
    a.topics.add(t1)
    b.topics.add(t2)
    sa1 = CourseSession.objects.create(course=a, starts_at=now, ends_at=now + timedelta(hours=3))
    sa2 = CourseSession.objects.create(course=a, starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=3))
    sb = CourseSession.objects.create(course=b, starts_at=now, ends_at=now + timedelta(hours=2))
    ea = Enrolment.objects.create(course=a, organisation=world.org_a, head_count=4)
    eb = Enrolment.objects.create(course=a, organisation=world.org_b, head_count=2)
    ec = Enrolment.objects.create(course=b, organisation=world.org_a, head_count=1)
    Enrolment.objects.create(course=b, organisation=world.org_b, head_count=3, status="cancelled")
    Attendance.objects.create(session=sa1, enrolment=ea, present=3)
    Attendance.objects.create(session=sa2, enrolment=ea, present=2)
    Attendance.objects.create(session=sa1, enrolment=eb, present=0)
    Attendance.objects.create(session=sb, enrolment=ec, present=1)
    for org, topic, priority in [(world.org_a, t1, 3), (world.org_b, t1, 1), (world.org_a, t2, 2), (world.org_b, t2, 0), (world.org_a, t3, 1)]:
        Need.objects.create(network=x, organisation=org, topic=topic, priority=priority)


def test_indicators_match_the_hand_computed_values(world, programme):
    result = indicators(world.network_x, 2026)
    assert (result.planned, result.held) == (4, 2)  # A, B, C, D planned (E is only a proposal); A and B held
    assert result.realisation == Decimal("50.0")
    assert (result.seats, result.enrolled, result.attendees) == (15, 7, 4)  # attendees: 3 (max of org_a in A) + 0 + 1
    assert result.participation_seats == Decimal("26.7")  # 4 / 15
    assert result.participation_enrolled == Decimal("57.1")  # 4 / 7
    assert (result.expressed_needs, result.covered_needs) == (4, 3)
    assert result.coverage == Decimal("75.0")
    assert result.companies_reached == 1  # org_b enrolled but nobody came


def test_indicators_of_an_empty_year_are_not_computable_rather_than_zero(world, programme):
    result = indicators(world.network_x, 2030)
    assert result.planned == result.held == 0 and result.realisation is None
    assert result.participation_seats is None and result.participation_enrolled is None
    assert result.companies_reached == 0
    other = indicators(world.network_y, 2026)
    assert other.coverage is None and other.expressed_needs == 0
