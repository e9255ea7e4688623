"""The Qualifizierungsverbund in the member portal: /portal/qualification/…

A company sees and edits its own row of the matrix, enrols its people in
courses and reads published seminar documentation, only in networks it is a
current member of. Other members' needs appear only as aggregates of at least
three organisations (matrix.member_aggregates).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from members.models import Membership
from verbund.access import member_required
from verbund.models import Network


def member_networks(request: HttpRequest):
    """Networks the member's organisation currently belongs to."""
    current = Membership.objects.current().filter(organisation=request.contact.organisation)  # type: ignore[attr-defined]
    return Network.objects.filter(archived_at__isnull=True, memberships__in=current).distinct().order_by("name")


def member_network(request: HttpRequest, slug: str) -> Network:
    network = member_networks(request).filter(slug=slug).first()
    if network is None:
        raise Http404("No such network.")
    return network


@member_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "qualification/portal_home.html", {
        "organisation": request.contact.organisation,  # type: ignore[attr-defined]
        "networks": member_networks(request),
    })
