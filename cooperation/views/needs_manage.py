"""Needs and offers in the manager's area: /manage/<network_slug>/cooperation/… (issue 19)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation import needs
from cooperation.forms.needs import EntryFilterForm, ManagerNeedOfferForm, RoundTableForm, StatusForm
from cooperation.models import Match, NeedOffer
from members.models import Membership, Organisation
from members.selectors import user_networks
from verbund import flash
from verbund.access import NetworkRequest, network_required


def _entry(request: NetworkRequest, pk: int) -> NeedOffer:
    return get_object_or_404(NeedOffer.objects.for_network(request.network).select_related("organisation", "contact", "round_table"), pk=pk)


@network_required()
def entry_list(request: NetworkRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET or None)
    entries = form.apply(NeedOffer.objects.for_network(request.network).select_related("organisation").prefetch_related("tags"))
    return render(request, "cooperation/needs_list.html", {"network": request.network, "form": form, "entries": entries[:200]})


@network_required(can_manage=True)
def entry_create(request: NetworkRequest) -> HttpResponse:
    form = ManagerNeedOfferForm(request.POST or None, network=request.network, initial={"kind": request.GET.get("kind", NeedOffer.Kind.NEED)})
    if request.method == "POST" and form.is_valid():
        try:
            entry = needs.entry_create(
                network=request.network,
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                data=form.entry_data(),
                tags=form.cleaned_data["tags_text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("„%(title)s“ angelegt.") % {"title": entry.title})
            return redirect("needs:detail", network_slug=request.network.slug, pk=entry.pk)
    return render(request, "cooperation/needs_form.html", {"network": request.network, "form": form})


@network_required(can_manage=True)
def entry_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = ManagerNeedOfferForm(request.POST or None, instance=entry, network=request.network, initial={"organisation": entry.organisation_id})
    form.fields["organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            needs.entry_update(entry=entry, by=request.user, data=form.entry_data(), tags=form.cleaned_data["tags_text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect("needs:detail", network_slug=request.network.slug, pk=entry.pk)
    return render(request, "cooperation/needs_form.html", {"network": request.network, "form": form, "entry": entry})


@network_required()
def entry_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    candidates = []
    if entry.kind == NeedOffer.Kind.NEED and entry.status in (NeedOffer.Status.OPEN, NeedOffer.Status.DISCUSSION):
        decided = set(entry.matches.values_list("organisation_id", flat=True))
        candidates = [c for c in needs.candidates(entry, user_networks(request.user)) if c.organisation.pk not in decided]
    return render(
        request,
        "cooperation/needs_detail.html",
        {
            "network": request.network,
            "entry": entry,
            "can_manage": request.manager_role.role_enum.can_manage,
            "candidates": candidates,
            "matches": entry.matches.select_related("organisation", "offer", "decided_by"),
            "history": needs.status_history(entry),
            "status_form": StatusForm(initial={"status": entry.status}),
            "round_table_form": RoundTableForm(),
            "tags": entry.tags.all(),
        },
    )


@require_POST
@network_required(can_manage=True)
def entry_status(request: NetworkRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        needs.entry_status_set(entry=entry, by=request.user, status=form.cleaned_data["status"])
        messages.success(request, _("Status: %(status)s.") % {"status": entry.get_status_display()})
    else:
        flash.form_errors(request, form)
    return redirect("needs:detail", network_slug=request.network.slug, pk=entry.pk)


@require_POST
@network_required(can_manage=True)
def match_decide(request: NetworkRequest, pk: int) -> HttpResponse:
    """Confirm or dismiss a proposed provider; only organisations of the networks the manager runs can be named."""
    entry = _entry(request, pk)
    organisation = get_object_or_404(
        Organisation.objects.filter(pk__in=Membership.objects.current().filter(network__in=user_networks(request.user)).values("organisation_id")),
        pk=request.POST.get("organisation") if str(request.POST.get("organisation", "")).isdigit() else 0,
    )
    offer_pk = request.POST.get("offer", "")
    offer = None
    if offer_pk.isdigit():
        offer = get_object_or_404(NeedOffer.objects.filter(network__in=user_networks(request.user), organisation=organisation), pk=offer_pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        match = needs.match_decide(
            need=entry, organisation=organisation, offer=offer, by=request.user, confirm=confirm, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        if match.status == Match.Status.CONFIRMED:
            messages.success(request, _("Vermittlung an %(name)s bestätigt.") % {"name": organisation.name})
        else:
            messages.success(request, _("%(name)s wird nicht mehr vorgeschlagen.") % {"name": organisation.name})
    return redirect("needs:detail", network_slug=request.network.slug, pk=entry.pk)


@network_required(can_manage=True)
def round_table(request: NetworkRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = RoundTableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = needs.round_table_create(
                need=entry, by=request.user, day=data["day"], starts=data["starts"], ends=data["ends"], title=data["title"], venue_name=data["venue_name"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Runder Tisch „%(title)s“ angelegt; die Beteiligten sind angemeldet.") % {"title": meeting.title})
            return redirect("events:meeting", network_slug=request.network.slug, pk=meeting.pk)
    return render(request, "cooperation/needs_round_table.html", {"network": request.network, "form": form, "entry": entry})
