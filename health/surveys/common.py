"""What every part of the survey shares: the thresholds, the scoping entry point, the personal links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from health.models import Survey, SurveyInvitation
from verbund.models import Network

# The one threshold: aggregates (and free texts) of a survey show from this many answer sheets on, a question's mean
# and distribution from this many scores on. Below it nothing about the answers is shown anywhere.
MIN_RESPONSES = 3
REMINDER_INTERVAL = timedelta(days=7)  # a reminder at most once per this period, the first one this long after sending
MAX_QUESTIONS = 30
TEXT_MAX_LENGTH = 2000
SCORES = (1, 2, 3, 4, 5)
SEND_BATCH = 50

# --- reading ---------------------------------------------------------------------------


def surveys_of(network: Network) -> QuerySet[Survey]:
    """The one scoping entry point: the surveys of one network (views fetch every survey through it)."""
    return Survey.objects.filter(network=network)


def previous_survey(survey: Survey) -> Survey | None:
    """The network's latest survey of an earlier year (the one questions are copied from and compared with)."""
    return surveys_of(survey.network).filter(year__lt=survey.year).order_by("-year").first()


def survey_accepts_answers(survey: Survey, *, today=None) -> bool:
    """Open, and its closing day (if any) not passed."""
    today = today or timezone.localdate()
    return survey.status == Survey.Status.OPEN and (survey.closes_on is None or today <= survey.closes_on)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def answer_url(token: str) -> str:
    return settings.SITE_URL + reverse("survey_public:answer", kwargs={"token": token})


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation a personal link belongs to (whatever its state); None for anything unknown or malformed."""
    if not token or len(token) > 100:
        return None
    return SurveyInvitation.objects.select_related("survey__network").filter(token_hash=token_hash(token)).first()
