"""Questions to the office: asking, routing by competency, answering, consent, publishing, searching; who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cooperation import questions
from cooperation.models import Answer, KnowledgeEntry, Question
from members.models import Contact, Membership, Organisation, Tag
from tests.conftest import World
from verbund.models import User


def contact(world: World, org: str) -> Contact:
    return Contact.objects.get(organisation=getattr(world, org))


def ask(world: World, *, title="Wasserstoff im Lager?", text="Wer kennt sich mit Brandschutz für Wasserstoff aus?", tags="Wasserstoff") -> Question:
    asker = contact(world, "org_a")
    return questions.question_ask(contact=asker, network=world.network_x, data={"title": title, "text": text}, tags_text=tags, by=asker.user)


def answered(world: World) -> tuple[Question, Answer]:
    question = ask(world)
    questions.question_route(question=question, organisations=[world.org_b], by=world.users["manager_x"])
    b = contact(world, "org_b")
    return question, questions.answer_give(question=question, contact=b, text="Ja, Beta KG hat dazu ein Konzept.", by=b.user)


def test_a_member_asks_in_its_network_and_the_tags_are_kept(world):
    question = ask(world)
    assert question.organisation == world.org_a and question.network == world.network_x
    assert [t.name for t in question.tags.all()] == ["Wasserstoff"]
    assert question.history.first().history_user == world.users["member_a_x"]


def test_a_member_cannot_ask_in_a_network_its_organisation_does_not_belong_to(world):
    asker = contact(world, "org_a")
    with pytest.raises(ValidationError):
        questions.question_ask(contact=asker, network=world.network_y, data={"title": "T", "text": "x"}, by=asker.user)


def test_candidates_come_by_competency_tags_first_then_words(world):
    d = Organisation.objects.create(name="Delta GmbH", competencies="Beratung zu Brandschutz")
    Membership.objects.create(organisation=d, network=world.network_x)
    world.org_b.competency_tags.add(Tag.objects.create(name="Wasserstoff"))
    world.org_c.competency_tags.add(Tag.objects.get(name="Wasserstoff"))  # a member of Y: never suggested for X
    question = ask(world)
    found = questions.routing_candidates(question)
    assert [c.organisation for c in found] == [world.org_b, d]
    assert found[0].tags == ["Wasserstoff"] and "brandschutz" in found[1].words


def test_routing_only_to_members_of_the_questions_network(world):
    question = ask(world)
    with pytest.raises(ValidationError):
        questions.question_route(question=question, organisations=[world.org_c], by=world.users["manager_x"])
    made = questions.question_route(question=question, organisations=[world.org_b, world.org_b], by=world.users["manager_x"])
    assert len(made) == 1


def test_only_routed_members_answer_and_the_first_answer_time_is_stored(world):
    question = ask(world)
    b = contact(world, "org_b")
    with pytest.raises(ValidationError):
        questions.answer_give(question=question, contact=b, text="x", by=b.user)
    question, answer = answered(world)
    question.refresh_from_db()
    assert question.first_answer_at == answer.created_at
    assert question.hours_to_first_answer is not None and question.hours_to_first_answer >= 0


def test_publishing_needs_a_closed_question_and_every_consent(world):
    question, answer = answered(world)
    manager = world.users["manager_x"]
    with pytest.raises(ValidationError):
        questions.question_publish(question=question, answers=[], by=manager)  # still open
    questions.question_close(question=question, by=manager)
    with pytest.raises(ValidationError, match="fragende"):
        questions.question_publish(question=question, answers=[answer], by=manager)
    a, b = contact(world, "org_a"), contact(world, "org_b")
    questions.question_consent(question=question, contact=a, by=a.user)
    with pytest.raises(ValidationError, match="Beta KG"):
        questions.question_publish(question=question, answers=[answer], by=manager)
    with pytest.raises(ValidationError):
        questions.answer_consent(answer=answer, contact=a, by=a.user)  # only the answering organisation
    questions.answer_consent(answer=answer, contact=b, by=b.user)
    answer.refresh_from_db()
    assert answer.consent_by == b.user and answer.consent_at is not None
    entry = questions.question_publish(question=question, answers=[answer], by=manager)
    assert "Beta KG hat dazu ein Konzept" in entry.body and entry.network == world.network_x
    answer.refresh_from_db()
    assert answer.published
    assert list(KnowledgeEntry.objects.for_network(world.network_x).search("wasserstoff konzept")) == [entry]
    assert not KnowledgeEntry.objects.for_network(world.network_x).search("Solar").exists()


def _login(client, world, persona):
    user: User = world.users[persona]
    client.force_login(user)


@pytest.mark.parametrize(("persona", "status"), [("member_a_x", 200), ("member_b_x", 404), ("member_c_y", 404), ("manager_y", 403)])
def test_a_question_is_seen_by_the_asker_only_until_it_is_routed(client, world, persona, status):
    question = ask(world)
    _login(client, world, persona)
    assert client.get(reverse("portal_questions:detail", args=[question.pk])).status_code == status


def test_a_routed_member_sees_and_answers_the_question_in_the_portal(client, world):
    question = ask(world)
    questions.question_route(question=question, organisations=[world.org_b], by=world.users["manager_x"])
    _login(client, world, "member_b_x")
    page = client.get(reverse("portal_questions:list"))
    assert question.title in page.content.decode()
    response = client.post(reverse("portal_questions:answer", args=[question.pk]), {"text": "Unsere Antwort"})
    assert response.status_code == 302
    assert question.answers.get().text == "Unsere Antwort"
    assert client.post(reverse("portal_questions:answer", args=[question.pk]), {"text": ""}).status_code == 200  # refused with a form error


def test_a_question_is_not_seen_across_networks_by_managers(client, world):
    question = ask(world)
    _login(client, world, "manager_y")
    assert client.get(reverse("questions:detail", args=["netz-y", question.pk])).status_code == 404
    assert client.get(reverse("questions:detail", args=["netz-x", question.pk])).status_code == 404
    _login(client, world, "manager_x")
    page = client.get(reverse("questions:inbox", args=["netz-x"]))
    assert question.title in page.content.decode()


def test_the_asker_loses_sight_when_its_membership_ends(client, world):
    question = ask(world)
    Membership.objects.filter(organisation=world.org_a).update(status=Membership.Status.LEFT)
    _login(client, world, "member_a_x")
    assert client.get(reverse("portal_questions:detail", args=[question.pk])).status_code == 404


def test_the_manager_routes_closes_and_publishes_through_the_pages(client, world):
    question = ask(world)
    _login(client, world, "manager_x")
    assert client.post(reverse("questions:route", args=["netz-x", question.pk]), {"organisations": [world.org_c.pk]}).status_code == 200  # not a choice
    assert client.post(reverse("questions:route", args=["netz-x", question.pk]), {"organisations": [world.org_b.pk]}).status_code == 302
    assert question.routings.get().organisation == world.org_b
    assert client.post(reverse("questions:close", args=["netz-x", question.pk])).status_code == 302
    refused = client.post(reverse("questions:publish", args=["netz-x", question.pk]), {})
    assert refused.status_code == 200 and "nicht zugestimmt" in refused.content.decode()
    a = contact(world, "org_a")
    questions.question_consent(question=question, contact=a, by=a.user)
    response = client.post(reverse("questions:publish", args=["netz-x", question.pk]), {})
    entry = KnowledgeEntry.objects.get()
    assert response.url == reverse("questions:knowledge_detail", args=["netz-x", entry.pk])


def test_members_search_the_knowledge_base_of_their_own_networks_only(client, world):
    question, answer = answered(world)
    questions.question_close(question=question, by=world.users["manager_x"])
    a = contact(world, "org_a")
    questions.question_consent(question=question, contact=a, by=a.user)
    entry = questions.question_publish(question=question, answers=[], by=world.users["manager_x"])
    _login(client, world, "member_b_x")
    assert entry.title in client.get(reverse("portal_questions:knowledge_list"), {"q": "Brandschutz"}).content.decode()
    assert entry.title not in client.get(reverse("portal_questions:knowledge_list"), {"q": "Photovoltaik"}).content.decode()
    _login(client, world, "member_c_y")
    assert entry.title not in client.get(reverse("portal_questions:knowledge_list"), {"q": "Brandschutz"}).content.decode()
    assert client.get(reverse("portal_questions:knowledge_detail", args=[entry.pk])).status_code == 404


def test_indicators_count_questions_and_the_median_time_to_first_answer(world):
    first, answer = answered(world)
    second = ask(world, title="Zweite Frage")
    Question.objects.filter(pk=first.pk).update(created_at=answer.created_at - timedelta(hours=2))
    Question.objects.filter(pk=second.pk).update(first_answer_at=second.created_at + timedelta(hours=6))
    ask(world, title="Unbeantwortet")
    today = timezone.localdate()
    figures = questions.indicators(world.network_x, today - timedelta(days=1), today)
    assert figures["questions_asked"] == 3
    assert figures["questions_answered"] == 2
    assert figures["median_hours_to_first_answer"] == 4.0
    assert figures["suggestions_made"] == 0 and figures["suggestions_taken_up"] == 0
    assert questions.indicators(world.network_y, today, today)["median_hours_to_first_answer"] is None
