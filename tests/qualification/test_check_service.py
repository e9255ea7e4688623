"""Company check rounds: drafts, completion, versioned templates, sharing that can be withdrawn."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from qualification import checks, checks_service
from qualification.models import CheckAnswer, CheckQuestion, CheckTemplate


def basis():
    return CheckTemplate.objects.get(network=None, key="unternehmens-check-basis", version=1)


def test_a_round_is_answered_as_a_draft_completed_only_when_whole(world, member_a_x):
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=basis(), by=member_a_x)
    questions = list(CheckQuestion.objects.filter(area__template=basis()))
    with pytest.raises(ValidationError):
        checks_service.check_answer(check=check, question=questions[0], value=5, by=member_a_x)
    foreign = CheckQuestion.objects.filter(area__template__key="unternehmens-check-intensiv").first()
    with pytest.raises(ValidationError):
        checks_service.check_answer(check=check, question=foreign, value=2, by=member_a_x)
    for question in questions[:-1]:
        checks_service.check_answer(check=check, question=question, value=3, by=member_a_x)
    with pytest.raises(ValidationError, match="1 Antworten"):
        checks_service.check_complete(check=check, by=member_a_x)
    checks_service.check_answer(check=check, question=questions[-1], value=1, by=member_a_x)
    checks_service.check_complete(check=check, by=member_a_x)
    with pytest.raises(ValidationError):
        checks_service.check_answer(check=check, question=questions[0], value=0, by=member_a_x)


def test_a_revised_template_never_changes_answers_given_to_the_older_version(world, manager_x, member_a_x):
    own = checks_service.template_copy(template=basis(), network=world.network_x, by=manager_x)
    assert checks_service.template_editable(own)
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=own, by=member_a_x)
    first = CheckQuestion.objects.filter(area__template=own).order_by("area__position", "position").first()
    checks_service.check_answer(check=check, question=first, value=4, by=member_a_x)
    assert not checks_service.template_editable(own)  # answered: frozen
    revised = checks_service.template_copy(template=own, network=world.network_x, by=manager_x, revise=True)
    CheckQuestion.objects.filter(area__template=revised).update(text="Neu formuliert")
    assert revised.version == 2 and list(checks_service.templates_for(world.network_x).filter(key=own.key)) == [revised]
    answer = CheckAnswer.objects.get(round=check)
    assert answer.question.text == first.text and answer.question.area.template_id == own.pk
    assert {s.key: s.percent for s in checks.area_scores(check)}[first.area.key] == 100
    with pytest.raises(ValidationError):
        checks_service.check_start(network=world.network_y, organisation=world.org_c, template=own, by=member_a_x)  # X's own template


def test_results_are_the_companys_until_shared_and_sharing_can_be_withdrawn(world, manager_x, manager_y, member_a_x, member_b_x):
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=basis(), by=member_a_x)
    visible = lambda user: list(checks_service.rounds_visible_to(user, world.network_x))  # noqa: E731
    assert visible(member_a_x) == [check]
    assert visible(manager_x) == [] and visible(member_b_x) == []
    share = checks_service.check_share(check=check, by=member_a_x, with_managers=True)
    assert visible(manager_x) == [check] and visible(manager_y) == [] and visible(member_b_x) == []
    checks_service.check_withdraw(share=share, by=member_a_x)
    assert visible(manager_x) == []
    advisor = world.users["manager_y"]  # any login can be named as the advisor
    checks_service.check_share(check=check, by=member_a_x, advisor=advisor)
    assert visible(advisor) == [check] and visible(manager_x) == []
    with pytest.raises(ValidationError):
        checks_service.check_share(check=check, by=member_a_x)
