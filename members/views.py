from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from members.models import Contact, Membership
from verbund.access import member_required
from verbund.models import Network


@member_required
def portal_home(request: HttpRequest) -> HttpResponse:
    """The member company's start page: its profile at a glance, its people, its networks."""
    contact: Contact = request.contact  # type: ignore[attr-defined]
    organisation = contact.organisation
    memberships = (
        Membership.objects.current()
        .filter(organisation=organisation, network__archived_at__isnull=True)
        .select_related("network")
        .order_by("network__name")
    )
    colleagues = organisation.contacts.order_by("-is_primary", "last_name", "first_name")
    return render(
        request,
        "members/portal_home.html",
        {"contact": contact, "organisation": organisation, "memberships": memberships, "colleagues": colleagues},
    )


@member_required
def portal_network(request: HttpRequest, network_slug: str) -> HttpResponse:
    """A network the member's organisation belongs to: goals and rules of play. 404 for any other."""
    network = get_object_or_404(Network.objects.visible_to(request.user).active(), slug=network_slug)
    membership = get_object_or_404(
        Membership.objects.current(), network=network, organisation=request.contact.organisation  # type: ignore[attr-defined]
    )
    return render(request, "members/portal_network.html", {"network": network, "membership": membership})
