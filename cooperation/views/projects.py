"""Practice projects in the parent network's area (issue 19): list, start, project page, documentation, decision papers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation import projects as services
from cooperation.forms.projects import (
    DecisionForm,
    DecisionPaperForm,
    ParticipantAddForm,
    ParticipantRoleForm,
    ProjectForm,
    ProjectLinkForm,
    ProjectStartForm,
)
from cooperation.models.projects import DecisionPaper, Project, ProjectParticipant
from events.models import ActionItem, Meeting
from members.exports import file_response
from verbund.access import NetworkRequest, network_required
from verbund.uploads import serve_stored_file


def _project(request: NetworkRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.of_parent(request.network).select_related("network"), pk=pk)


def _paper(project: Project, paper_pk: int) -> DecisionPaper:
    return get_object_or_404(project.decision_papers.select_related("recorded_by", "supersedes"), pk=paper_pk)


def _can_manage(request: NetworkRequest) -> bool:
    return request.manager_role.role_enum.can_manage


@network_required()
def project_list(request: NetworkRequest) -> HttpResponse:
    projects = Project.objects.of_parent(request.network).select_related("network").order_by("status", "-created_at")
    return render(request, "cooperation/projects/list.html", {"network": request.network, "projects": projects, "can_manage": _can_manage(request)})


@network_required(can_manage=True)
def project_start(request: NetworkRequest) -> HttpResponse:
    form = ProjectStartForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_start(
                parent=request.network,
                by=request.user,
                name=form.cleaned_data["name"],
                goals=form.cleaned_data["goals"],
                participants=form.participant_roles(),
                data=form.project_data(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Projekt gestartet."))
            return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "cooperation/projects/start.html", {"network": request.network, "form": form}, status=status)


def _detail_context(request: NetworkRequest, project: Project) -> dict:
    child = project.network
    return {
        "network": request.network,
        "project": project,
        "child": child,
        "can_manage": _can_manage(request),
        "manages_child": child.manager_roles.filter(user=request.user).exists(),
        "participants": project.participants.select_related("organisation"),
        "next_steps": ActionItem.objects.for_network(child).open().select_related("owner").order_by("due_on", "pk")[:20],
        "meetings": Meeting.objects.for_network(child).order_by("-starts_at")[:10],
        "papers": project.decision_papers.all(),
        "links": project.links.all(),
    }


@network_required()
def project_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = _detail_context(request, project)
    context |= {"form": ProjectForm(instance=project), "link_form": ProjectLinkForm()}
    return render(request, "cooperation/projects/detail.html", context)


@network_required(can_manage=True)
def project_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = ProjectForm(request.POST or None, instance=Project.objects.get(pk=project.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, by=request.user, data={name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Projekt gespeichert."))
            return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "cooperation/projects/edit.html", {"network": request.network, "project": project, "form": form}, status=status)


def _participant(project: Project, participant_pk: int) -> ProjectParticipant:
    return get_object_or_404(project.participants.select_related("organisation", "project__network"), pk=participant_pk)


@network_required(can_manage=True)
def participant_add(request: NetworkRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = ParticipantAddForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_add(project=project, by=request.user, organisation=form.cleaned_data["organisation"], role=form.cleaned_data["role"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s ist jetzt am Projekt beteiligt.") % {"name": form.cleaned_data["organisation"].name})
            return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)
    status = 400 if form.errors else 200
    context = {"network": request.network, "project": project, "form": form}
    return render(request, "cooperation/projects/participant_add.html", context, status=status)


@network_required(can_manage=True)
def participant_role(request: NetworkRequest, pk: int, participant_pk: int) -> HttpResponse:
    project = _project(request, pk)
    participant = _participant(project, participant_pk)
    form = ParticipantRoleForm(request.POST or None, initial={"role": participant.role})
    if request.method == "POST" and form.is_valid():
        services.participant_change_role(participant=participant, by=request.user, role=form.cleaned_data["role"])
        messages.success(request, _("Rolle von %(name)s gespeichert.") % {"name": participant.organisation.name})
        return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)
    status = 400 if form.errors else 200
    context = {"network": request.network, "project": project, "participant": participant, "form": form}
    return render(request, "cooperation/projects/participant_role.html", context, status=status)


@require_POST
@network_required(can_manage=True)
def participant_remove(request: NetworkRequest, pk: int, participant_pk: int) -> HttpResponseBase:
    project = _project(request, pk)
    participant = _participant(project, participant_pk)
    services.participant_remove(participant=participant, by=request.user)
    messages.success(request, _("%(name)s ist nicht mehr am Projekt beteiligt.") % {"name": participant.organisation.name})
    return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)


@network_required(can_manage=True)
def link_add(request: NetworkRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = ProjectLinkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("upload", None)
        try:
            services.project_link_add(project=project, by=request.user, data=data, upload=upload)
        except ValidationError as exc:
            form.add_error("upload" if upload and not hasattr(exc, "error_dict") else None, exc)
        else:
            messages.success(request, _("Eintrag hinzugefügt."))
            return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "cooperation/projects/link_add.html", {"network": request.network, "project": project, "form": form}, status=status)


@require_POST
@network_required(can_manage=True)
def link_delete(request: NetworkRequest, pk: int, link_pk: int) -> HttpResponseBase:
    project = _project(request, pk)
    link = get_object_or_404(project.links, pk=link_pk)
    services.project_link_delete(link=link, by=request.user)
    messages.success(request, _("Eintrag entfernt."))
    return redirect("projects:detail", network_slug=request.network.slug, pk=project.pk)


@network_required()
def link_file(request: NetworkRequest, pk: int, link_pk: int) -> HttpResponseBase:
    """The project's PDF as a download (our name, nosniff, sandbox CSP: verbund.uploads.serve_stored_file)."""
    project = _project(request, pk)
    link = get_object_or_404(project.links.exclude(file=""), pk=link_pk)
    return serve_stored_file(link.file, filename=services.project_link_file_name(link), content_type="application/pdf")


@network_required()
def project_summary(request: NetworkRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = _detail_context(request, project)
    context["decided"] = project.decision_papers.filter(status=DecisionPaper.Status.DECIDED).prefetch_related("options")
    return render(request, "cooperation/projects/summary.html", context)


@network_required(can_manage=True)
def paper_create(request: NetworkRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    supersedes = None
    if request.GET.get("supersedes", "").isdigit():
        supersedes = get_object_or_404(project.decision_papers.filter(status=DecisionPaper.Status.DECIDED), pk=request.GET["supersedes"])
    form = DecisionPaperForm(request.POST or None, paper=supersedes)
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.decision_paper_create(project=project, by=request.user, data=form.paper_data(), options=form.options(), supersedes=supersedes)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Entscheidungsvorlage angelegt."))
            return redirect("projects:paper_detail", network_slug=request.network.slug, pk=project.pk, paper_pk=paper.pk)
    status = 400 if form.errors else 200
    context = {"network": request.network, "project": project, "form": form, "supersedes": supersedes}
    return render(request, "cooperation/projects/paper_form.html", context, status=status)


@network_required()
def paper_detail(request: NetworkRequest, pk: int, paper_pk: int) -> HttpResponse:
    project = _project(request, pk)
    paper = _paper(project, paper_pk)
    form = None if paper.is_frozen else DecisionForm(initial={"decided_on": timezone.localdate()})
    context = {"network": request.network, "project": project, "paper": paper, "decide_form": form, "can_manage": _can_manage(request)}
    return render(request, "cooperation/projects/paper_detail.html", context)


@network_required(can_manage=True)
def paper_edit(request: NetworkRequest, pk: int, paper_pk: int) -> HttpResponseBase:
    project = _project(request, pk)
    paper = _paper(project, paper_pk)
    if paper.is_frozen:
        messages.error(request, _("Diese Vorlage ist entschieden und kann nicht mehr geändert werden."))
        return redirect("projects:paper_detail", network_slug=request.network.slug, pk=project.pk, paper_pk=paper.pk)
    form = DecisionPaperForm(request.POST or None, paper=paper)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_paper_update(paper=paper, by=request.user, data=form.paper_data(), options=form.options())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Entscheidungsvorlage gespeichert."))
            return redirect("projects:paper_detail", network_slug=request.network.slug, pk=project.pk, paper_pk=paper.pk)
    status = 400 if form.errors else 200
    context = {"network": request.network, "project": project, "form": form, "paper": paper}
    return render(request, "cooperation/projects/paper_form.html", context, status=status)


@require_POST
@network_required(can_manage=True)
def paper_decide(request: NetworkRequest, pk: int, paper_pk: int) -> HttpResponseBase:
    project = _project(request, pk)
    paper = _paper(project, paper_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_paper_decide(paper=paper, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Entscheidung erfasst; die Vorlage ist jetzt schreibgeschützt."))
            return redirect("projects:paper_detail", network_slug=request.network.slug, pk=project.pk, paper_pk=paper.pk)
    context = {"network": request.network, "project": project, "paper": paper, "decide_form": form, "can_manage": True}
    return render(request, "cooperation/projects/paper_detail.html", context, status=400)


@network_required()
def paper_print(request: NetworkRequest, pk: int, paper_pk: int) -> HttpResponse:
    project = _project(request, pk)
    paper = _paper(project, paper_pk)
    return render(request, "cooperation/projects/paper_print.html", {"network": request.network, "project": project, "paper": paper})


@network_required()
def paper_pdf(request: NetworkRequest, pk: int, paper_pk: int) -> HttpResponse:
    project = _project(request, pk)
    paper = _paper(project, paper_pk)
    return file_response(services.paper_pdf(paper), fmt="pdf", filename=f"entscheidungsvorlage-{paper.pk}.pdf")
