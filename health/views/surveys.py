"""The satisfaction survey for the office: /manage/<network_slug>/health/surveys/… (list, questions, sending, results).

Every survey is reached through `surveys.surveys_of(request.network)`; a survey of another network is a 404. The pages
show counts (invited, sent, answered) and aggregates, never who answered or what one person answered.
"""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from health import surveys
from health.forms.surveys import QuestionForm, SurveyCreateForm, SurveySettingsForm
from health.models import Survey, SurveyQuestion
from members.exports import file_response
from verbund import flash
from verbund.access import NetworkRequest, network_required


def _survey(request: NetworkRequest, pk: int) -> Survey:
    return get_object_or_404(surveys.surveys_of(request.network).select_related("network"), pk=pk)


def _question(survey: Survey, question_pk: int) -> SurveyQuestion:
    return get_object_or_404(SurveyQuestion.objects.filter(survey=survey), pk=question_pk)


def _can_manage(request: NetworkRequest) -> bool:
    return request.manager_role.role_enum.can_manage


def _listed(request: NetworkRequest) -> QuerySet[Survey]:
    """The network's surveys, newest year first, with their invited and answered counts (one query)."""
    return (
        surveys.surveys_of(request.network)
        .annotate(invited=Count("invitations", distinct=True), answered=Count("responses", distinct=True))
        .order_by("-year")[:50]
    )


def _to_detail(survey: Survey) -> HttpResponse:
    return redirect("health_surveys:detail", network_slug=survey.network.slug, pk=survey.pk)


@network_required()
def index(request: NetworkRequest) -> HttpResponse:
    rows = _listed(request)
    return render(
        request,
        "health/surveys/index.html",
        {"network": request.network, "rows": rows, "form": SurveyCreateForm(), "can_manage": _can_manage(request), "threshold": surveys.MIN_RESPONSES},
    )


@require_POST
@network_required(can_manage=True)
def create(request: NetworkRequest) -> HttpResponse:
    form = SurveyCreateForm(request.POST)
    if form.is_valid():
        try:
            survey = surveys.survey_create(network=request.network, year=form.cleaned_data["year"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Umfrage %(year)s angelegt. Prüfen Sie die Fragen und senden Sie sie dann an die Mitglieder.") % {"year": survey.year})
            return _to_detail(survey)
    rows = _listed(request)
    context = {"network": request.network, "rows": rows, "form": form, "can_manage": True, "threshold": surveys.MIN_RESPONSES}
    return render(request, "health/surveys/index.html", context, status=400)


@network_required()
def detail(request: NetworkRequest, pk: int) -> HttpResponse:
    """A draft: its settings and questions to edit. A sent survey: how far it got, reminders, closing."""
    survey = _survey(request, pk)
    return _detail_page(request, survey)


def _detail_page(request: NetworkRequest, survey: Survey, *, settings_form=None, question_form=None, status: int = 200) -> HttpResponse:
    counts = surveys.invitation_counts(survey)
    next_reminder = surveys.next_reminder_at(survey, counts)
    before = surveys.previous_survey(survey)
    earlier = {q.key: q for q in before.questions.all()} if before else {}
    return render(
        request,
        "health/surveys/detail.html",
        {
            "network": request.network,
            "survey": survey,
            "questions": [(q, _mark(q, earlier) if before else "") for q in survey.questions.order_by("position", "pk")],
            "previous": before,
            "reminder_days": surveys.REMINDER_INTERVAL.days,
            "counts": counts,
            "accepts_answers": surveys.survey_accepts_answers(survey),
            "next_reminder": next_reminder,
            "can_remind": next_reminder is not None and timezone.now() >= next_reminder,
            "settings_form": settings_form or SurveySettingsForm(instance=survey),
            "question_form": question_form or QuestionForm(),
            "can_manage": _can_manage(request),
            "threshold": surveys.MIN_RESPONSES,
        },
        status=status,
    )


def _mark(question: SurveyQuestion, earlier: dict[str, SurveyQuestion]) -> str:
    """ "new" (no question with this key last time), "changed" (another version or kind) or ""."""
    then = earlier.get(question.key)
    if then is None:
        return "new"
    return "changed" if (then.version, then.kind) != (question.version, question.kind) else ""


@require_POST
@network_required(can_manage=True)
def update(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = SurveySettingsForm(request.POST, instance=copy(survey))  # a copy: a refused form leaves the page's survey as stored
    if form.is_valid():
        try:
            surveys.survey_update(survey=survey, data={name: form.cleaned_data[name] for name in form.Meta.fields}, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Gespeichert."))
            return _to_detail(survey)
    return _detail_page(request, survey, settings_form=form, status=400)


@require_POST
@network_required(can_manage=True)
def delete(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        surveys.survey_delete(survey=survey, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
        return _to_detail(survey)
    messages.success(request, _("Entwurf gelöscht."))
    return redirect("health_surveys:index", network_slug=request.network.slug)


@require_POST
@network_required(can_manage=True)
def question_add(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            surveys.question_add(survey=survey, data={name: form.cleaned_data[name] for name in form.Meta.fields}, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Frage hinzugefügt."))
            return _to_detail(survey)
    return _detail_page(request, survey, question_form=form, status=400)


@network_required(can_manage=True)
def question_edit(request: NetworkRequest, pk: int, question_pk: int) -> HttpResponse:
    """A page of its own for one question's text and kind (works without JavaScript)."""
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    form = QuestionForm(request.POST or None, instance=copy(question))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.question_update(question=question, data={name: form.cleaned_data[name] for name in form.Meta.fields}, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Frage gespeichert."))
                return _to_detail(survey)
        status = 400
    before = surveys.previous_survey(survey)
    earlier = before.questions.filter(key=question.key).first() if before else None
    context = {
        "network": request.network,
        "survey": survey,
        "question": question,
        "form": form,
        "earlier": earlier,
        "editable": survey.status == Survey.Status.DRAFT,
    }
    return render(request, "health/surveys/question_form.html", context, status=status)


@require_POST
@network_required(can_manage=True)
def question_delete(request: NetworkRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    try:
        surveys.question_delete(question=question, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, _("Frage entfernt."))
    return _to_detail(survey)


@require_POST
@network_required(can_manage=True)
def question_move(request: NetworkRequest, pk: int, question_pk: int, direction: str) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    try:
        surveys.question_move(question=question, direction=direction, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return _to_detail(survey)


@network_required(can_manage=True)
def send(request: NetworkRequest, pk: int) -> HttpResponse:
    """GET and POST without `confirm` ask, naming how many people will be invited; POST with `confirm` sends.

    On a running survey, POST tries the invitations again whose mail has not gone out.
    """
    survey = _survey(request, pk)
    if survey.status == Survey.Status.OPEN and request.method == "POST":
        try:
            pending = surveys.survey_send_pending(survey=survey, by=request.user)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            messages.info(
                request, _("%(count)s Einladungen werden erneut gesendet.") % {"count": pending} if pending else _("Alle Einladungen sind versendet.")
            )
        return _to_detail(survey)
    if survey.status != Survey.Status.DRAFT:
        messages.info(request, _("Diese Umfrage ist schon versendet."))
        return _to_detail(survey)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            count = surveys.survey_open(survey=survey, by=request.user)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            messages.success(request, _("Die Umfrage geht an %(count)s Personen. Die E-Mails werden im Hintergrund versendet.") % {"count": count})
            return _to_detail(survey)
    recipients = surveys.survey_recipients(survey)
    context = {
        "network": request.network,
        "survey": survey,
        "count": len(recipients),
        "organisations": len({c.organisation_id for c in recipients}),
        "questions": survey.questions.count(),
    }
    return render(request, "health/surveys/send_confirm.html", context)


@require_POST
@network_required(can_manage=True)
def remind(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        count = surveys.survey_remind(survey=survey, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, _("Erinnerung an %(count)s Personen, die noch nicht geantwortet haben, wird versendet.") % {"count": count})
    return _to_detail(survey)


@require_POST
@network_required(can_manage=True)
def close(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        surveys.survey_close(survey=survey, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, _("Umfrage abgeschlossen. Die Links nehmen keine Antworten mehr an."))
    return _to_detail(survey)


@network_required()
def results(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    return render(request, "health/surveys/results.html", {"network": request.network, "survey": survey, "results": surveys.survey_results(survey)})


@network_required()
def results_csv(request: NetworkRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    found = surveys.survey_results(survey)
    if not found.shown:
        messages.info(request, found.threshold_message)
        return redirect("health_surveys:results", network_slug=request.network.slug, pk=survey.pk)
    return file_response(surveys.results_csv(found), fmt="csv", filename=f"umfrage-{request.network.slug}-{survey.year}.csv")
