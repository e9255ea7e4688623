"""Practice projects in the member portal: /portal/projects/… (issue 19).

A member company sees the projects its organisation takes part in (Project.objects.for_member: a current member of
the project network); any other project is a 404. What it sees follows the portal's rules elsewhere: organisations
and their roles, not people; of the project network's action items only those of its own people (as on the portal's
meetings page); the upcoming meetings link to the portal's meeting pages; of the decision papers only the decided
ones, read-only, without who recorded them in the office.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from cooperation.models.projects import DecisionPaper, Project, ProjectParticipant
from cooperation.projects import project_link_file_name
from events.models import ActionItem, Meeting
from members.access import MemberRequest
from verbund.access import member_required
from verbund.uploads import serve_stored_file


def _projects(request: MemberRequest):
    return Project.objects.for_member(request.contact.organisation).select_related("network", "parent")


@member_required
def project_list(request: MemberRequest) -> HttpResponse:
    organisation = request.contact.organisation
    projects = _projects(request).order_by("status", "network__name")
    ours = {p.project_id: p for p in ProjectParticipant.objects.filter(organisation=organisation, project__in=projects)}
    rows = [(project, ours.get(project.pk)) for project in projects]
    return render(request, "cooperation/projects/portal_list.html", {"rows": rows})


@member_required
def link_file(request: MemberRequest, pk: int, link_pk: int) -> HttpResponseBase:
    """A PDF of a project the company takes part in; 404 for any other project or entry."""
    project = get_object_or_404(_projects(request), pk=pk)
    link = get_object_or_404(project.links.exclude(file=""), pk=link_pk)
    return serve_stored_file(link.file, filename=project_link_file_name(link), content_type="application/pdf")


@member_required
def project_detail(request: MemberRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(_projects(request), pk=pk)
    child = project.network
    organisation = request.contact.organisation
    return render(
        request,
        "cooperation/projects/portal_detail.html",
        {
            "project": project,
            "child": child,
            "participants": project.participants.select_related("organisation"),
            "next_steps": ActionItem.objects.for_network(child)
            .open()
            .filter(owner__organisation=organisation)
            .select_related("owner")
            .order_by("due_on", "pk"),
            "meetings": Meeting.objects.filter(network=child).upcoming()[:10],
            "links": project.links.all(),
            "papers": project.decision_papers.filter(status=DecisionPaper.Status.DECIDED).prefetch_related("options").order_by("-decided_on", "-pk"),
        },
    )
