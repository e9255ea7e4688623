"""Start pages of the manager's area: all my networks, and one network's overview."""

from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from events.models import ActionItem, Meeting
from members.models import Membership
from verbund.access import AuthenticatedRequest, NetworkRequest, manager_required, network_required
from verbund.models import ManagerRole, current_membership_q


@manager_required
def manage_index(request: AuthenticatedRequest) -> HttpResponse:
    roles = (
        ManagerRole.objects.filter(user=request.user, network__archived_at__isnull=True)
        .select_related("network", "network__parent")
        .annotate(member_count=Count("network__memberships", filter=current_membership_q("network__memberships__")))
        .annotate(
            next_meeting_at=Subquery(_next_meetings(OuterRef("network")).values("starts_at")[:1]),
            next_meeting_title=Subquery(_next_meetings(OuterRef("network")).values("title")[:1]),
            open_items=Subquery(ActionItem.objects.open().filter(network=OuterRef("network")).values("network").annotate(n=Count("pk")).values("n")[:1]),
        )
        .order_by("network__name")
    )
    return render(request, "composition/manage_index.html", {"roles": roles})


def _next_meetings(network):
    return Meeting.objects.filter(network=network, ends_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED).order_by("starts_at")


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
        return render(request, "composition/network_home.html#recent-members", context)
    counts = {row["status"]: row["n"] for row in memberships.values("status").annotate(n=Count("id"))}
    context |= {
        "status_counts": [(choice, counts.get(choice.value, 0)) for choice in Membership.Status],
        "member_count": sum(n for status, n in counts.items() if Membership.Status(status).is_current),
        "managers": network.manager_roles.select_related("user").order_by("user__last_name"),
        "next_meetings": list(_next_meetings(network)[:3]),
        "open_items": ActionItem.objects.for_network(network).open().select_related("owner__organisation").order_by("due_on")[:10],
        "cadence": _cadence(network),
    }
    return render(request, "composition/network_home.html", context)


def _cadence(network) -> dict | None:
    """Meetings held or planned in the last twelve months against the planned number per year."""
    if not network.meetings_per_year:
        return None
    since = timezone.now() - timedelta(days=365)
    held = Meeting.objects.filter(network=network, starts_at__gte=since, starts_at__lte=timezone.now()).exclude(status=Meeting.Status.CANCELLED).count()
    return {"planned": network.meetings_per_year, "held": held, "behind": held < network.meetings_per_year}
