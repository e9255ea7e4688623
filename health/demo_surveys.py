"""Demo data of the satisfaction survey: last year's closed survey with answers, this year's running one.

`seed_surveys_demo(network, contacts)` is called by composition's seed_demo (wired by the lead). Safe to run again:
a year that already has a survey is left as it is. No mail is sent: the invitations are marked as sent and the
answers go through `survey_answer` with links made here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from health.models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse
from health.surveys import invitations_create, new_token, question_update, survey_answer, survey_create, surveys_of, token_hash
from members.models import Contact
from verbund.models import Network, User

COMMENTS = [
    "Mehr Betriebsbesichtigungen bei den Mitgliedern, gern auch kürzer.",
    "Die Treffen könnten öfter am Nachmittag stattfinden.",
    "Der Infobrief ist hilfreich, die Förderaufrufe besonders.",
    "Weiter so – der Austausch mit den anderen Betrieben bringt uns viel.",
]


def _answers(rng: random.Random, questions: Sequence[SurveyQuestion], *, mood: int) -> dict[str, int | str | None]:
    found: dict[str, int | str | None] = {}
    for question in questions:
        if question.kind == SurveyQuestion.Kind.SCALE:
            found[question.key] = None if rng.random() < 0.1 else max(1, min(5, mood + rng.choice((-1, 0, 0, 1))))
        else:
            found[question.key] = rng.choice(COMMENTS) if rng.random() < 0.6 else ""
    return found


def _sent_and_answered(survey: Survey, contacts: Sequence[Contact], *, answering: int, sent_at: datetime, rng: random.Random, mood: int) -> None:
    """Invitations marked as sent (no mail goes out), and `answering` of them answered through their links."""
    rows = invitations_create(survey=survey, contacts=contacts)
    tokens = []
    for row in rows:
        token = new_token()
        tokens.append(token)
        SurveyInvitation.objects.filter(pk=row.pk).update(token_hash=token_hash(token), sent_at=sent_at)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN, opened_at=sent_at)
    survey.refresh_from_db()
    questions = list(survey.questions.order_by("position"))
    for token in tokens[:answering]:
        survey_answer(token=token, answers=_answers(rng, questions, mood=mood))


@transaction.atomic
def seed_surveys_demo(network: Network, contacts: Sequence[Contact], *, by: User | None = None) -> list[Survey]:
    """Last year's survey (closed, with answers from most of `contacts`) and this year's (running, a few answers so far)."""
    contacts = [c for c in contacts if c.email]
    rng = random.Random(f"surveys-{network.slug}")
    year = timezone.localdate().year
    made = []
    if not surveys_of(network).filter(year=year - 1).exists():
        last = survey_create(network=network, year=year - 1, by=by)
        sent = timezone.make_aware(datetime.combine(date(year - 1, 11, 3), time(9)))
        _sent_and_answered(last, contacts, answering=max(3, len(contacts) * 2 // 3), sent_at=sent, rng=rng, mood=4)
        # Came in in November last year, not today (the service stamps the day it is called).
        SurveyResponse.objects.filter(survey=last).update(submitted_at=sent + timedelta(days=2))
        SurveyInvitation.objects.filter(survey=last, answered_at__isnull=False).update(answered_at=sent + timedelta(days=2))
        Survey.objects.filter(pk=last.pk).update(status=Survey.Status.CLOSED, closes_on=date(year - 1, 11, 30), closed_at=sent + timedelta(days=28))
        made.append(last)
    if not surveys_of(network).filter(year=year).exists():
        current = survey_create(network=network, year=year, by=by)
        infobrief = current.questions.filter(key="infobrief").first()
        if infobrief is not None:  # a reworded question: the comparison marks it "Frage geändert"
            question_update(
                question=infobrief, data={"text": "Wie nützlich ist der Infobrief mit seinen Förderhinweisen für Sie?", "kind": infobrief.kind}, by=by
            )
        current.closes_on = timezone.localdate() + timedelta(days=21)
        current.save(update_fields=["closes_on"])
        _sent_and_answered(current, contacts, answering=min(4, len(contacts)), sent_at=timezone.now() - timedelta(days=3), rng=rng, mood=3)
        made.append(current)
    return made
