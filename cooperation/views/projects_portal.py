"""Practice projects in the member portal: /portal/projects/… (issue 19).

A member company sees the projects its organisation takes part in (Project.objects.for_member: a current member of
the project network); any other project is a 404. What it sees follows the portal's rules elsewhere: organisations
and their roles, not people; of the project network's action items only those of its own people (as on the portal's
meetings page); the upcoming meetings link to the portal's meeting pages; of the decision papers only the decided
ones, read-only, without who recorded them in the office.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from cooperation.models.projects import DecisionPaper, Project, ProjectParticipant
from events.models import ActionItem, Meeting
from members.access import MemberRequest
from verbund.access import member_required


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
