"""The office's contact log and acquisition pipeline (/manage/<network_slug>/outreach/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation import outreach
from cooperation.forms.outreach import ContactLogFilterForm, ContactLogForm, ProspectForm, ProspectMoveForm
from cooperation.models import ContactLogEntry, Prospect
from members.models import Membership, Organisation
from verbund.access import NetworkRequest, network_required

PER_PAGE = 50


def _organisation(request: NetworkRequest, pk: int) -> Organisation:
    """An organisation of the network's directory (also a prospect), outside the trashes; any other is a 404."""
    in_network = Organisation.objects.filter(memberships__network=request.network, memberships__archived_at__isnull=True, archived_at__isnull=True)
    return get_object_or_404(in_network, pk=pk)


@network_required()
def log_list(request: NetworkRequest) -> HttpResponse:
    """The network's contact log, newest first, filtered by kind, office person and open next steps."""
    form = ContactLogFilterForm(request.GET or None, network=request.network)
    entries = ContactLogEntry.objects.for_network(request.network).select_related("organisation", "contact", "office_user")
    if form.is_valid():
        if form.cleaned_data["kind"]:
            entries = entries.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["who"]:
            entries = entries.filter(office_user=form.cleaned_data["who"])
        if form.cleaned_data["open"]:
            entries = entries.open_steps().order_by("next_step_due", "pk")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    context = {"network": request.network, "form": form, "page": page, "can_manage": request.manager_role.role_enum.can_manage}
    return render(request, "cooperation/outreach/log_list.html", context)


@network_required(can_manage=True)
def log_create(request: NetworkRequest, org_pk: int) -> HttpResponse:
    organisation = _organisation(request, org_pk)
    form = ContactLogForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            outreach.contact_log_create(network=request.network, organisation=organisation, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Kontakt notiert."))
            return redirect("directory:organisation", network_slug=request.network.slug, pk=organisation.pk)
    return render(request, "cooperation/outreach/log_form.html", {"network": request.network, "organisation": organisation, "form": form})


@require_POST
@network_required(can_manage=True)
def step_done(request: NetworkRequest, pk: int) -> HttpResponse:
    """Mark a next step as done; back to the organisation's page or (default) the open steps of the log."""
    entry = get_object_or_404(ContactLogEntry.objects.for_network(request.network), pk=pk)
    outreach.contact_log_step_done(entry=entry, by=request.user)
    messages.success(request, _("Nächster Schritt erledigt."))
    if request.POST.get("back") == "organisation":
        return redirect("directory:organisation", network_slug=request.network.slug, pk=entry.organisation_id)
    return redirect(reverse("outreach:log", args=[request.network.slug]) + "?open=on")


@network_required()
def pipeline(request: NetworkRequest) -> HttpResponse:
    """The acquisition board: prospects per stage with their steps, the figures, and prospects not yet taken in."""
    prospects = (
        Prospect.objects.filter(network=request.network, membership__archived_at__isnull=True)
        .select_related("membership__organisation", "owner")
        .prefetch_related("steps")
        .order_by("membership__organisation__name")
    )
    by_stage: dict[str, list[Prospect]] = {stage: [] for stage in Prospect.Stage.values}
    for prospect in prospects:
        by_stage[prospect.stage].append(prospect)
    waiting = (
        Membership.objects.for_network(request.network)
        .filter(status=Membership.Status.PROSPECT, prospect__isnull=True, organisation__archived_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    context = {
        "network": request.network,
        "columns": [(stage, label, by_stage[stage]) for stage, label in Prospect.Stage.choices],
        "figures": outreach.pipeline_figures(request.network),
        "waiting": waiting,
        "move_form": ProspectMoveForm(),
        "can_manage": request.manager_role.role_enum.can_manage,
    }
    return render(request, "cooperation/outreach/pipeline.html", context)


@network_required(can_manage=True)
def prospect_start(request: NetworkRequest, membership_pk: int) -> HttpResponse:
    """Take an organisation with status "Interessent" into the pipeline (source, owner)."""
    membership = get_object_or_404(
        Membership.objects.for_network(request.network).filter(status=Membership.Status.PROSPECT, prospect__isnull=True).select_related("organisation"),
        pk=membership_pk,
    )
    form = ProspectForm(request.POST or None, network=request.network, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            outreach.prospect_start(membership=membership, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("„%(name)s“ ist im Akquiseweg.") % {"name": membership.organisation.name})
            return redirect("outreach:pipeline", network_slug=request.network.slug)
    return render(request, "cooperation/outreach/prospect_form.html", {"network": request.network, "membership": membership, "form": form})


@require_POST
@network_required(can_manage=True)
def prospect_move(request: NetworkRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(Prospect.objects.filter(network=request.network), pk=pk)
    form = ProspectMoveForm(request.POST)
    if form.is_valid():
        try:
            outreach.prospect_move(prospect=prospect, to_stage=form.cleaned_data["to_stage"], on=form.cleaned_data["on"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stufe geändert."))
    else:
        messages.error(request, _("Bitte eine Stufe und ein gültiges Datum angeben."))
    return redirect("outreach:pipeline", network_slug=request.network.slug)
