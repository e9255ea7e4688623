"""The yearly satisfaction survey: questions per network and year, personal single-use links, anonymous answers, aggregates.

Anonymity by design: an invitation (who was asked, with a link) and an answer sheet (`SurveyResponse`) share no key.
The link's token is made with `secrets.token_urlsafe(32)` when its mail is sent and only its SHA-256 hash is stored; a
reminder mails a fresh token (the hash is replaced, the older link stops working), so no raw token is kept anywhere,
not even in the task queue. An answer sheet records only the day it came in, never the time, so it cannot be matched
to an invitation by its timestamp. Results show only aggregates, and only from `MIN_RESPONSES` answer sheets on (per
question: from `MIN_RESPONSES` scores on); free texts are sorted alphabetically, never in the order they came in.

The API the annual report reads is `survey_results(survey) -> SurveyResults` (health/surveys/results.py).

The parts: `common` (thresholds, scoping, links), `editing` (create, questions and their versions), `sending`
(recipients, mails, reminders, closing, counts), `answering` (the answer sheet), `results` (aggregates, CSV).
Everything public is importable from `health.surveys`.
"""

from health.surveys.answering import SurveyLinkError, survey_answer
from health.surveys.common import (
    MAX_QUESTIONS,
    MIN_RESPONSES,
    REMINDER_INTERVAL,
    SCORES,
    TEXT_MAX_LENGTH,
    answer_url,
    invitation_for_token,
    new_token,
    previous_survey,
    survey_accepts_answers,
    surveys_of,
    token_hash,
)
from health.surveys.editing import (
    DEFAULT_QUESTIONS,
    question_add,
    question_delete,
    question_move,
    question_update,
    survey_create,
    survey_delete,
    survey_update,
)
from health.surveys.results import QuestionResult, ScoreCount, SurveyResults, results_csv, survey_results, threshold_message
from health.surveys.sending import (
    InvitationCounts,
    invitation_counts,
    invitations_create,
    next_reminder_at,
    survey_close,
    survey_invitations_send,
    survey_open,
    survey_recipients,
    survey_remind,
    survey_reminders_send,
    survey_send_pending,
)

__all__ = [
    "DEFAULT_QUESTIONS",
    "MAX_QUESTIONS",
    "MIN_RESPONSES",
    "REMINDER_INTERVAL",
    "SCORES",
    "TEXT_MAX_LENGTH",
    "InvitationCounts",
    "QuestionResult",
    "ScoreCount",
    "SurveyLinkError",
    "SurveyResults",
    "answer_url",
    "invitation_counts",
    "invitation_for_token",
    "invitations_create",
    "new_token",
    "next_reminder_at",
    "previous_survey",
    "question_add",
    "question_delete",
    "question_move",
    "question_update",
    "results_csv",
    "survey_accepts_answers",
    "survey_answer",
    "survey_close",
    "survey_create",
    "survey_delete",
    "survey_invitations_send",
    "survey_open",
    "survey_recipients",
    "survey_remind",
    "survey_reminders_send",
    "survey_results",
    "survey_send_pending",
    "survey_update",
    "surveys_of",
    "threshold_message",
    "token_hash",
]
