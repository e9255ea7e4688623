"""The answer through a personal link: one anonymous answer sheet, the link used up, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from health.models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from health.surveys.common import SCORES, TEXT_MAX_LENGTH, survey_accepts_answers, token_hash


class SurveyLinkError(ValidationError):
    """The link cannot be answered (any more): `code` is "unknown", "answered" or "closed"."""


def _clean_answers(questions: Sequence[SurveyQuestion], answers: Mapping[str, Any]) -> list[tuple[SurveyQuestion, int | None, str]]:
    """(question, score, text) per question; every scale question needs a score 1–5 or None ("keine Angabe")."""
    unknown = set(answers) - {q.key for q in questions}
    if unknown:
        raise ValidationError(_("Die Antworten passen nicht zu den Fragen dieser Umfrage. Bitte laden Sie die Seite neu."))
    errors: dict[str, list[str]] = {}
    cleaned = []
    for question in questions:
        if question.kind == SurveyQuestion.Kind.SCALE:
            if question.key not in answers:
                errors[question.key] = [_("Bitte wählen Sie eine Antwort (oder „keine Angabe“).")]
                continue
            score = answers[question.key]
            if score is not None and (isinstance(score, bool) or not isinstance(score, int) or score not in SCORES):
                errors[question.key] = [_("Bitte wählen Sie einen Wert von 1 bis 5.")]
                continue
            cleaned.append((question, score, ""))
        else:
            text = answers.get(question.key) or ""
            if not isinstance(text, str):
                errors[question.key] = [_("Bitte geben Sie Text ein.")]
                continue
            text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).strip()
            if len(text) > TEXT_MAX_LENGTH:
                errors[question.key] = [_("Bitte höchstens %(max)s Zeichen.") % {"max": TEXT_MAX_LENGTH}]
                continue
            if text:
                cleaned.append((question, None, text))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def survey_answer(*, token: str, answers: Mapping[str, Any]) -> SurveyResponse:
    """Store one anonymous answer sheet and use the link up, in one transaction; nothing is stored when anything is wrong.

    `answers` maps question keys to a score 1–5 or None ("keine Angabe") for scale questions and to text for free-text
    questions. Raises SurveyLinkError (code "unknown", "answered", "closed") or ValidationError (per key) for bad answers.
    The sheet keeps no trace of the invitation: not its id, not the time (only the day).
    """
    if not token or len(token) > 100:
        raise SurveyLinkError(_("Dieser Link ist ungültig."), code="unknown")
    invitation = SurveyInvitation.objects.select_for_update(of=("self",)).select_related("survey").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise SurveyLinkError(_("Dieser Link ist ungültig."), code="unknown")
    survey = invitation.survey
    if invitation.answered_at is not None:
        raise SurveyLinkError(_("Diese Umfrage wurde mit diesem Link bereits beantwortet."), code="answered")
    if not survey_accepts_answers(survey):
        raise SurveyLinkError(_("Diese Umfrage ist abgeschlossen."), code="closed")
    cleaned = _clean_answers(list(survey.questions.order_by("position", "pk")), answers)
    today = timezone.localdate()
    day = timezone.make_aware(datetime.combine(today, time.min))
    response = SurveyResponse.objects.create(survey=survey, submitted_at=day)
    SurveyAnswer.objects.bulk_create([SurveyAnswer(response=response, question=q, score=score, text=text) for q, score, text in cleaned])
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answered_at"])
    return response
