"""Start pages of the manager's area: all my networks, and one network's overview."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from members.models import Membership
from verbund.access import NetworkRequest, manager_required, network_required
from verbund.models import ManagerRole


@manager_required
def manage_index(request: HttpRequest) -> HttpResponse:
    roles = (
        ManagerRole.objects.filter(user=request.user, network__archived_at__isnull=True)
        .select_related("network", "network__parent")
        .annotate(
            member_count=Count(
                "network__memberships",
                filter=Q(
                    network__memberships__status__in=[Membership.Status.ACTIVE, Membership.Status.PAUSED],
                    network__memberships__archived_at__isnull=True,
                ),
            )
        )
        .order_by("network__name")
    )
    return render(request, "verbund/manage_index.html", {"roles": roles})


@vary_on_headers("HX-Request")
@network_required()
def network_home(request: NetworkRequest) -> HttpResponse:
    """A network's start page. `?status=` narrows the newest-members list; htmx swaps only that list."""
    network = request.network
    memberships = Membership.objects.for_network(network)
    status = request.GET.get("status", "")
    if status not in Membership.Status.values:
        status = ""  # unknown values show everyone rather than an error page
    recent = memberships.filter(status=status) if status else memberships
    context = {
        "network": network,
        "status": status,
        "status_label": Membership.Status(status).label if status else "",
        "recent_memberships": recent.select_related("organisation").order_by("-created_at", "-pk")[:8],
    }
    if request.htmx:
        return render(request, "verbund/network_home.html#recent-members", context)
    counts = {row["status"]: row["n"] for row in memberships.values("status").annotate(n=Count("id"))}
    context |= {
        "status_counts": [(choice, counts.get(choice.value, 0)) for choice in Membership.Status],
        "member_count": counts.get(Membership.Status.ACTIVE, 0) + counts.get(Membership.Status.PAUSED, 0),
        "managers": network.manager_roles.select_related("user").order_by("user__last_name"),
    }
    return render(request, "verbund/network_home.html", context)
