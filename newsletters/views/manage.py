"""The Infobrief for managers: /manage/<network_slug>/infobrief/…

Entries are entered once and reused; an Infobrief goes through the wizard on its
page (recipients → content → preview → test → send or schedule) and then shows
its progress. Everything is reached through `…for_network(request.network)`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING

from newsletters import compose, sending, services
from newsletters.forms.manage import (
    AudienceForm,
    EntryForm,
    InfobriefForm,
    PlaceEntryForm,
    ScheduleForm,
    SettingsForm,
)
from newsletters.models import Delivery, Entry, Infobrief, InfobriefEntry
from verbund import flash
from verbund.access import NetworkRequest, network_required
from verbund.markdown import render_markdown


def _infobrief(request: NetworkRequest, pk: int) -> Infobrief:
    return get_object_or_404(Infobrief.objects.for_network(request.network).select_related("network"), pk=pk)


def _to(infobrief: Infobrief, anchor: str = "") -> HttpResponse:
    return redirect(infobrief.get_absolute_url() + (f"#{anchor}" if anchor else ""))


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
    return _to(infobrief)


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
                back = request.POST.get("infobrief")
                if back and back.isdigit() and (infobrief := Infobrief.objects.for_network(request.network).filter(pk=back).first()):
                    try:
                        services.entry_place(infobrief=infobrief, entry=saved, by=request.user)
                    except ValidationError as exc:
                        flash.validation_errors(request, exc)
                    return _to(infobrief, "content")
                return redirect("newsletters:entries", network_slug=request.network.slug)
        status = 400
    return render(
        request,
        "newsletters/entry_form.html",
        {
            "network": request.network,
            "form": form,
            "entry": entry,
            "infobrief_id": request.GET.get("infobrief") or request.POST.get("infobrief", ""),
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


# --- the wizard ----------------------------------------------------------------------------


def _wizard_context(request: NetworkRequest, infobrief: Infobrief) -> dict:
    result = services.audience(infobrief)
    choices = services.audience_choices(infobrief.network)
    sample = request.GET.get("as") or (result.recipients[0].email if result.recipients else "")
    recipient = next((r for r in result.recipients if r.email == sample), result.recipients[0] if result.recipients else None)
    rendered = services.render(infobrief, email=recipient.email, name=recipient.name) if recipient else None
    return {
        "network": request.network,
        "infobrief": infobrief,
        "audience": result,
        "excluded": [(services.EXCLUSION_REASONS[key], people) for key, people in result.excluded.items()],
        "audience_form": AudienceForm(
            choices=choices,
            initial={
                "roles": infobrief.audience_roles,
                "municipalities": infobrief.audience_municipalities,
                "kinds": infobrief.audience_kinds,
                "include_subscribers": infobrief.include_subscribers,
            },
        ),
        "content_form": InfobriefForm(instance=infobrief, auto_id="content_%s"),
        "place_form": PlaceEntryForm(infobrief=infobrief),
        "placements": infobrief.placements.select_related("entry").order_by("position", "pk"),
        "schedule_form": ScheduleForm(),
        "recipient": recipient,
        "rendered": rendered,
        "can_manage": request.manager_role.role_enum.can_manage,
    }


@network_required()
def infobrief(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    if not infobrief.editable:
        return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)
    return render(request, "newsletters/wizard.html", _wizard_context(request, infobrief))


@require_POST
@network_required(can_manage=True)
def audience(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    form = AudienceForm(request.POST, choices=services.audience_choices(infobrief.network))
    if not form.is_valid():
        flash.form_errors(request, form)
        return _to(infobrief, "recipients")
    data = form.cleaned_data
    try:
        compose.infobrief_save(
            network=request.network,
            by=request.user,
            infobrief=infobrief,
            data={
                "audience_roles": data["roles"],
                "audience_municipalities": data["municipalities"],
                "audience_kinds": data["kinds"],
                "include_subscribers": data["include_subscribers"],
            },
        )
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return _to(infobrief, "recipients")


@require_POST
@network_required(can_manage=True)
def content(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    form = InfobriefForm(request.POST, instance=Infobrief.objects.get(pk=infobrief.pk))
    if form.is_valid():
        try:
            compose.infobrief_save(network=request.network, by=request.user, infobrief=infobrief, data=form.cleaned_data)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
    else:
        flash.form_errors(request, form)
    return _to(infobrief, "content")


@require_POST
@network_required(can_manage=True)
def place(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    form = PlaceEntryForm(request.POST, infobrief=infobrief)
    if form.is_valid():
        try:
            services.entry_place(infobrief=infobrief, entry=form.cleaned_data["entry"], by=request.user)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
    else:
        flash.form_errors(request, form)
    return _to(infobrief, "content")


def _placement(request: NetworkRequest, pk: int, placement_pk: int) -> InfobriefEntry:
    return get_object_or_404(InfobriefEntry.objects.filter(infobrief=_infobrief(request, pk)), pk=placement_pk)


@require_POST
@network_required(can_manage=True)
def placement_move(request: NetworkRequest, pk: int, placement_pk: int, direction: str) -> HttpResponse:
    if direction not in {"up", "down"}:
        raise Http404
    placement = _placement(request, pk, placement_pk)
    try:
        compose.placement_move(placement=placement, by=request.user, direction=direction)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return _to(placement.infobrief, "content")


@require_POST
@network_required(can_manage=True)
def placement_remove(request: NetworkRequest, pk: int, placement_pk: int) -> HttpResponse:
    placement = _placement(request, pk, placement_pk)
    try:
        compose.placement_remove(placement=placement, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return _to(placement.infobrief, "content")


@require_POST
@network_required(can_manage=True)
def fill_dates(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    try:
        added = services.entries_from_meetings(infobrief=infobrief, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, ngettext("%(n)d Termin aus den Treffen übernommen.", "%(n)d Termine aus den Treffen übernommen.", added) % {"n": added})
    return _to(infobrief, "content")


@csp_override({"default-src": ["'none'"], "img-src": ["'self'", "data:"], "style-src": ["'unsafe-inline'"], "frame-ancestors": ["'none'"]})
@network_required()
def preview(request: NetworkRequest, pk: int) -> HttpResponse:
    """The HTML mail exactly as the chosen recipient gets it, as a page of its own (inline styles only, no scripts)."""
    infobrief = _infobrief(request, pk)
    recipients = services.audience(infobrief).recipients
    recipient = next((r for r in recipients if r.email == request.GET.get("as")), recipients[0] if recipients else None)
    if recipient is None:  # nobody in the audience yet: show it as the manager would get it
        recipient = services.Recipient(request.user.email, request.user.get_full_name())
    return HttpResponse(services.render(infobrief, email=recipient.email, name=recipient.name)["html"])


@require_POST
@network_required(can_manage=True)
def test_send(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    sending.send_test(infobrief=infobrief, by=request.user)
    messages.success(request, _("Test an %(email)s gesendet (Betreff mit [TEST]).") % {"email": request.user.email})
    return _to(infobrief, "test")


@network_required(can_manage=True)
def send(request: NetworkRequest, pk: int) -> HttpResponse:
    """GET asks, naming the number; POST with confirm sends (or schedules with a time)."""
    infobrief = _infobrief(request, pk)
    count = len(services.audience(infobrief).recipients)
    schedule = ScheduleForm(request.POST or None) if request.POST.get("mode") == "schedule" else None
    if request.method == "POST" and request.POST.get("confirm"):
        when = None
        if schedule is not None:
            if not schedule.is_valid():
                flash.form_errors(request, schedule)
                return _to(infobrief, "send")
            when = schedule.cleaned_data["when"]
        try:
            started = sending.send_start(infobrief=infobrief, by=request.user, when=when)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
            return _to(infobrief, "send")
        if when is not None and started:
            messages.success(request, _("Versand geplant."))
            infobrief.refresh_from_db()
            if infobrief.status == Infobrief.Status.SCHEDULED:
                return _to(infobrief, "send")
        return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)
    return render(
        request,
        "newsletters/send_confirm.html",
        {
            "network": request.network,
            "infobrief": infobrief,
            "count": count,
            "when": request.POST.get("when", "") if schedule is not None else "",
            "mode": "schedule" if schedule is not None else "now",
        },
    )


@vary_on_headers("HX-Request")
@network_required()
def progress(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    context: dict[str, Any] = {
        "network": request.network,
        "infobrief": infobrief,
        "progress": sending.progress(infobrief),
        "can_manage": request.manager_role.role_enum.can_manage,
    }
    if request.htmx:
        response = render(request, "newsletters/progress.html#status", context)
        if context["progress"]["done"] or infobrief.status in {Infobrief.Status.PAUSED, Infobrief.Status.DRAFT}:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "newsletters/progress.html", context)


def _control(action):
    @require_POST
    @network_required(can_manage=True)
    def view(request: NetworkRequest, pk: int) -> HttpResponse:
        infobrief = _infobrief(request, pk)
        try:
            result = action(infobrief=infobrief, by=request.user)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            if action is sending.retry_failed:
                messages.success(
                    request, ngettext("%(n)d Zustellung wird erneut versucht.", "%(n)d Zustellungen werden erneut versucht.", result) % {"n": result}
                )
        infobrief.refresh_from_db()
        if infobrief.status in {Infobrief.Status.DRAFT}:
            return _to(infobrief)
        return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)

    return view


pause = _control(sending.send_pause)
resume = _control(sending.send_resume)
cancel = _control(sending.send_cancel)
retry = _control(sending.retry_failed)


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
