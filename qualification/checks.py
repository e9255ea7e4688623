"""Scoring a company check: per topic area, strengths and areas with need, suggested topics, progress between rounds."""

from __future__ import annotations

from dataclasses import dataclass

from qualification.models import CheckArea, CheckRound

STRENGTH_AT = 75  # percent and above: a strength
NEED_BELOW = 50  # below: an area with need; its suggested qualification topics are offered


@dataclass(frozen=True)
class AreaScore:
    key: str
    title: str
    percent: int | None  # None while no question of the area is answered
    answered: int
    questions: int
    suggested_topics: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.answered == self.questions


def area_scores(check: CheckRound) -> list[AreaScore]:
    """Weighted share of the maximum (4 per question) over the answered questions of each area, rounded to whole percent."""
    answers = {a.question_id: a.value for a in check.answers.all()}
    scores = []
    for area in CheckArea.objects.filter(template_id=check.template_id).prefetch_related("questions").order_by("position", "pk"):
        questions = list(area.questions.all())
        answered = [(q.weight, answers[q.pk]) for q in questions if q.pk in answers]
        if answered:
            reached = sum(weight * value for weight, value in answered)
            possible = sum(weight * 4 for weight, _value in answered)
            percent = round(reached * 100 / possible)
        else:
            percent = None
        scores.append(AreaScore(area.key, area.title, percent, len(answered), len(questions), tuple(area.suggested_topics)))
    return scores


def strengths(scores: list[AreaScore]) -> list[AreaScore]:
    return [s for s in scores if s.percent is not None and s.percent >= STRENGTH_AT]


def needs(scores: list[AreaScore]) -> list[AreaScore]:
    """Areas with need, weakest first."""
    return sorted((s for s in scores if s.percent is not None and s.percent < NEED_BELOW), key=lambda s: (s.percent, s.key))


def suggested_topics(scores: list[AreaScore]) -> list[str]:
    """Qualification topics suggested by the areas with need, weakest area first, each once."""
    seen: list[str] = []
    for score in needs(scores):
        for topic in score.suggested_topics:
            if topic not in seen:
                seen.append(topic)
    return seen


def progress(earlier: CheckRound, later: CheckRound) -> dict[str, int | None]:
    """Change in percentage points per area key between two rounds (areas matched by key across template versions)."""
    before = {s.key: s.percent for s in area_scores(earlier)}
    after = {s.key: s.percent for s in area_scores(later)}
    changes: dict[str, int | None] = {}
    for key, now in after.items():
        then = before.get(key)
        changes[key] = now - then if now is not None and then is not None else None
    return changes
