"""Creating a survey (with the previous year's or the default questions) and editing its questions while it is a draft."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from health.models import SURVEY_FIELDS, SURVEY_QUESTION_FIELDS, Survey, SurveyQuestion
from health.surveys.common import MAX_QUESTIONS, previous_survey, surveys_of
from verbund.models import Network, User
from verbund.services import save_audited

# The default questions (stable keys: the same question across years). Stored in the language of whoever creates the survey.
DEFAULT_QUESTIONS: tuple[tuple[str, Any, str], ...] = (
    ("management", gettext_lazy("Wie zufrieden sind Sie mit dem Netzwerkmanagement (der Geschäftsstelle)?"), SurveyQuestion.Kind.SCALE),
    ("exchange", gettext_lazy("Wie zufrieden sind Sie mit dem Austausch zwischen den Mitgliedern?"), SurveyQuestion.Kind.SCALE),
    ("meetings", gettext_lazy("Wie nützlich sind die Treffen des Verbunds für Sie?"), SurveyQuestion.Kind.SCALE),
    ("infobrief", gettext_lazy("Wie nützlich ist der Infobrief für Sie?"), SurveyQuestion.Kind.SCALE),
    ("qualification", gettext_lazy("Wie nützlich ist das Qualifizierungsprogramm für Sie?"), SurveyQuestion.Kind.SCALE),
    ("comments", gettext_lazy("Was sollten wir besser machen?"), SurveyQuestion.Kind.TEXT),
)
DEFAULT_INTRO = gettext_lazy(
    "Wie zufrieden sind Sie mit unserem Verbund? Ihre Antworten helfen der Geschäftsstelle, die Arbeit im nächsten Jahr "
    "besser zu machen. Die Antworten werden ohne Ihren Namen gespeichert; ausgewertet wird nur zusammengefasst."
)


def _require_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Die Fragen lassen sich nur ändern, solange die Umfrage noch nicht versendet ist."))


def _question_version(survey: Survey, *, key: str, text: str, kind: str) -> int:
    """The version a question gets: the previous year's with the same key if unchanged, one more if its text or kind changed."""
    before = previous_survey(survey)
    earlier = before.questions.filter(key=key).first() if before else None
    if earlier is None:
        return 1
    if earlier.text.strip() == text.strip() and earlier.kind == kind:
        return earlier.version
    return earlier.version + 1


@transaction.atomic
def survey_create(*, network: Network, year: int, by: User | None) -> Survey:
    """A draft survey for `year` with the previous year's questions (same keys and versions) or the default questions.

    Raises ValidationError for a year out of range or a year that already has a survey.
    """
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        raise ValidationError({"year": _("Bitte ein Jahr zwischen 2000 und %(last)s angeben.") % {"last": this_year + 1}})
    Network.objects.select_for_update().filter(pk=network.pk).first()  # two clicks at once: the second waits, then finds the first
    if surveys_of(network).filter(year=year).exists():
        raise ValidationError({"year": _("Für %(year)s gibt es schon eine Umfrage.") % {"year": year}})
    survey = Survey(network=network, year=year, title=_("Zufriedenheitsumfrage %(year)s") % {"year": year}, intro=str(DEFAULT_INTRO), created_by=by)
    before = previous_survey(survey)
    if before is not None and before.intro:
        survey.intro = before.intro
    save_audited(survey, by=by)
    if before is not None and before.questions.exists():
        questions = [
            SurveyQuestion(survey=survey, key=q.key, text=q.text, kind=q.kind, version=q.version, position=position)
            for position, q in enumerate(before.questions.order_by("position", "pk"), start=1)
        ]
    else:
        questions = [
            SurveyQuestion(survey=survey, key=key, text=str(text), kind=kind, version=1, position=position)
            for position, (key, text, kind) in enumerate(DEFAULT_QUESTIONS, start=1)
        ]
    SurveyQuestion.objects.bulk_create(questions)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, data: Mapping[str, Any], by: User) -> Survey:
    """Title, introduction and closing day (SURVEY_FIELDS); a closed survey stays as it was."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("Die Umfrage ist abgeschlossen."))
    closes_on = data.get("closes_on")
    if closes_on and closes_on < timezone.localdate() and survey.status == Survey.Status.OPEN:
        raise ValidationError({"closes_on": _("Der letzte Tag für Antworten darf nicht in der Vergangenheit liegen.")})
    changed = SURVEY_FIELDS.apply(survey, data)
    if changed:
        save_audited(survey, by=by, update_fields=changed)
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey, by: User) -> None:
    """Only a draft can go (nobody has been asked yet)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Eine versendete Umfrage kann nicht gelöscht werden."))
    survey.delete()


def _unique_key(survey: Survey, text: str) -> str:
    base = slugify(text)[:32].strip("-") or "frage"
    taken = set(survey.questions.values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    return key


def _clean_question(data: Mapping[str, Any]) -> dict[str, Any]:
    values = SURVEY_QUESTION_FIELDS.take(data)
    text = str(values.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _("Bitte die Frage eingeben.")})
    kind = values.get("kind") or SurveyQuestion.Kind.SCALE
    if kind not in SurveyQuestion.Kind.values:
        raise ValidationError({"kind": _("Bitte eine Art der Antwort wählen.")})
    return {"text": text, "kind": kind}


@transaction.atomic
def question_add(*, survey: Survey, data: Mapping[str, Any], by: User) -> SurveyQuestion:
    """A new question at the end of a draft; its key comes from its text (the same text next year keeps the key)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_draft(survey)
    if survey.questions.count() >= MAX_QUESTIONS:
        raise ValidationError(_("Eine Umfrage hat höchstens %(max)s Fragen.") % {"max": MAX_QUESTIONS})
    values = _clean_question(data)
    key = _unique_key(survey, values["text"])
    position = (survey.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    question = SurveyQuestion(survey=survey, key=key, position=position, version=_question_version(survey, key=key, **values), **values)
    save_audited(question, by=by)
    return question


@transaction.atomic
def question_update(*, question: SurveyQuestion, data: Mapping[str, Any], by: User | None) -> SurveyQuestion:
    """Change a draft's question; its version follows the previous year's question with the same key."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_draft(survey)
    question = SurveyQuestion.objects.get(pk=question.pk)
    values = _clean_question(data)
    changed = SURVEY_QUESTION_FIELDS.apply(question, values)
    version = _question_version(survey, key=question.key, **values)
    if version != question.version:
        question.version = version
        changed.append("version")
    if changed:
        save_audited(question, by=by, update_fields=changed)
    return question


@transaction.atomic
def question_delete(*, question: SurveyQuestion, by: User) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_draft(survey)
    SurveyQuestion.objects.filter(pk=question.pk).delete()
    _renumber(survey.questions.order_by("position", "pk"))


def _renumber(rows: Iterable[SurveyQuestion]) -> None:
    """Positions 1, 2, 3 … in the given order (only the rows that move are written)."""
    for position, question in enumerate(rows, start=1):
        if question.position != position:
            question.position = position
            question.save(update_fields=["position"])


@transaction.atomic
def question_move(*, question: SurveyQuestion, direction: str, by: User) -> None:
    """One place up or down in a draft (the first stays first when moved up)."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_draft(survey)
    if direction not in ("up", "down"):
        raise ValidationError(_("Unbekannte Richtung."))
    rows = list(survey.questions.order_by("position", "pk"))
    index = next((i for i, q in enumerate(rows) if q.pk == question.pk), None)
    if index is None:
        return
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)
