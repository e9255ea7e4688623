"""One bare view per measured page: the same tables and row counts as the portal's page, no auth, a minimal template.

The URLs mirror the portal's, so the runner asks both servers for the same path. The manager and the member are
the world's (bench.world); there is no session, so "who is asking" is one lookup by email, like the portal's one
user lookup per request.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from bench.pages import DIRECTORY_PAGE_SIZE
from bench.world import MANAGER_EMAIL, MEMBER_EMAIL
from events.models import ActionItem, Meeting, Registration
from members.matching import fold
from members.models import Contact, Membership, Organisation
from qualification.models import Need, Topic
from verbund.models import ManagerRole, Network

CURRENT = Q(status__in=("active", "paused"), archived_at__isnull=True)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


def _network(slug: str) -> Network:
    return get_object_or_404(Network, slug=slug, manager_roles__user__email=MANAGER_EMAIL)


def directory(request: HttpRequest, network_slug: str) -> HttpResponse:
    """A 25-row page (the portal's page size) with its count over membership ⋈ organisation, by name; `q`, `kind`, `status`, `page` as the portal's."""
    network = _network(network_slug)
    memberships = Membership.objects.filter(network=network, archived_at__isnull=True, organisation__archived_at__isnull=True)
    if request.GET.get("kind"):
        memberships = memberships.filter(organisation__kind=request.GET["kind"])
    if request.GET.get("status"):
        memberships = memberships.filter(status=request.GET["status"])
    if q := fold(request.GET.get("q", "")):
        memberships = memberships.filter(organisation__search_text__contains=q)
    memberships = memberships.select_related("organisation").order_by("organisation__search_name", "pk")  # the portal's A–Z key
    page = Paginator(memberships, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "bare/directory_rows.html" if request.headers.get("HX-Request") else "bare/directory.html"
    return render(request, template, {"network": network, "page": page})


def organisation_detail(request: HttpRequest, network_slug: str, pk: int) -> HttpResponse:
    """An organisation with three prefetched lists: its people, its memberships (with networks), its tags."""
    network = _network(network_slug)
    organisation = get_object_or_404(
        Organisation.objects.filter(memberships__network=network).prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.filter(archived_at__isnull=True).order_by("-is_primary", "last_name")),
            Prefetch("memberships", queryset=Membership.objects.select_related("network").order_by("network__name")),
            "competency_tags",
        ),
        pk=pk,
    )
    return render(request, "bare/organisation.html", {"network": network, "organisation": organisation})


def network_start(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The start page's shape: status counts, member count, managers, next meetings, open items, the newest members."""
    network = _network(network_slug)
    listed = Membership.objects.filter(network=network, archived_at__isnull=True, organisation__archived_at__isnull=True)
    context = {
        "network": network,
        "status_counts": list(listed.values("status").annotate(n=Count("pk")).order_by("status")),
        "member_count": listed.filter(status__in=("active", "paused")).count(),
        "overdue": ActionItem.objects.filter(network=network, done_at__isnull=True, due_on__lt=timezone.localdate()).count(),
        "managers": list(network.manager_roles.select_related("user")),
        "next_meetings": list(Meeting.objects.filter(network=network, ends_at__gte=timezone.now()).exclude(status="cancelled").order_by("starts_at")[:3]),
        "open_items": list(ActionItem.objects.filter(network=network, done_at__isnull=True).select_related("owner__organisation").order_by("due_on")[:10]),
        "recent": list(listed.select_related("organisation").order_by("-created_at", "-pk")[:8]),
    }
    return render(request, "bare/network_start.html", context)


def manager_start(request: HttpRequest) -> HttpResponse:
    """The manager's networks (20), each with its member count, in one query."""
    roles = (
        ManagerRole.objects.filter(user__email=MANAGER_EMAIL)
        .select_related("network")
        .annotate(
            member_count=Count(
                "network__memberships", filter=Q(network__memberships__status__in=("active", "paused"), network__memberships__archived_at__isnull=True)
            )
        )
        .order_by("network__name")
    )
    return render(request, "bare/manager_start.html", {"roles": roles})


def _meeting(network_slug: str, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.filter(network=_network(network_slug)), pk=pk)


def meeting_detail(request: HttpRequest, network_slug: str, pk: int) -> HttpResponse:
    """A meeting and all its registrations (300) with person and organisation."""
    meeting = _meeting(network_slug, pk)
    registrations = Registration.objects.filter(meeting=meeting).select_related("contact__organisation").order_by("created_at", "pk")
    return render(request, "bare/meeting.html", {"meeting": meeting, "registrations": registrations})


def check_in(request: HttpRequest, network_slug: str, pk: int) -> HttpResponse:
    """The registrations holding a seat, A–Z."""
    meeting = _meeting(network_slug, pk)
    registrations = (
        Registration.objects.filter(meeting=meeting, status__in=("registered", "attended"))
        .select_related("contact__organisation")
        .order_by("contact__last_name", "contact__first_name", "pk")
    )
    return render(request, "bare/meeting.html", {"meeting": meeting, "registrations": registrations})


def matrix(request: HttpRequest, network_slug: str) -> HttpResponse:
    """Current members × topics (200 × 40), a cell per pair, the need's priority where there is one."""
    network = _network(network_slug)
    topics = list(Topic.objects.filter(network=network, archived_at__isnull=True).order_by("position", "pk"))
    organisations = list(
        Organisation.objects.filter(archived_at__isnull=True, memberships__in=Membership.objects.filter(CURRENT, network=network))
        .order_by("name")
        .only("pk", "name")
    )
    needs = {
        (need.organisation_id, need.topic_id): need.priority for need in Need.objects.filter(network=network).only("organisation_id", "topic_id", "priority")
    }
    rows = [(organisation, [needs.get((organisation.pk, topic.pk), "") for topic in topics]) for organisation in organisations]
    return render(request, "bare/matrix.html", {"network": network, "topics": topics, "rows": rows})


def portal_start(request: HttpRequest) -> HttpResponse:
    """The member's organisation, its current networks and its people."""
    contact = Contact.objects.select_related("organisation").get(user__email=MEMBER_EMAIL)
    organisation = contact.organisation
    memberships = (
        Membership.objects.filter(CURRENT, organisation=organisation, network__archived_at__isnull=True).select_related("network").order_by("network__name")
    )
    colleagues = organisation.contacts.filter(archived_at__isnull=True).order_by("-is_primary", "last_name", "first_name")
    return render(request, "bare/portal.html", {"contact": contact, "organisation": organisation, "memberships": memberships, "colleagues": colleagues})


def search(request: HttpRequest) -> HttpResponse:
    """Ten hits each of organisations, people and meetings in the manager's networks."""
    q = fold(request.GET.get("q", ""))
    networks = list(Network.objects.filter(manager_roles__user__email=MANAGER_EMAIL))
    groups = [
        Organisation.objects.filter(search_text__contains=q, memberships__network__in=networks).distinct().order_by("name")[:10],
        Contact.objects.filter(last_name__icontains=request.GET.get("q", ""), organisation__memberships__network__in=networks)
        .distinct()
        .order_by("last_name")[:10],
        Meeting.objects.filter(title__icontains=request.GET.get("q", ""), network__in=networks).order_by("-starts_at")[:10],
    ]
    return render(request, "bare/search.html", {"groups": groups})
