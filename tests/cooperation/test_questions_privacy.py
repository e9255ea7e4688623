"""DSGVO for questions and suggestions: the organisation's export shows them, erasing a person unnames them."""

from __future__ import annotations

from cooperation import questions, suggestions
from cooperation.models import Answer, Question, SuggestionSupport, TopicSuggestion
from members.models import Contact
from members.privacy import organisation_data_export, person_erase


def _setup(world):
    a, b = Contact.objects.get(organisation=world.org_a), Contact.objects.get(organisation=world.org_b)
    question = questions.question_ask(contact=a, network=world.network_x, data={"title": "Fördermittel?", "text": "Welche gibt es?"}, by=a.user)
    questions.question_route(question=question, organisations=[world.org_b], by=world.users["manager_x"])
    answer = questions.answer_give(question=question, contact=b, text="EFRE", by=b.user)
    questions.answer_consent(answer=answer, contact=b, by=b.user)
    suggestion = suggestions.suggestion_make(contact=a, network=world.network_x, data={"title": "Wasserstoff", "text": "", "target": "meeting"}, by=a.user)
    suggestions.suggestion_support(suggestion=suggestion, contact=b, by=b.user)
    return a, b, question, answer, suggestion


def test_the_export_shows_questions_answers_suggestions_and_supports(world):
    a, b, question, answer, suggestion = _setup(world)
    data_a = organisation_data_export(organisation=world.org_a)
    assert data_a["questions"][0]["title"] == "Fördermittel?" and data_a["questions"][0]["asked_by"] == a.full_name
    assert data_a["topic_suggestions"][0]["title"] == "Wasserstoff"
    data_b = organisation_data_export(organisation=world.org_b)
    assert data_b["answers"][0]["text"] == "EFRE" and data_b["answers"][0]["publication_consent_at"]
    assert data_b["topic_supports"][0]["person"] == b.full_name


def test_erasure_unnames_the_person_in_questions_answers_and_suggestions(world):
    a, b, question, answer, suggestion = _setup(world)
    person_erase(contact=a, by=world.users["staff"])
    person_erase(contact=b, by=world.users["staff"])
    question.refresh_from_db()
    answer.refresh_from_db()
    suggestion.refresh_from_db()
    assert question.asked_by is None and answer.author is None and suggestion.proposed_by is None
    assert answer.consent_by is None and answer.consent_at is not None  # the date of the consent stays
    assert not Question.history.filter(asked_by_id=a.pk).exists()
    assert not Answer.history.filter(author_id=b.pk).exists()
    assert not TopicSuggestion.history.filter(proposed_by_id=a.pk).exists()
    assert not SuggestionSupport.objects.filter(contact=b).exists()
    assert not SuggestionSupport.history.filter(contact_id=b.pk).exists()
    assert question.text == "Welche gibt es?"  # the organisation's question stays
