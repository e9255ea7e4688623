"""The aggregates of a survey and its comparison with the previous year; the CSV of them. Nothing below the threshold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from health.models import Survey, SurveyAnswer, SurveyQuestion
from health.surveys.common import MIN_RESPONSES, SCORES, previous_survey
from members.exports import write_csv


@dataclass(frozen=True)
class ScoreCount:
    score: int
    count: int
    share: Decimal  # percent of the question's scores, one decimal


@dataclass(frozen=True)
class QuestionResult:
    """One question's aggregate. Everything about answers is empty/None unless `shown`."""

    key: str
    text: str
    kind: str
    version: int
    n: int  # scale: scores 1–5 given; text: texts given
    abstained: int  # scale: "keine Angabe"
    shown: bool  # the survey has MIN_RESPONSES answer sheets and (scale) this question MIN_RESPONSES scores
    mean: Decimal | None  # two decimals
    distribution: tuple[ScoreCount, ...]  # scores 1..5
    texts: tuple[str, ...]  # free texts, alphabetically
    previous_text: str | None  # the previous year's question with this key (None: new this year)
    previous_mean: Decimal | None  # None unless the previous survey and its question reached the threshold
    previous_n: int | None
    changed: bool  # its version or kind differs from last year's: "Frage geändert"

    @property
    def is_scale(self) -> bool:
        return self.kind == SurveyQuestion.Kind.SCALE

    @property
    def is_new(self) -> bool:
        return self.previous_text is None

    @property
    def delta(self) -> Decimal | None:
        """Now minus then, when both means show."""
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


@dataclass(frozen=True)
class SurveyResults:
    """What `survey_results` returns. With fewer than MIN_RESPONSES answer sheets, `questions` is empty and `shown` False."""

    survey: Survey
    invited: int
    answered: int  # answer sheets received
    shown: bool
    questions: tuple[QuestionResult, ...] = ()
    previous: Survey | None = None
    previous_answered: int = 0
    previous_shown: bool = False  # the previous year's survey reached the threshold too
    threshold: int = MIN_RESPONSES

    @property
    def response_rate(self) -> Decimal | None:
        if not self.invited:
            return None
        return (Decimal(self.answered) * 100 / self.invited).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def threshold_message(self) -> str:
        return threshold_message()

    @property
    def scale_questions(self) -> tuple[QuestionResult, ...]:
        return tuple(q for q in self.questions if q.is_scale)

    @property
    def text_questions(self) -> tuple[QuestionResult, ...]:
        return tuple(q for q in self.questions if not q.is_scale)


def threshold_message() -> str:
    """What shows instead of results below the threshold: "Ergebnisse erscheinen ab drei Antworten."."""
    words = {2: _("zwei"), 3: _("drei"), 4: _("vier"), 5: _("fünf")}
    return _("Ergebnisse erscheinen ab %(count)s Antworten.") % {"count": words.get(MIN_RESPONSES, str(MIN_RESPONSES))}


def _mean(counts: Mapping[int, int]) -> Decimal | None:
    n = sum(counts.values())
    if not n:
        return None
    return (Decimal(sum(score * count for score, count in counts.items())) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _score_counts(survey: Survey) -> dict[int, dict[int | None, int]]:
    """question pk → {score or None: count} for one survey (one query)."""
    found: dict[int, dict[int | None, int]] = {}
    rows = SurveyAnswer.objects.filter(response__survey=survey, question__kind=SurveyQuestion.Kind.SCALE).values("question_id", "score").annotate(n=Count("pk"))
    for row in rows:
        found.setdefault(row["question_id"], {})[row["score"]] = row["n"]
    return found


def _previous_means(previous: Survey) -> dict[str, tuple[str, str, int, Decimal | None, int]]:
    """key → (text, kind, version, mean or None, n) of the previous survey; means only where the thresholds are met."""
    shown = previous.responses.count() >= MIN_RESPONSES
    counts = _score_counts(previous) if shown else {}
    found = {}
    for question in previous.questions.all():
        scores = {s: c for s, c in counts.get(question.pk, {}).items() if s is not None}
        n = sum(scores.values())
        mean = _mean(scores) if shown and question.kind == SurveyQuestion.Kind.SCALE and n >= MIN_RESPONSES else None
        found[question.key] = (question.text, question.kind, question.version, mean, n)
    return found


def survey_results(survey: Survey) -> SurveyResults:
    """The aggregates of one survey, with the previous year's means per question key.

    Nothing about answers (no counts per option, no mean, no free text) is in the result unless the survey has at
    least MIN_RESPONSES answer sheets; a scale question's mean and distribution need MIN_RESPONSES scores too. The
    previous year's mean shows only when that survey and its question met the same thresholds. `changed` marks a
    question whose version (text) or kind differs from the previous year's question with the same key.
    """
    invited = survey.invitations.count()
    answered = survey.responses.count()
    before = previous_survey(survey)
    previous_answered = before.responses.count() if before else 0
    base: dict[str, Any] = {
        "survey": survey,
        "invited": invited,
        "answered": answered,
        "previous": before,
        "previous_answered": previous_answered,
        "previous_shown": before is not None and previous_answered >= MIN_RESPONSES,
    }
    if answered < MIN_RESPONSES:
        return SurveyResults(shown=False, **base)
    counts = _score_counts(survey)
    earlier = _previous_means(before) if before else {}
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        SurveyAnswer.objects.filter(response__survey=survey, question__kind=SurveyQuestion.Kind.TEXT).exclude(text="").values_list("question_id", "text")
    ):
        texts.setdefault(question_id, []).append(text)
    results = []
    for question in survey.questions.order_by("position", "pk"):
        then = earlier.get(question.key)
        if question.kind == SurveyQuestion.Kind.SCALE:
            given = counts.get(question.pk, {})
            scores = {s: given.get(s, 0) for s in SCORES}
            n = sum(scores.values())
            shown = n >= MIN_RESPONSES
            distribution = (
                tuple(ScoreCount(s, scores[s], (Decimal(scores[s]) * 100 / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) for s in SCORES)
                if shown
                else ()
            )
            results.append(
                QuestionResult(
                    key=question.key,
                    text=question.text,
                    kind=question.kind,
                    version=question.version,
                    n=n,
                    abstained=given.get(None, 0) if shown else 0,
                    shown=shown,
                    mean=_mean(scores) if shown else None,
                    distribution=distribution,
                    texts=(),
                    previous_text=then[0] if then else None,
                    previous_mean=then[3] if then else None,
                    previous_n=then[4] if then else None,
                    changed=then is not None and (then[2] != question.version or then[1] != question.kind),
                )
            )
        else:
            given_texts = sorted(texts.get(question.pk, []), key=str.casefold)
            results.append(
                QuestionResult(
                    key=question.key,
                    text=question.text,
                    kind=question.kind,
                    version=question.version,
                    n=len(given_texts),
                    abstained=0,
                    shown=True,
                    mean=None,
                    distribution=(),
                    texts=tuple(given_texts),
                    previous_text=then[0] if then else None,
                    previous_mean=None,
                    previous_n=None,
                    changed=then is not None and (then[2] != question.version or then[1] != question.kind),
                )
            )
    return SurveyResults(shown=True, questions=tuple(results), **base)


def results_csv(results: SurveyResults) -> bytes:
    """The aggregates for German Excel (UTF-8 with BOM, ';'): one row per scale question. Free texts are not exported."""
    headers = [
        _("Schlüssel"),
        _("Frage"),
        _("Fassung"),
        _("Bewertungen"),
        _("Keine Angabe"),
        _("Mittelwert"),
        *[_("Anzahl %(score)s") % {"score": s} for s in SCORES],
        _("Mittelwert Vorjahr"),
        _("Bewertungen Vorjahr"),
        _("Frage geändert"),
    ]
    rows: list[list[Any]] = []
    if results.shown:
        for q in results.scale_questions:
            counts = {c.score: c.count for c in q.distribution}
            rows.append(
                [
                    q.key,
                    q.text,
                    q.version,
                    q.n,
                    q.abstained if q.shown else None,
                    q.mean,
                    *[counts.get(s) if q.shown else None for s in SCORES],
                    q.previous_mean,
                    q.previous_n if q.previous_mean is not None else None,
                    _("ja") if q.changed else _("nein"),
                ]
            )
    return write_csv(headers, rows)
