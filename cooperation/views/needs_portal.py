"""Needs and offers in the member portal: /portal/cooperation/… (issue 19).

A member sees its own organisation's entries and the network-visible entries of the other members of its networks
(NeedOffer.objects.for_member); it changes only its own.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation import needs
from cooperation.forms.needs import EntryFilterForm, PortalNeedOfferForm
from cooperation.models import NeedOffer
from members.access import MemberRequest
from verbund.access import member_required


def _visible(request: MemberRequest):
    return NeedOffer.objects.for_member(request.contact.organisation).select_related("organisation", "network", "contact", "round_table")


def _own(request: MemberRequest, pk: int) -> NeedOffer:
    return get_object_or_404(NeedOffer.objects.filter(organisation=request.contact.organisation).select_related("network", "organisation"), pk=pk)


@member_required
def entry_list(request: MemberRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET or None)
    entries = form.apply(_visible(request).prefetch_related("tags"))
    organisation = request.contact.organisation
    return render(
        request,
        "cooperation/portal_needs_list.html",
        {
            "form": form,
            "own": [e for e in entries[:200] if e.organisation_id == organisation.pk],
            "others": [e for e in entries[:200] if e.organisation_id != organisation.pk],
        },
    )


@member_required
def entry_detail(request: MemberRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(_visible(request), pk=pk)
    return render(
        request,
        "cooperation/portal_needs_detail.html",
        {"entry": entry, "own": entry.organisation_id == request.contact.organisation.pk, "tags": entry.tags.all()},
    )


@member_required
def entry_create(request: MemberRequest) -> HttpResponse:
    organisation = request.contact.organisation
    form = PortalNeedOfferForm(
        request.POST or None, organisation=organisation, initial={"kind": request.GET.get("kind", NeedOffer.Kind.NEED), "contact": request.contact.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = needs.entry_create(
                network=form.cleaned_data["network"], organisation=organisation, by=request.user, data=form.entry_data(), tags=form.cleaned_data["tags_text"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("„%(title)s“ ist eingetragen; das Netzwerkmanagement sieht es.") % {"title": entry.title})
            return redirect("portal_needs:detail", pk=entry.pk)
    return render(request, "cooperation/portal_needs_form.html", {"form": form})


@member_required
def entry_edit(request: MemberRequest, pk: int) -> HttpResponse:
    entry = _own(request, pk)
    form = PortalNeedOfferForm(request.POST or None, instance=entry, organisation=request.contact.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            needs.entry_update(entry=entry, by=request.user, data=form.entry_data(), tags=form.cleaned_data["tags_text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect("portal_needs:detail", pk=entry.pk)
    return render(request, "cooperation/portal_needs_form.html", {"form": form, "entry": entry})


@require_POST
@member_required
def entry_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    entry = _own(request, pk)
    needs.entry_withdraw(entry=entry, by=request.user)
    messages.success(request, _("„%(title)s“ ist zurückgezogen.") % {"title": entry.title})
    return redirect("portal_needs:list")
