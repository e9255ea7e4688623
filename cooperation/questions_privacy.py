"""DSGVO for questions and topic suggestions (answers the signals of members/privacy.py).

Export: the questions the organisation asked, its answers and consents, its suggestions and its people's supports.
Erasure: the person is no longer named as asker, answerer or proposer (the texts stay with the organisation), the
consents they gave keep their date but lose the login, their supports go; history rows naming them lose the name too."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cooperation.models import Answer, Question, SuggestionSupport, TopicSuggestion
from members.models import Contact, Organisation
from members.privacy import export_sections, person_erasing


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _name(contact: Contact | None) -> str | None:
    return contact.full_name if contact else None


@receiver(export_sections, sender=Organisation, dispatch_uid="cooperation-questions-export")
def export_questions(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    return {
        "questions": [
            {
                "network": q.network.name,
                "title": q.title,
                "text": q.text,
                "asked_by": _name(q.asked_by),
                "asked_at": _iso(q.created_at),
                "status": q.status,
                "publication_consent_at": _iso(q.consent_at),
            }
            for q in Question.objects.filter(organisation=organisation).select_related("network", "asked_by").order_by("pk")
        ],
        "answers": [
            {
                "network": a.question.network.name,
                "question": a.question.title,
                "text": a.text,
                "author": _name(a.author),
                "answered_at": _iso(a.created_at),
                "publication_consent_at": _iso(a.consent_at),
                "published": a.published,
            }
            for a in Answer.objects.filter(organisation=organisation).select_related("question__network", "author").order_by("pk")
        ],
        "topic_suggestions": [
            {
                "network": s.network.name,
                "title": s.title,
                "text": s.text,
                "target": s.target,
                "proposed_by": _name(s.proposed_by),
                "proposed_at": _iso(s.created_at),
                "status": s.status,
            }
            for s in TopicSuggestion.objects.filter(organisation=organisation).select_related("network", "proposed_by").order_by("pk")
        ],
        "topic_supports": [
            {"suggestion": s.suggestion.title, "person": s.contact.full_name, "supported_at": _iso(s.created_at)}
            for s in SuggestionSupport.objects.filter(contact__organisation=organisation).select_related("suggestion", "contact").order_by("pk")
        ],
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="cooperation-questions-erase")
def erase_from_questions(sender, *, contact: Contact, **kwargs: Any) -> None:
    user_id = contact.user_id
    for model, field in ((Question, "asked_by"), (Answer, "author"), (TopicSuggestion, "proposed_by")):
        model.objects.filter(**{field: contact}).update(**{field: None})
        model.history.filter(**{f"{field}_id": contact.pk}).update(**{field: None})  # type: ignore[attr-defined]  # simple_history's manager
    if user_id is not None:
        for model in (Question, Answer):
            model.objects.filter(consent_by_id=user_id).update(consent_by=None)
            model.history.filter(consent_by_id=user_id).update(consent_by=None)  # type: ignore[attr-defined]  # simple_history's manager
    SuggestionSupport.objects.filter(contact=contact).delete()
    SuggestionSupport.history.filter(contact_id=contact.pk).delete()  # type: ignore[attr-defined]  # simple_history's manager
