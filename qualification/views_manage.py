"""The Qualifizierungsverbund for managers: /manage/<network_slug>/qualification/…

Topic catalogue, the matrix (cell by cell with htmx), the Verbundabstimmung with
its course proposals, courses with sessions, enrolments and attendance, the
indicators, and the company checks shared with the office. Everything is reached
through `request.network`; another network's object is a 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qualification import checks_service, indicators
from qualification.models import Course, Need, Topic
from verbund.access import NetworkRequest, network_required


@network_required()
def home(request: NetworkRequest) -> HttpResponse:
    network = request.network
    year = timezone.localdate().year
    return render(request, "qualification/home.html", {
        "network": network,
        "topics": Topic.objects.filter(network=network, archived_at__isnull=True).count(),
        "needs": Need.objects.filter(network=network, priority__gte=Need.Priority.USEFUL).count(),
        "courses": Course.objects.filter(network=network, year=year).exclude(status=Course.Status.DROPPED).count(),
        "shared_checks": checks_service.rounds_visible_to(request.user, network).count(),
        "year": year,
        "indicators": indicators.indicators(network, year),
        "can_manage": request.manager_role.role_enum.can_manage,
    })
