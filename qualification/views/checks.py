"""The company check (Unternehmens-Check) pages, for managers and for member companies.

Managers: /manage/<network_slug>/qualification/checks/… – the templates available to
the network (copy a default, edit an own one while nobody has answered it, else a new
version), the rounds visible to them (`checks_service.rounds_visible_to`, the one
visibility rule) and the check during a visit, which the company agrees to share.

Members: /portal/qualification/checks/… – per current network the templates to start,
the company's own rounds, the answer sheet (draft or complete), the result and its shares.
A round of another organisation, or of a network the company has left, is a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.access import MemberRequest
from qualification import checks, checks_service
from qualification.forms.checks import (
    AnswerForm,
    AreaForm,
    QuestionForm,
    ShareForm,
    TemplateForm,
    VisitStartForm,
    advisors,
)
from qualification.models import (
    CHECK_AREA_FORM_FIELDS,
    CHECK_QUESTION_FIELDS,
    CheckArea,
    CheckQuestion,
    CheckRound,
    CheckShare,
    CheckTemplate,
)
from qualification.views.portal import member_network, member_networks
from verbund import flash
from verbund.access import AuthenticatedRequest, NetworkRequest, member_required, network_required

# --- shared pieces ---------------------------------------------------------------------------


def _questions(check: CheckRound) -> list[CheckQuestion]:
    return list(CheckQuestion.objects.filter(area__template=check.template_id).select_related("area").order_by("area__position", "area__pk", "position", "pk"))


def _result_context(check: CheckRound, visible: QuerySet[CheckRound]) -> dict:
    """Scores, strengths, needs, topics and the change against the previous completed round the viewer may see."""
    scores = checks.area_scores(check)
    previous = (
        visible.filter(
            organisation=check.organisation_id,
            template__key=check.template.key,
            status=CheckRound.Status.COMPLETED,
            completed_at__lt=check.completed_at or timezone.now(),
        )
        .exclude(pk=check.pk)
        .select_related("template")
        .order_by("-completed_at")
        .first()
    )
    change = checks.progress(previous, check) if previous and check.status == CheckRound.Status.COMPLETED else {}  # a draft compares with nothing yet
    return {
        "check": check,
        "rows": [{"score": score, "change": change.get(score.key)} for score in scores],
        "strengths": checks.strengths(scores),
        "needs": checks.needs(scores),
        "topics": checks_service.catalogue_matches(check.network, checks.suggested_topics(scores)),
        "previous": previous,
        "answered": sum(s.answered for s in scores),
        "total": sum(s.questions for s in scores),
        "strength_at": checks.STRENGTH_AT,
        "need_below": checks.NEED_BELOW,
    }


def _answer_page(request: AuthenticatedRequest, check: CheckRound, *, answer_url: str, result_url: str, context: dict) -> HttpResponse:
    """The answer sheet of members and managers: save what is answered, complete when whole; a completed round is read-only."""
    if check.status == CheckRound.Status.COMPLETED:
        if request.method == "POST":
            messages.error(request, _("Ein abgeschlossener Check kann nicht mehr geändert werden; beginnen Sie eine neue Runde."))
        else:
            messages.info(request, _("Dieser Check ist abgeschlossen; hier sehen Sie das Ergebnis."))
        return redirect(result_url)
    questions = _questions(check)
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                checks_service.check_answers_save(check=check, by=request.user, answers=form.answers())
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(result_url)
            if "complete" in request.POST:
                try:
                    checks_service.check_complete(check=check, by=request.user)
                except ValidationError as exc:
                    messages.error(request, " ".join([*exc.messages, _("Ihre bisherigen Antworten sind gespeichert.")]))
                    return redirect(answer_url)
                messages.success(request, _("Der Check ist abgeschlossen."))
                return redirect(result_url)
            answered = check.answers.count()
            messages.success(request, _("Entwurf gespeichert: %(answered)s von %(total)s Aussagen bewertet.") % {"answered": answered, "total": len(questions)})
            return redirect(answer_url)
        status = 400
    else:
        initial = {}
        for answer in check.answers.all():
            initial[f"value-{answer.question_id}"] = str(answer.value)
            initial[f"note-{answer.question_id}"] = answer.note
        form = AnswerForm(initial=initial, questions=questions)
    sheet: list[dict] = []
    for question in questions:
        if not sheet or sheet[-1]["area"].pk != question.area_id:
            sheet.append({"area": question.area, "items": []})
        sheet[-1]["items"].append({"question": question, "value": form[f"value-{question.pk}"], "note": form[f"note-{question.pk}"]})
    answered = sum(1 for q in questions if form[f"value-{q.pk}"].value() not in (None, ""))
    return render(
        request,
        "qualification/checks/answer.html",
        {
            **context,
            "check": check,
            "form": form,
            "sheet": sheet,
            "answered": answered,
            "total": len(questions),
            "answer_url": answer_url,
        },
        status=status,
    )


# --- manager side: templates ----------------------------------------------------------------


def _templates(request: NetworkRequest) -> QuerySet[CheckTemplate]:
    """Templates a manager of this network may read: its own (all versions) and the shipped defaults."""
    return CheckTemplate.objects.filter(Q(network=request.network) | Q(network__isnull=True))


def _area_queryset(request: NetworkRequest) -> QuerySet[CheckArea]:
    return CheckArea.objects.filter(Q(template__network=request.network) | Q(template__network__isnull=True)).select_related("template")


def _detail(request: NetworkRequest, template: CheckTemplate) -> HttpResponse:
    return redirect("qualification:check_template", network_slug=request.network.slug, pk=template.pk)


def _edit_page(request: NetworkRequest, template: CheckTemplate, form, *, heading: str, save: Callable[[dict], object], done: str) -> HttpResponse:
    """GET/POST of one edit form of a template; refused with the reason when the template is frozen or a default."""
    if reason := checks_service.template_locked_reason(template):
        messages.error(request, reason)
        return _detail(request, template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return _detail(request, template)
            messages.success(request, done)
            return _detail(request, template)
        status = 400
    return render(
        request,
        "qualification/checks/edit_form.html",
        {
            "network": request.network,
            "template": template,
            "form": form,
            "heading": heading,
        },
        status=status,
    )


def _checks_page(request: NetworkRequest, form: VisitStartForm | None = None, status: int = 200) -> HttpResponse:
    network = request.network
    available = checks_service.templates_for(network)
    can_manage = request.manager_role.role_enum.can_manage
    return render(
        request,
        "qualification/checks/manage_checks.html",
        {
            "network": network,
            "available": available,
            "own": CheckTemplate.objects.filter(network=network).annotate(round_count=Count("rounds")).order_by("key", "-version"),
            "rounds": checks_service.rounds_visible_to(request.user, network).select_related("organisation", "template").order_by("-started_at"),
            "form": form or (VisitStartForm(network=network, templates=available) if can_manage else None),
            "can_manage": can_manage,
        },
        status=status,
    )


@network_required()
def manage_checks(request: NetworkRequest) -> HttpResponse:
    return _checks_page(request)


@network_required()
def manage_template(request: NetworkRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(_templates(request), pk=pk)
    own_copy = None
    if template.network_id is None:
        own_copy = CheckTemplate.objects.filter(network=request.network, key=template.key).order_by("-version").first()
    return render(
        request,
        "qualification/checks/manage_template.html",
        {
            "network": request.network,
            "template": template,
            "areas": template.areas.prefetch_related("questions").order_by("position", "pk"),
            "locked_reason": checks_service.template_locked_reason(template),
            "own_copy": own_copy,
            "round_count": template.rounds.filter(network=request.network).count(),
            "versions": CheckTemplate.objects.filter(network=request.network, key=template.key).order_by("-version") if template.network_id else [],
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@require_POST
@network_required(can_manage=True)
def manage_template_copy(request: NetworkRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(CheckTemplate.objects.filter(network__isnull=True), pk=pk)
    try:
        copy = checks_service.template_copy(template=template, network=request.network, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, template)
    messages.success(request, _("Der Fragebogen gehört jetzt Ihrem Verbund; Sie können ihn anpassen, solange ihn niemand beantwortet hat."))
    return _detail(request, copy)


@require_POST
@network_required(can_manage=True)
def manage_template_revise(request: NetworkRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(CheckTemplate.objects.filter(network=request.network), pk=pk)
    if checks_service.template_editable(template):
        messages.info(request, _("Diese Fassung hat noch niemand beantwortet; Sie können sie direkt bearbeiten."))
        return _detail(request, template)
    revised = checks_service.template_copy(template=template, network=request.network, by=request.user, revise=True)
    messages.success(request, _("Fassung %(version)s angelegt; sie gilt ab jetzt für neue Checks.") % {"version": revised.version})
    return _detail(request, revised)


@network_required(can_manage=True)
def manage_template_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(_templates(request), pk=pk)
    form = TemplateForm(request.POST or None, instance=get_object_or_404(_templates(request), pk=pk))  # a copy: the form changes its instance

    def save(data: dict) -> None:
        checks_service.template_update(template=template, by=request.user, data=data)

    return _edit_page(request, template, form, heading=_("Titel und Beschreibung"), save=save, done=_("Änderungen gespeichert."))


@network_required(can_manage=True)
def manage_area_edit(request: NetworkRequest, pk: int | None = None, template_pk: int | None = None) -> HttpResponse:
    area: CheckArea | None = None
    if pk is not None:
        area = get_object_or_404(_area_queryset(request), pk=pk)
        template = area.template
    else:
        template = get_object_or_404(_templates(request), pk=template_pk)
    # The form validates a copy: the service applies the values to the stored row.
    form = AreaForm(
        request.POST or None,
        instance=get_object_or_404(_area_queryset(request), pk=pk) if area else CheckArea(template=template, position=template.areas.count() + 1),
    )

    def save(data: dict) -> None:
        values = {name: data[name] for name in CHECK_AREA_FORM_FIELDS} | {"suggested_topics": data["topics"]}
        checks_service.area_save(template=template, by=request.user, data=values, area=area)

    heading = _("Handlungsfeld bearbeiten") if pk else _("Neues Handlungsfeld")
    return _edit_page(request, template, form, heading=heading, save=save, done=_("Handlungsfeld gespeichert."))


@require_POST
@network_required(can_manage=True)
def manage_area_delete(request: NetworkRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(_area_queryset(request), pk=pk)
    try:
        checks_service.area_delete(area=area, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Handlungsfeld „%(title)s“ mit seinen Aussagen gelöscht.") % {"title": area.title})
    return _detail(request, area.template)


def _question_queryset(request: NetworkRequest) -> QuerySet[CheckQuestion]:
    return CheckQuestion.objects.filter(Q(area__template__network=request.network) | Q(area__template__network__isnull=True)).select_related("area__template")


@network_required(can_manage=True)
def manage_question_edit(request: NetworkRequest, pk: int | None = None, area_pk: int | None = None) -> HttpResponse:
    question: CheckQuestion | None = None
    if pk is not None:
        question = get_object_or_404(_question_queryset(request), pk=pk)
        area = question.area
    else:
        area = get_object_or_404(_area_queryset(request), pk=area_pk)
    # The form validates a copy: the service applies the values to the stored row.
    form = QuestionForm(
        request.POST or None,
        instance=get_object_or_404(_question_queryset(request), pk=pk) if question else CheckQuestion(area=area, position=area.questions.count() + 1),
    )
    heading = (_("Aussage bearbeiten") if pk else _("Neue Aussage")) + f" – {area.title}"

    def save(data: dict) -> None:
        checks_service.question_save(area=area, by=request.user, data={name: data[name] for name in CHECK_QUESTION_FIELDS.names}, question=question)

    return _edit_page(request, area.template, form, heading=heading, save=save, done=_("Aussage gespeichert."))


@require_POST
@network_required(can_manage=True)
def manage_question_delete(request: NetworkRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(_question_queryset(request), pk=pk)
    try:
        checks_service.question_delete(question=question, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Aussage gelöscht."))
    return _detail(request, question.area.template)


# --- manager side: rounds -------------------------------------------------------------------


def _manager_round(request: NetworkRequest, pk: int) -> CheckRound:
    visible = checks_service.rounds_visible_to(request.user, request.network)
    return get_object_or_404(visible.select_related("organisation", "template", "network"), pk=pk)


@require_POST
@network_required(can_manage=True)
def manage_round_start(request: NetworkRequest) -> HttpResponse:
    """A check during a visit: the company agreed that the office sees its results, so the share is granted at once."""
    network = request.network
    form = VisitStartForm(request.POST, network=network, templates=checks_service.templates_for(network))
    if not form.is_valid():
        return _checks_page(request, form=form, status=400)
    try:
        check = checks_service.check_start_during_visit(
            network=network,
            organisation=form.cleaned_data["organisation"],
            template=form.cleaned_data["template"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("qualification:checks", network_slug=network.slug)
    messages.success(
        request, _("Check für %(organisation)s begonnen; die Ergebnisse sind mit der Geschäftsstelle geteilt.") % {"organisation": check.organisation.name}
    )
    return redirect("qualification:check_round_answer", network_slug=network.slug, pk=check.pk)


@network_required()
def manage_round(request: NetworkRequest, pk: int) -> HttpResponse:
    check = _manager_round(request, pk)
    context = _result_context(check, checks_service.rounds_visible_to(request.user, request.network))
    return render(
        request,
        "qualification/checks/manage_round.html",
        {
            **context,
            "network": request.network,
            "manager_view": True,
            "can_answer": request.manager_role.role_enum.can_manage and check.with_advisor and check.status == CheckRound.Status.DRAFT,
        },
    )


@network_required(can_manage=True)
def manage_round_answer(request: NetworkRequest, pk: int) -> HttpResponse:
    check = _manager_round(request, pk)
    if not check.with_advisor:  # the company fills in its own check; the office only reads what is shared
        raise Http404("Not a check during a visit.")
    slug = request.network.slug
    return _answer_page(
        request,
        check,
        answer_url=reverse("qualification:check_round_answer", args=[slug, pk]),
        result_url=reverse("qualification:check_round", args=[slug, pk]),
        context={"network": request.network, "manager_view": True},
    )


# --- member portal --------------------------------------------------------------------------


def _portal_round(request: MemberRequest, pk: int) -> CheckRound:
    """A round of the member's own organisation in a network it currently belongs to; anything else is a 404."""
    in_networks = CheckRound.objects.filter(network__in=member_networks(request)).select_related("network", "template", "organisation")
    check = get_object_or_404(in_networks, pk=pk)
    visible = checks_service.rounds_visible_to(request.user, check.network).filter(organisation=request.contact.organisation)
    if not visible.filter(pk=check.pk).exists():
        raise Http404("No such check.")
    return check


@member_required
def portal_checks(request: MemberRequest) -> HttpResponse:
    organisation = request.contact.organisation
    sections = []
    for network in member_networks(request):
        rounds = checks_service.rounds_visible_to(request.user, network).filter(organisation=organisation)
        sections.append(
            {
                "network": network,
                "templates": checks_service.templates_for(network),
                "rounds": rounds.select_related("template").order_by("-started_at"),
            }
        )
    return render(request, "qualification/checks/portal_checks.html", {"organisation": organisation, "sections": sections})


@require_POST
@member_required
def portal_start(request: MemberRequest, network_slug: str, template_pk: int) -> HttpResponse:
    network = member_network(request, network_slug)
    template = get_object_or_404(checks_service.templates_for(network), pk=template_pk)
    check = checks_service.check_start(network=network, organisation=request.contact.organisation, template=template, by=request.user)
    return redirect("qualification_portal:check_answer", pk=check.pk)


@member_required
def portal_round(request: MemberRequest, pk: int) -> HttpResponse:
    check = _portal_round(request, pk)
    visible = checks_service.rounds_visible_to(request.user, check.network).filter(organisation=check.organisation_id)
    return render(
        request,
        "qualification/checks/portal_round.html",
        {
            **_result_context(check, visible),
            "shares": check.shares.select_related("advisor", "granted_by").order_by("-granted_at"),
            "advisors": advisors(check.network),
            "shared_with_managers": check.shares.filter(with_managers=True, withdrawn_at__isnull=True).exists(),
        },
    )


@member_required
def portal_answer(request: MemberRequest, pk: int) -> HttpResponse:
    check = _portal_round(request, pk)
    return _answer_page(
        request,
        check,
        answer_url=reverse("qualification_portal:check_answer", args=[pk]),
        result_url=reverse("qualification_portal:check_round", args=[pk]),
        context={"manager_view": False},
    )


@require_POST
@member_required
def portal_share(request: MemberRequest, pk: int) -> HttpResponse:
    check = _portal_round(request, pk)
    form = ShareForm(request.POST, network=check.network)
    back = reverse("qualification_portal:check_round", args=[pk]) + "#sharing"
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect(back)
    with_managers = form.cleaned_data["target"] == ShareForm.WITH_MANAGERS
    advisor = None if with_managers else form.cleaned_data["advisor"]
    active = check.shares.filter(withdrawn_at__isnull=True)
    if active.filter(with_managers=True).exists() if with_managers else active.filter(advisor=advisor).exists():
        messages.info(request, _("Diese Freigabe besteht bereits."))
        return redirect(back)
    checks_service.check_share(check=check, by=request.user, with_managers=with_managers, advisor=advisor)
    whom = _("der Geschäftsstelle") if with_managers else str(advisor)
    messages.success(request, _("Die Ergebnisse sind jetzt mit %(whom)s geteilt.") % {"whom": whom})
    return redirect(back)


@require_POST
@member_required
def portal_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(CheckShare.objects.filter(round__organisation=request.contact.organisation), pk=pk)
    check = _portal_round(request, share.round_id)
    if share.withdrawn_at is None:
        checks_service.check_withdraw(share=share, by=request.user)
        messages.success(request, _("Freigabe zurückgezogen; die Ergebnisse sind dort nicht mehr sichtbar."))
    else:
        messages.info(request, _("Diese Freigabe war bereits zurückgezogen."))
    return redirect(reverse("qualification_portal:check_round", args=[check.pk]) + "#sharing")


@require_POST
@member_required
def portal_repeat(request: MemberRequest, pk: int) -> HttpResponse:
    check = _portal_round(request, pk)
    template = checks_service.templates_for(check.network).filter(key=check.template.key).first()
    if template is None:
        messages.error(request, _("Dieser Fragebogen steht in diesem Verbund nicht mehr zur Verfügung."))
        return redirect("qualification_portal:check_round", pk=check.pk)
    new = checks_service.check_start(network=check.network, organisation=check.organisation, template=template, by=request.user)
    messages.success(request, _("Neue Runde begonnen; das Ergebnis wird danach mit der vorigen verglichen."))
    return redirect("qualification_portal:check_answer", pk=new.pk)
