"""The pulse after a meeting: one question (1–5) and a comment, asked by email the day after.

Each participant gets one mail with a signed personal link (no login). The
answer is stored per registration so a second click changes the answer instead
of counting twice; managers see the distribution and the comments without names.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Meeting, Registration, SatisfactionResponse
from events.tokens import make_token, read_token
from verbund.mail import mail_send_later, render_mail

PURPOSE = "feedback"
ASK_AFTER = timedelta(hours=2)  # after the end of the meeting
ASK_WITHIN = timedelta(days=14)  # meetings that ended longer ago are not asked any more
ANSWER_WITHIN = timedelta(days=30)  # the link's lifetime


def feedback_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("feedback:answer", kwargs={"token": make_token(PURPOSE, registration.pk)})


def registration_from_token(token: str) -> Registration | None:
    pk = read_token(PURPOSE, token, max_age=int(ANSWER_WITHIN.total_seconds()))
    if not isinstance(pk, int):
        return None
    return Registration.objects.select_related("meeting__network", "contact").filter(pk=pk).first()


def _asked(meeting: Meeting):
    """Who is asked: those marked present; when nobody was marked at all, those registered."""
    attended = meeting.registrations.filter(status=Registration.Status.ATTENDED)
    if attended.exists():
        return attended
    return meeting.registrations.filter(status=Registration.Status.REGISTERED)


def feedback_requests_send(*, now=None) -> int:
    """Ask participants of meetings that ended 2 hours to 14 days ago. Each registration is asked once."""

    now = now or timezone.now()
    sent = 0
    meetings = (
        Meeting.objects.filter(ask_for_feedback=True, ends_at__lte=now - ASK_AFTER, ends_at__gte=now - ASK_WITHIN)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("network")
    )
    for meeting in meetings:
        for registration in _asked(meeting).filter(pulse_sent_at__isnull=True).select_related("contact"):
            if not registration.email:
                continue
            with transaction.atomic():
                # Claimed by a conditional update: overlapping beat runs never ask twice.
                if not Registration.objects.filter(pk=registration.pk, pulse_sent_at__isnull=True).update(pulse_sent_at=now):
                    continue
                message = render_mail(
                    "meeting-feedback",
                    to=[registration.email],
                    context={"registration": registration, "meeting": meeting, "network": meeting.network, "url": feedback_url(registration)},
                )
                mail_send_later(message=message)
                sent += 1
    return sent


@transaction.atomic
def feedback_save(*, registration: Registration, score: int, comment: str = "") -> SatisfactionResponse:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError(_("Bitte eine Bewertung von 1 bis 5 wählen."))
    if registration.meeting.ends_at > timezone.now():
        raise ValidationError(_("Rückmeldungen sind erst nach dem Treffen möglich."))
    response, _created = SatisfactionResponse.objects.update_or_create(
        registration=registration, defaults={"meeting": registration.meeting, "score": score, "comment": comment.strip()[:2000]}
    )
    return response


def feedback_summary(meeting: Meeting) -> dict:
    responses = SatisfactionResponse.objects.filter(meeting=meeting)
    figures = responses.aggregate(count=Count("pk"), average=Avg("score"))
    if not figures["count"]:
        return {"count": 0}
    by_score = dict(responses.values_list("score").annotate(n=Count("pk")).values_list("score", "n"))
    return {
        "count": figures["count"],
        "average": figures["average"],
        "distribution": [(score, by_score.get(score, 0)) for score in range(5, 0, -1)],
        "comments": list(responses.exclude(comment="").order_by("-created_at").values_list("comment", flat=True)[:200]),
    }
