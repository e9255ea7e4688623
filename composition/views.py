"""Start pages of the manager's area: all my networks, and one network's overview, each with "Heute zu tun"."""

from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from events.models import ActionItem, Meeting
from health.todos import network_todos, todos
from members.models import Membership
from members.selectors import listed_status_counts, member_count, member_counts
from verbund.access import AuthenticatedRequest, NetworkRequest, manager_required, network_required
from verbund.models import ManagerRole


@manager_required
def manage_index(request: AuthenticatedRequest) -> HttpResponse:
    roles = list(
        ManagerRole.objects.filter(user=request.user, network__archived_at__isnull=True)
        .select_related("network", "network__parent")
        .annotate(
            next_meeting_at=Subquery(_next_meetings(OuterRef("network")).values("starts_at")[:1]),
            next_meeting_title=Subquery(_next_meetings(OuterRef("network")).values("title")[:1]),
            open_items=Subquery(ActionItem.objects.open().filter(network=OuterRef("network")).values("network").annotate(n=Count("pk")).values("n")[:1]),
        )
        .order_by("network__name")
    )
    counts = member_counts(role.network for role in roles)
    for role in roles:
        role.member_count = counts[role.network_id]  # type: ignore[attr-defined]  # shown on the card
    # Observers only read: the to-dos are those of the networks where this user may act.
    managed = [role.network for role in roles if role.role_enum.can_manage]
    return render(
        request,
        "composition/manage_index.html",
        {"roles": roles, "todo_groups": todos(managed, user=request.user), "todo_networks": len(managed)},
    )


def _next_meetings(network):
    return Meeting.objects.filter(network=network, ends_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED).order_by("starts_at")


@vary_on_headers("HX-Request")
@network_required()
def network_home(request: NetworkRequest) -> HttpResponse:
    """A network's start page. `?status=` narrows the newest-members list; htmx swaps only that list.

    The newest members and the status table show what the directory lists (neither the membership nor the
    organisation in a trash); "Mitglieder" is members.selectors.member_count, the active and paused ones of those.
    """
    network = request.network
    listed = Membership.objects.listed_in(network)
    status = request.GET.get("status", "")
    if status not in Membership.Status.values:
        status = ""  # unknown values show everyone rather than an error page
    recent = listed.filter(status=status) if status else listed
    can_manage = request.manager_role.role_enum.can_manage
    context = {
        "network": network,
        "status": status,
        "status_label": Membership.Status(status).label if status else "",
        "recent_memberships": recent.select_related("organisation").order_by("-created_at", "-pk")[:8],
    }
    if request.htmx:
        return render(request, "composition/network_home.html#recent-members", context)
    counts = listed_status_counts(network)
    current = [choice for choice in Membership.Status if choice.is_current]
    context |= {
        "can_manage": can_manage,
        "todo_groups": network_todos(network, user=request.user) if can_manage else [],
        "member_count": member_count(network),
        "status_counts": [(choice, counts[choice.value]) for choice in Membership.Status],
        "current_counts": [(choice, counts[choice.value]) for choice in current],
        "other_counts": [(choice, counts[choice.value]) for choice in Membership.Status if not choice.is_current],
        "listed_count": sum(counts.values()),
        "managers": network.manager_roles.select_related("user").order_by("user__last_name"),
        "next_meetings": list(_next_meetings(network)[:3]),
        "open_items": ActionItem.objects.for_network(network).open().select_related("owner__organisation").order_by("due_on")[:10],
    }
    return render(request, "composition/network_home.html", context)
