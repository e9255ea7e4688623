"""Questions to the office (Fachfragen): asking, routing to members who can answer, answers, consent and the knowledge base.

Every write names `by` in the history (verbund.services.save_audited). A question lives in one network: it is routed only
to current members of that network and its knowledge entry is read only there.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import Answer, KnowledgeEntry, Question, QuestionRouting, TopicSuggestion
from cooperation.models.questions import QUESTION_FIELDS
from members.models import Contact, Organisation
from members.services import tags_from_text
from verbund.models import Network, User
from verbund.services import save_audited

MAX_SUGGESTED = 10
_WORD = re.compile(r"\w{4,}")


@transaction.atomic
def question_ask(*, contact: Contact, network: Network, data: dict[str, Any], by: User, tags_text: str = "") -> Question:
    """A member asks the office of a network its organisation belongs to; `tags_text` are comma-separated topics.
    Raises ValidationError for any other network."""
    if not Network.objects.joined_by(contact.organisation).filter(pk=network.pk).exists():
        raise ValidationError(_("Ihre Organisation ist kein Mitglied dieses Verbunds."))
    question = Question(network=network, organisation=contact.organisation, asked_by=contact, **QUESTION_FIELDS.take(data))
    save_audited(question, by=by)
    question.tags.set(tags_from_text(tags_text))
    return question


@dataclass(frozen=True)
class Candidate:
    organisation: Organisation
    tags: list[str]
    words: list[str]


def routing_candidates(question: Question) -> list[Candidate]:
    """Current members of the question's network that may answer it: matching competency tags first, then words of the
    question found in their competencies; the asking organisation and those already routed are left out."""
    tag_ids = set(question.tags.values_list("pk", flat=True))
    words = {w.lower() for w in _WORD.findall(f"{question.title} {question.text}")}
    routed = question.routings.values("organisation_id")
    organisations = (
        Organisation.objects.current_members_of(question.network)
        .exclude(pk=question.organisation_id)
        .exclude(pk__in=routed)
        .prefetch_related("competency_tags")
        .order_by("name")
    )
    found: list[Candidate] = []
    for organisation in organisations:
        tags = sorted(t.name for t in organisation.competency_tags.all() if t.pk in tag_ids)
        haystack = " ".join([organisation.competencies, *(t.name for t in organisation.competency_tags.all())]).lower()
        hits = sorted(w for w in words if w in haystack)
        if tags or hits:
            found.append(Candidate(organisation, tags, hits))
    found.sort(key=lambda c: (-len(c.tags), -len(c.words), c.organisation.name))
    return found[:MAX_SUGGESTED]


@transaction.atomic
def question_route(*, question: Question, organisations: Iterable[Organisation], by: User) -> list[QuestionRouting]:
    """Ask member organisations to answer. Only current members of the question's network; an organisation routed
    before is skipped. Raises ValidationError when the question is closed or an organisation is no member."""
    if question.status != Question.Status.OPEN:
        raise ValidationError(_("Die Frage ist abgeschlossen."))
    members = set(Organisation.objects.current_members_of(question.network).values_list("pk", flat=True))
    done = set(question.routings.values_list("organisation_id", flat=True))
    made = []
    for organisation in organisations:
        if organisation.pk not in members:
            raise ValidationError(_("%(name)s ist kein Mitglied dieses Verbunds.") % {"name": organisation.name})
        if organisation.pk in done or organisation.pk == question.organisation_id:
            continue
        routing = QuestionRouting(question=question, organisation=organisation, routed_by=by)
        save_audited(routing, by=by)
        done.add(organisation.pk)
        made.append(routing)
    return made


@transaction.atomic
def answer_give(*, question: Question, contact: Contact, text: str, by: User) -> Answer:
    """A routed member answers. The first answer's time is stored on the question (time to first answer)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != Question.Status.OPEN:
        raise ValidationError(_("Die Frage ist abgeschlossen."))
    if not question.routings.filter(organisation=contact.organisation_id).exists():
        raise ValidationError(_("Diese Frage wurde nicht an Ihre Organisation weitergeleitet."))
    answer = Answer(question=question, organisation=contact.organisation, author=contact, text=text)
    save_audited(answer, by=by)
    if question.first_answer_at is None:
        question.first_answer_at = answer.created_at
        save_audited(question, by=by, update_fields=["first_answer_at"])
    return answer


@transaction.atomic
def question_consent(*, question: Question, contact: Contact, by: User) -> Question:
    """The asking organisation agrees that the question may be published in the network's knowledge base."""
    if question.organisation_id != contact.organisation_id:
        raise ValidationError(_("Nur die fragende Organisation kann zustimmen."))
    question.consent_at, question.consent_by = timezone.now(), by
    save_audited(question, by=by, update_fields=["consent_at", "consent_by"])
    return question


@transaction.atomic
def answer_consent(*, answer: Answer, contact: Contact, by: User) -> Answer:
    """The answering organisation agrees that its answer may be published."""
    if answer.organisation_id != contact.organisation_id:
        raise ValidationError(_("Nur die antwortende Organisation kann zustimmen."))
    answer.consent_at, answer.consent_by = timezone.now(), by
    save_audited(answer, by=by, update_fields=["consent_at", "consent_by"])
    return answer


@transaction.atomic
def question_close(*, question: Question, by: User) -> Question:
    if question.status == Question.Status.CLOSED:
        return question
    question.status, question.closed_at = Question.Status.CLOSED, timezone.now()
    save_audited(question, by=by, update_fields=["status", "closed_at"])
    return question


@transaction.atomic
def question_publish(*, question: Question, answers: Iterable[Answer], by: User) -> KnowledgeEntry:
    """Publish a closed question with the chosen answers as a knowledge entry of its network.

    Refused without the asker's consent, with an answer whose organisation did not consent, and twice."""
    answers = list(answers)
    if question.status != Question.Status.CLOSED:
        raise ValidationError(_("Nur abgeschlossene Fragen können veröffentlicht werden."))
    if KnowledgeEntry.objects.filter(question=question).exists():
        raise ValidationError(_("Diese Frage ist schon veröffentlicht."))
    if question.consent_at is None:
        raise ValidationError(_("Die fragende Organisation hat der Veröffentlichung nicht zugestimmt."))
    for answer in answers:
        if answer.question_id != question.pk:
            raise ValidationError(_("Diese Antwort gehört zu einer anderen Frage."))
        if answer.consent_at is None:
            raise ValidationError(_("%(name)s hat der Veröffentlichung der Antwort nicht zugestimmt.") % {"name": answer.organisation.name})
    parts = [question.text, *(f"{_('Antwort von %(name)s') % {'name': a.organisation.name}}:\n{a.text}" for a in answers)]
    entry = KnowledgeEntry(network=question.network, question=question, title=question.title, body="\n\n".join(parts), published_by=by)
    save_audited(entry, by=by)
    entry.tags.set(question.tags.all())
    for answer in answers:
        answer.published = True
        save_audited(answer, by=by, update_fields=["published"])
    return entry


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.max, tzinfo=tz)


def indicators(network: Network, start: date, end: date) -> dict[str, Any]:
    """Figures of questions and suggestions for one network, counting what was asked/made from `start` to `end` (dates,
    both included): questions asked, of those answered, the median hours to the first answer (None without answers),
    suggestions made, of those taken up."""
    since, until = _bounds(start, end)
    questions = Question.objects.filter(network=network, created_at__range=(since, until))
    answered = [
        hours for q in questions.filter(first_answer_at__isnull=False).only("created_at", "first_answer_at") if (hours := q.hours_to_first_answer) is not None
    ]
    suggestions = TopicSuggestion.objects.filter(network=network, created_at__range=(since, until))
    return {
        "questions_asked": questions.count(),
        "questions_answered": len(answered),
        "median_hours_to_first_answer": round(statistics.median(answered), 1) if answered else None,
        "suggestions_made": suggestions.count(),
        "suggestions_taken_up": suggestions.filter(status=TopicSuggestion.Status.TAKEN).count(),
    }
