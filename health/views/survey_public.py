"""The answer sheet behind the personal link: /survey/<token>/ (no login; the link is the key, and it is used up).

The page shows the network's name, the survey's title, introduction and questions — nothing about the person the
link was made for, and nothing anyone answered. An unknown link is a 404; a used one says "bereits beantwortet",
a closed survey says so (both 410).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from health import surveys
from health.forms.surveys import AnswerForm
from health.models import Survey, SurveyInvitation


def _gone(request: HttpRequest, survey: Survey, reason: str) -> HttpResponse:
    return render(request, "health/surveys/public_gone.html", {"survey": survey, "network": survey.network, "reason": reason}, status=410)


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(request, "health/surveys/public_unknown.html", status=404)


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the questions; POST stores the answers (all at once, or nothing) and leads to the thank-you page."""
    invitation: SurveyInvitation | None = surveys.invitation_for_token(token)
    if invitation is None:
        return _unknown(request)
    survey = invitation.survey
    if invitation.answered_at is not None:
        return _gone(request, survey, "answered")
    if not surveys.survey_accepts_answers(survey):
        return _gone(request, survey, "closed")
    questions = list(survey.questions.order_by("position", "pk"))
    form = AnswerForm(request.POST or None, questions=questions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.survey_answer(token=token, answers=form.answers())
            except surveys.SurveyLinkError as exc:
                if exc.code == "unknown":
                    return _unknown(request)
                return _gone(request, survey, exc.code or "closed")
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("survey_public:thanks")
        status = 400
    return render(
        request,
        "health/surveys/public_answer.html",
        {"survey": survey, "network": survey.network, "form": form, "threshold": surveys.MIN_RESPONSES},
        status=status,
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "health/surveys/public_thanks.html")
