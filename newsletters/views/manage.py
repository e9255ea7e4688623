"""The Infobrief for managers: /manage/<network_slug>/infobrief/… (the list, entries, the template).

Entries are entered once and reused; an Infobrief goes through the wizard
(newsletters/views/wizard.py: recipients → content → preview and test → sending)
and then shows its progress. Everything is reached through `…for_network(request.network)`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsletters import compose, services
from newsletters.forms.manage import EntryForm, InfobriefForm, SettingsForm
from newsletters.models import Delivery, Entry, Infobrief
from verbund import flash
from verbund.access import NetworkRequest, network_required
from verbund.markdown import render_markdown


@network_required()
def index(request: NetworkRequest) -> HttpResponse:
    infobriefe = (
        Infobrief.objects.for_network(request.network)
        .select_related("created_by")
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status__in=[Delivery.Status.FAILED, Delivery.Status.PARKED])),
        )
    )
    return render(
        request,
        "newsletters/index.html",
        {
            "network": request.network,
            "infobriefe": infobriefe,
            "form": InfobriefForm(),
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@require_POST
@network_required(can_manage=True)
def create(request: NetworkRequest) -> HttpResponse:
    form = InfobriefForm(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect("newsletters:index", network_slug=request.network.slug)
    infobrief = compose.infobrief_save(network=request.network, by=request.user, data=form.cleaned_data)
    messages.success(request, _("Infobrief „%(subject)s“ angelegt.") % {"subject": infobrief.subject})
    return redirect("newsletters:audience", network_slug=request.network.slug, pk=infobrief.pk)


# --- entries -----------------------------------------------------------------------------


@network_required()
def entries(request: NetworkRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    found = Entry.objects.for_network(request.network)
    if kind in Entry.Kind.values:
        found = found.filter(kind=kind)
    return render(
        request,
        "newsletters/entries.html",
        {
            "network": request.network,
            "entries": found[:300],
            "kind": kind,
            "kinds": Entry.Kind.choices,
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@network_required(can_manage=True)
def entry_edit(request: NetworkRequest, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(Entry.objects.for_network(request.network), pk=pk) if pk else None
    form = EntryForm(request.POST or None, request.FILES or None, instance=entry)
    # Written from an Infobrief's content step: placed there when saved, and the way back leads there.
    back = request.POST.get("infobrief") or request.GET.get("infobrief") or ""
    infobrief = Infobrief.objects.for_network(request.network).filter(pk=back).first() if back.isdigit() else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            data["image_upload"] = form.cleaned_data.get("image_upload")
            data["remove_image"] = form.cleaned_data.get("remove_image", False)
            try:
                saved = compose.entry_save(network=request.network, by=request.user, data=data, entry=entry)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Beitrag „%(title)s“ gespeichert.") % {"title": saved.title})
                if infobrief is not None:
                    try:
                        services.entry_place(infobrief=infobrief, entry=saved, by=request.user)
                    except ValidationError as exc:
                        flash.validation_errors(request, exc)
                    return redirect("newsletters:content", network_slug=request.network.slug, pk=infobrief.pk)
                return redirect("newsletters:entries", network_slug=request.network.slug)
        status = 400
    return render(
        request,
        "newsletters/entry_form.html",
        {
            "network": request.network,
            "form": form,
            "entry": entry,
            "infobrief": infobrief,
            "preview": render_markdown(form["body"].value() or "") if request.method == "POST" else "",
        },
        status=status,
    )


@require_POST
@network_required(can_manage=True)
def entry_delete(request: NetworkRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Entry.objects.for_network(request.network), pk=pk)
    try:
        compose.entry_delete(entry=entry, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, _("Beitrag gelöscht."))
    return redirect("newsletters:entries", network_slug=request.network.slug)


@network_required(can_manage=True)
def template_settings(request: NetworkRequest) -> HttpResponse:
    template = services.newsletter_settings(request.network)
    form = SettingsForm(request.POST or None, request.FILES or None, instance=template)
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            data["logo_upload"] = form.cleaned_data.get("logo_upload")
            data["remove_logo"] = form.cleaned_data.get("remove_logo", False)
            compose.settings_save(template=template, by=request.user, data=data)
            messages.success(request, _("Vorlage gespeichert."))
            return redirect("newsletters:settings", network_slug=request.network.slug)
        return render(request, "newsletters/settings.html", {"network": request.network, "form": form, "template": template}, status=400)
    return render(request, "newsletters/settings.html", {"network": request.network, "form": form, "template": template})
