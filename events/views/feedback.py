"""The pulse page behind the link in the mail: /feedback/<token>/ (no login; the signed link is the key)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from events.feedback import feedback_save, registration_from_token
from events.forms.feedback import FeedbackForm


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the question (a score in the link only preselects, it stores nothing); POST stores the answer."""
    registration = registration_from_token(token)
    if registration is None:
        raise Http404
    meeting = registration.meeting
    existing = getattr(registration, "satisfaction", None)
    initial = {"score": request.GET.get("score") or (existing.score if existing else None), "comment": existing.comment if existing else ""}
    form = FeedbackForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback_save(registration=registration, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(request, "events/feedback_thanks.html", {"meeting": meeting, "network": meeting.network})
        status = 400
    return render(request, "events/feedback.html", {"meeting": meeting, "network": meeting.network, "form": form}, status=status)
