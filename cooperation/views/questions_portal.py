"""Questions, the knowledge base and topic suggestions in the member portal: /portal/questions/…

A question is seen by the asking organisation and the organisations it was routed to, only while they belong to its
network; the knowledge base and the suggestions by the members of their network. Anything else is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation import questions, suggestions
from cooperation.forms.questions import AnswerForm, QuestionForm, SearchForm, SuggestionForm
from cooperation.models import KnowledgeEntry, Question, SuggestionSupport, TopicSuggestion
from members.access import MemberRequest
from verbund.access import member_required
from verbund.models import Network


def _networks(request: MemberRequest):
    return Network.objects.joined_by(request.contact.organisation)


def _question(request: MemberRequest, pk: int) -> Question:
    return get_object_or_404(Question.objects.visible_to_organisation(request.contact.organisation).select_related("network", "organisation"), pk=pk)


@member_required
def question_list(request: MemberRequest) -> HttpResponse:
    organisation = request.contact.organisation
    visible = Question.objects.visible_to_organisation(organisation).select_related("network").prefetch_related("tags")
    return render(
        request,
        "cooperation/questions/portal_list.html",
        {"asked": [q for q in visible if q.organisation_id == organisation.pk], "routed": [q for q in visible if q.organisation_id != organisation.pk]},
    )


@member_required
def question_create(request: MemberRequest) -> HttpResponse:
    organisation = request.contact.organisation
    form = QuestionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("title", "text")}
        try:
            question = questions.question_ask(
                contact=request.contact, network=form.cleaned_data["network"], data=data, tags_text=form.cleaned_data["tags_text"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Ihre Frage ist bei der Geschäftsstelle angekommen."))
            return redirect("portal_questions:detail", question.pk)
    return render(request, "cooperation/questions/portal_form.html", {"form": form, "title": _("Frage an die Geschäftsstelle")})


def _detail(request: MemberRequest, question: Question, answer_form: AnswerForm | None = None) -> HttpResponse:
    organisation = request.contact.organisation
    routed = question.routings.filter(organisation=organisation).exists()
    return render(
        request,
        "cooperation/questions/portal_detail.html",
        {
            "question": question,
            "mine": question.organisation_id == organisation.pk,
            "routed": routed,
            "answers": question.answers.select_related("organisation", "author"),
            "answer_form": answer_form or (AnswerForm() if routed and question.status == Question.Status.OPEN else None),
            "organisation": organisation,
        },
    )


@member_required
def question_detail(request: MemberRequest, pk: int) -> HttpResponse:
    return _detail(request, _question(request, pk))


@require_POST
@member_required
def answer_create(request: MemberRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, question, form)
    try:
        questions.answer_give(question=question, contact=request.contact, text=form.cleaned_data["text"], by=request.user)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, question, form)
    messages.success(request, _("Danke für Ihre Antwort."))
    return redirect("portal_questions:detail", question.pk)


@require_POST
@member_required
def question_consent(request: MemberRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    try:
        questions.question_consent(question=question, contact=request.contact, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Ihre Zustimmung zur Veröffentlichung ist gespeichert."))
    return redirect("portal_questions:detail", question.pk)


@require_POST
@member_required
def answer_consent(request: MemberRequest, pk: int, answer_pk: int) -> HttpResponse:
    question = _question(request, pk)
    answer = get_object_or_404(question.answers.filter(organisation=request.contact.organisation), pk=answer_pk)
    questions.answer_consent(answer=answer, contact=request.contact, by=request.user)
    messages.success(request, _("Ihre Zustimmung zur Veröffentlichung ist gespeichert."))
    return redirect("portal_questions:detail", question.pk)


@member_required
def knowledge_list(request: MemberRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    entries = KnowledgeEntry.objects.filter(network__in=_networks(request)).select_related("network").prefetch_related("tags")
    if form.is_valid() and form.cleaned_data["q"]:
        entries = entries.search(form.cleaned_data["q"])
    return render(request, "cooperation/questions/knowledge_list.html", {"form": form, "entries": entries, "portal": True})


@member_required
def knowledge_detail(request: MemberRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(KnowledgeEntry.objects.filter(network__in=_networks(request)).select_related("network"), pk=pk)
    return render(request, "cooperation/questions/knowledge_detail.html", {"entry": entry, "portal": True})


def _suggestions(request: MemberRequest):
    return TopicSuggestion.objects.filter(network__in=_networks(request)).select_related("network", "organisation", "meeting", "entry", "course")


@member_required
def suggestion_list(request: MemberRequest) -> HttpResponse:
    found = list(suggestions.with_support_counts(_suggestions(request)))
    supported = set(SuggestionSupport.objects.filter(contact=request.contact).values_list("suggestion_id", flat=True))
    rows = [(s, s.pk in supported, suggestions.outcome(s)) for s in found]
    return render(request, "cooperation/suggestions/portal_list.html", {"rows": rows, "organisation": request.contact.organisation})


@member_required
def suggestion_create(request: MemberRequest) -> HttpResponse:
    form = SuggestionForm(request.POST or None, organisation=request.contact.organisation)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("title", "text", "target")}
        try:
            suggestions.suggestion_make(contact=request.contact, network=form.cleaned_data["network"], data=data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Danke für Ihren Vorschlag."))
            return redirect("portal_questions:suggestion_list")
    return render(request, "cooperation/questions/portal_form.html", {"form": form, "title": _("Thema vorschlagen")})


@require_POST
@member_required
def suggestion_support(request: MemberRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(_suggestions(request), pk=pk)
    suggestions.suggestion_support(suggestion=suggestion, contact=request.contact, by=request.user)
    messages.success(request, _("Sie unterstützen „%(title)s“.") % {"title": suggestion.title})
    return redirect("portal_questions:suggestion_list")


@require_POST
@member_required
def suggestion_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(_suggestions(request), pk=pk)
    suggestions.suggestion_withdraw_support(suggestion=suggestion, contact=request.contact, by=request.user)
    messages.success(request, _("Ihre Unterstützung ist zurückgezogen."))
    return redirect("portal_questions:suggestion_list")
