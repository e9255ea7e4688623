"""The office's pages of questions, the knowledge base and topic suggestions: /manage/<network_slug>/questions/…"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation import questions, suggestions
from cooperation.forms.questions import PublishForm, RouteForm, SearchForm, TakeForm
from cooperation.models import KnowledgeEntry, Question, TopicSuggestion
from verbund.access import NetworkRequest, network_required


def _question(request: NetworkRequest, pk: int) -> Question:
    return get_object_or_404(Question.objects.for_network(request.network).select_related("organisation", "asked_by", "consent_by"), pk=pk)


@network_required()
def inbox(request: NetworkRequest) -> HttpResponse:
    status = request.GET.get("status", Question.Status.OPEN)
    if status not in Question.Status.values:
        status = Question.Status.OPEN
    found = Question.objects.for_network(request.network).filter(status=status).select_related("organisation").prefetch_related("tags", "routings")
    return render(
        request,
        "cooperation/questions/inbox.html",
        {"network": request.network, "questions": found, "status": status, "statuses": Question.Status.choices},
    )


def _detail(request: NetworkRequest, question: Question, *, route_form=None, publish_form=None, status: int = 200) -> HttpResponse:
    can_manage = request.manager_role.role_enum.can_manage
    return render(
        request,
        "cooperation/questions/detail.html",
        {
            "network": request.network,
            "question": question,
            "routings": question.routings.select_related("organisation"),
            "answers": question.answers.select_related("organisation", "author", "consent_by"),
            "candidates": questions.routing_candidates(question) if can_manage and question.status == Question.Status.OPEN else [],
            "route_form": route_form or RouteForm(question=question),
            "publish_form": publish_form or PublishForm(question=question),
            "entry": KnowledgeEntry.objects.filter(question=question).first(),
            "can_manage": can_manage,
        },
        status=status,
    )


@network_required()
def question_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    return _detail(request, _question(request, pk))


@require_POST
@network_required(can_manage=True)
def question_route(request: NetworkRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = RouteForm(request.POST, question=question)
    if not form.is_valid():
        return _detail(request, question, route_form=form)
    try:
        made = questions.question_route(question=question, organisations=form.cleaned_data["organisations"], by=request.user)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, question, route_form=form)
    messages.success(request, _("An %(count)s Organisation(en) weitergeleitet.") % {"count": len(made)})
    return redirect("questions:detail", request.network.slug, question.pk)


@require_POST
@network_required(can_manage=True)
def question_close(request: NetworkRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    questions.question_close(question=question, by=request.user)
    messages.success(request, _("Die Frage ist abgeschlossen."))
    return redirect("questions:detail", request.network.slug, question.pk)


@require_POST
@network_required(can_manage=True)
def question_publish(request: NetworkRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = PublishForm(request.POST, question=question)
    if not form.is_valid():
        return _detail(request, question, publish_form=form)
    try:
        entry = questions.question_publish(question=question, answers=form.cleaned_data["answers"], by=request.user)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, question, publish_form=form)
    messages.success(request, _("Im Wissensspeicher veröffentlicht."))
    return redirect("questions:knowledge_detail", request.network.slug, entry.pk)


@network_required()
def knowledge_list(request: NetworkRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    entries = KnowledgeEntry.objects.for_network(request.network).prefetch_related("tags")
    if form.is_valid() and form.cleaned_data["q"]:
        entries = entries.search(form.cleaned_data["q"])
    return render(request, "cooperation/questions/knowledge_list.html", {"network": request.network, "form": form, "entries": entries, "portal": False})


@network_required()
def knowledge_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(KnowledgeEntry.objects.for_network(request.network), pk=pk)
    return render(request, "cooperation/questions/knowledge_detail.html", {"network": request.network, "entry": entry, "portal": False})


def _suggestion(request: NetworkRequest, pk: int) -> TopicSuggestion:
    return get_object_or_404(TopicSuggestion.objects.filter(network=request.network).select_related("organisation", "meeting", "entry", "course"), pk=pk)


@network_required()
def suggestion_list(request: NetworkRequest) -> HttpResponse:
    found = suggestions.with_support_counts(TopicSuggestion.objects.filter(network=request.network).select_related("organisation"))
    return render(request, "cooperation/suggestions/manage_list.html", {"network": request.network, "suggestions": found})


def _suggestion_page(request: NetworkRequest, suggestion: TopicSuggestion, form: TakeForm | None = None) -> HttpResponse:
    return render(
        request,
        "cooperation/suggestions/manage_detail.html",
        {
            "network": request.network,
            "suggestion": suggestion,
            "outcome": suggestions.outcome(suggestion),
            "supporters": suggestion.supports.count(),
            "form": form or TakeForm(suggestion=suggestion),
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@network_required()
def suggestion_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    return _suggestion_page(request, _suggestion(request, pk))


@require_POST
@network_required(can_manage=True)
def suggestion_take(request: NetworkRequest, pk: int) -> HttpResponse:
    suggestion = _suggestion(request, pk)
    form = TakeForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        return _suggestion_page(request, suggestion, form)
    data = form.cleaned_data
    try:
        if data["target"] == TopicSuggestion.Target.MEETING:
            suggestions.suggestion_take_into_meeting(suggestion=suggestion, meeting=data["meeting"], by=request.user)
        elif data["target"] == TopicSuggestion.Target.INFOBRIEF:
            suggestions.suggestion_take_into_infobrief(suggestion=suggestion, infobrief=data["infobrief"], by=request.user)
        else:
            suggestions.suggestion_take_into_course(suggestion=suggestion, topic=data["topic"], year=data["year"], by=request.user)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _suggestion_page(request, suggestion, form)
    messages.success(request, _("Der Vorschlag ist aufgenommen."))
    return redirect("questions:suggestion_detail", request.network.slug, suggestion.pk)
