"""Editing what was entered on the meeting page in place, and deleting it with undo.

Programme items, minute entries and action items are edited inside their section (htmx swaps the section with
the item's form in place of its line); without JavaScript the same URL shows the form on a page of its own.
Deleting asks nothing: the row is soft-deleted (`deleted_at`) and the section offers "Rückgängig" for what
was deleted in the last half hour (the restore URL works as long as the row exists).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from events import services
from events.forms.meetings import ActionItemForm, AgendaItemForm, MinuteForm
from events.models import ActionItem, AgendaItem, Meeting, MinuteEntry
from events.views.meeting_page import TAB_OF_SECTION, _meeting, back, detail_context, tab_url
from events.views.meetings import warn_if_due_in_the_past
from verbund import flash
from verbund.access import NetworkRequest, network_required


def _unshared[M: Model](obj: M) -> M:
    """A second copy for the form: a ModelForm writes its input into its instance while validating, and the service
    must still see the stored values to know what changed."""
    return type(obj)._default_manager.get(pk=obj.pk)


def _editing(request: NetworkRequest, meeting: Meeting, *, fragment: str, key: str, pk: int, form: BaseForm, title: str) -> HttpResponse:
    """The item's form: in its section (htmx) or on a page of its own (without JavaScript); errors stay at the form."""
    if request.htmx:
        context = detail_context(request, meeting, TAB_OF_SECTION[fragment], **{f"editing_{key}": pk, f"{key}_edit_form": form})
        return render(request, f"events/meeting_detail.html#{fragment}", context)
    return render(
        request,
        "events/item_edit.html",
        {"network": request.network, "meeting": meeting, "form": form, "title": title, "back": tab_url(meeting, TAB_OF_SECTION[fragment], fragment)},
    )


# --- programme items -------------------------------------------------------------------


@vary_on_headers("HX-Request")
@network_required(can_manage=True)
def agenda_edit(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item: AgendaItem = get_object_or_404(meeting.agenda_items, pk=item_pk)
    form = AgendaItemForm(request.POST or None, instance=_unshared(item), auto_id=f"agenda{item.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_save(meeting=meeting, by=request.user, data=form.cleaned_data, item=item)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return back(request, meeting, "agenda")
    title = _("Programmpunkt bearbeiten: %(title)s") % {"title": item.title}
    return _editing(request, meeting, fragment="agenda", key="agenda", pk=item.pk, form=form, title=title)


@require_POST
@network_required(can_manage=True)
def agenda_restore(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = get_object_or_404(AgendaItem.with_deleted.filter(meeting=meeting), pk=item_pk)
    try:
        services.agenda_item_restore(item=item, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return back(request, meeting, "agenda")


# --- minutes ---------------------------------------------------------------------------


@vary_on_headers("HX-Request")
@network_required(can_manage=True)
def minute_edit(request: NetworkRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Edit an entry's text and kind, or move it to another programme item."""
    meeting = _meeting(request, pk)
    entry: MinuteEntry = get_object_or_404(meeting.minutes, pk=entry_pk)
    form = MinuteForm(request.POST or None, instance=_unshared(entry), meeting=meeting, auto_id=f"minute{entry.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.minute_update(entry=entry, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return back(request, meeting, "minutes")
    return _editing(request, meeting, fragment="minutes", key="minute", pk=entry.pk, form=form, title=_("Protokolleintrag bearbeiten"))


@require_POST
@network_required(can_manage=True)
def minute_move(request: NetworkRequest, pk: int, entry_pk: int, direction: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    entry = get_object_or_404(meeting.minutes, pk=entry_pk)
    if direction in {"up", "down"}:
        services.minute_move(entry=entry, by=request.user, direction=direction)
    return back(request, meeting, "minutes")


@require_POST
@network_required(can_manage=True)
def minute_delete(request: NetworkRequest, pk: int, entry_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    services.minute_delete(entry=get_object_or_404(meeting.minutes, pk=entry_pk), by=request.user)
    return back(request, meeting, "minutes")


@require_POST
@network_required(can_manage=True)
def minute_restore(request: NetworkRequest, pk: int, entry_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    services.minute_restore(entry=get_object_or_404(MinuteEntry.with_deleted.filter(meeting=meeting), pk=entry_pk), by=request.user)
    return back(request, meeting, "minutes")


# --- action items ----------------------------------------------------------------------


@vary_on_headers("HX-Request")
@network_required(can_manage=True)
def action_item_edit(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item: ActionItem = get_object_or_404(meeting.action_items.select_related("network"), pk=item_pk)
    form = ActionItemForm(request.POST or None, instance=_unshared(item), network=request.network, auto_id=f"action{item.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(item=item, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            warn_if_due_in_the_past(request, form.cleaned_data.get("due_on") if "due_on" in form.changed_data else None)
            return back(request, meeting, "action-items")
    title = _("Verabredung bearbeiten: %(title)s") % {"title": item.title}
    return _editing(request, meeting, fragment="action-items", key="action", pk=item.pk, form=form, title=title)


@require_POST
@network_required(can_manage=True)
def action_item_delete(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    services.action_item_delete(item=get_object_or_404(meeting.action_items, pk=item_pk), by=request.user)
    return back(request, meeting, "action-items")


@require_POST
@network_required(can_manage=True)
def action_item_restore(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    services.action_item_restore(item=get_object_or_404(ActionItem.with_deleted.filter(meeting=meeting), pk=item_pk), by=request.user)
    return back(request, meeting, "action-items")
