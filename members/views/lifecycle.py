"""The lawful lifecycle on the manager's side: Art. 17 erasure of a person, ending a network's relation to a person of a
shared company, and the page of what is kept how long: /manage/<network_slug>/…

Who may delete a shared person is decided in members.lifecycle (docs/SHARED-COMPANIES.md); a contact outside the
network is a 404, a role or a rule that does not allow the action a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import lifecycle
from members.models import Contact, ContactExit
from members.privacy import person_erase
from members.retention import retention_rows
from verbund.access import NetworkRequest, network_required
from verbund.undo import offer_undo


def _contact(request: NetworkRequest, pk: int) -> Contact:
    """A person of one of the network's organisations (also one in the trash); 404 for anyone else's."""
    return get_object_or_404(
        Contact.objects.for_network(request.network).filter(organisation__archived_at__isnull=True).select_related("organisation", "user"), pk=pk
    )


def _organisation_url(request: NetworkRequest, contact: Contact) -> str:
    return reverse("directory:organisation", kwargs={"network_slug": request.network.slug, "pk": contact.organisation_id})


@network_required(can_manage=True)
def contact_erase(request: NetworkRequest, pk: int) -> HttpResponse:
    """GET: what an erasure removes, and the tombstone; POST: erase (members.privacy.person_erase)."""
    contact = _contact(request, pk)
    plan = lifecycle.erasure_plan(contact)
    allowed = lifecycle.may_delete_contact(user=request.user, contact=contact)
    if request.method == "POST":
        if not allowed or plan.refused:
            raise PermissionDenied
        person_erase(contact=contact, by=request.user)
        messages.success(
            request,
            _("Die Person wurde gelöscht. Ein Löschvermerk (nur ein Prüfwert der E-Mail-Adresse) verhindert, dass ein Import sie zurückholt."),
        )
        return redirect(_organisation_url(request, contact))
    others = lifecycle.contact_holders(contact).exclude(pk=request.network.pk)
    context = {
        "network": request.network,
        "contact": contact,
        "plan": plan,
        "allowed": allowed,
        "other_networks": others.count(),
        "exited": ContactExit.objects.filter(contact=contact, network=request.network).exists(),
    }
    return render(request, "members/lifecycle/contact_erase.html", context)


@require_POST
@network_required(can_manage=True)
def contact_exit(request: NetworkRequest, pk: int) -> HttpResponse:
    """End this network's relation to a person: she leaves its audiences; her company and the other networks keep her."""
    contact = _contact(request, pk)
    try:
        lifecycle.contact_exit(contact=contact, network=request.network, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        offer_undo(
            request,
            message=_("%(name)s gehört nicht mehr zu diesem Verbund.") % {"name": contact.full_name},
            restore_url=reverse("lifecycle:contact_exit_undo", kwargs={"network_slug": request.network.slug, "pk": contact.pk}),
        )
    return redirect(_organisation_url(request, contact))


@require_POST
@network_required(can_manage=True)
def contact_exit_undo(request: NetworkRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    lifecycle.contact_exit_undo(contact=contact, network=request.network, by=request.user)
    messages.success(request, _("%(name)s gehört wieder zu diesem Verbund.") % {"name": contact.full_name})
    return redirect(_organisation_url(request, contact))


@network_required()
def retention(request: NetworkRequest) -> HttpResponse:
    """What the portal keeps how long (Aufbewahrung), read from the code that enforces it."""
    return render(request, "members/lifecycle/retention.html", {"network": request.network, "rows": retention_rows()})
