"""Actions for several participants at once on the Teilnehmende tab: /manage/<network_slug>/meetings/<pk>/registrations/bulk/

The tab's checkboxes (or "…alle") pick the people; one POST marks them present (with "Rückgängig" in the toast),
writes them an e-mail (the message page with exactly them preselected) or exports them as CSV. Ids are only ever
looked up among this meeting's registrations: another meeting's or network's id matches nothing and is ignored.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from events import exports, services
from events.forms.meetings import ParticipantsBulkForm
from events.models import Meeting, MeetingMessage
from events.tokens import make_token, read_token
from events.views.meeting_page import _meeting, tab_url
from members.exports import file_response
from verbund.access import NetworkRequest, network_required
from verbund.undo import offer_undo

UNDO_ATTENDANCE = "attendance-undo"
UNDO_MAX_AGE = 60 * 60 * 24  # a day: the toast offers it at once; the link is no archive


def _back(meeting: Meeting) -> HttpResponse:
    return redirect(tab_url(meeting, "participants", "participants"))


@require_POST
@network_required(can_manage=True)
def registrations_bulk(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ParticipantsBulkForm(request.POST)
    if not form.is_valid():
        raise BadRequest(_("Unbekannte Aktion für die Teilnehmenden."))
    picked = None if form.everyone else list(meeting.registrations.filter(pk__in=form.cleaned_data["registration"]).values_list("pk", flat=True))
    if picked == []:
        messages.error(request, _("Bitte zuerst Teilnehmende auswählen (Häkchen in der Tabelle) – oder die Aktion für alle wählen."))
        return _back(meeting)
    if form.verb == "present":
        return _mark_present(request, meeting, picked)
    if form.verb == "mail":
        url = reverse("events:message_send", args=[request.network.slug, meeting.pk, MeetingMessage.Kind.MESSAGE])
        return redirect(f"{url}?{urlencode([('registration', pk) for pk in sorted(picked)])}" if picked else url)
    registrations = meeting.registrations.all() if picked is None else meeting.registrations.filter(pk__in=picked)
    shared = form.cleaned_data["action"] == "export-shared"
    rows = list(exports.in_name_order(registrations))
    content = exports.shared_participants_csv(rows) if shared else exports.participants_csv(rows)
    return file_response(content, fmt="csv", filename=exports.filename(meeting, shared=shared))


def _mark_present(request: NetworkRequest, meeting: Meeting, picked: list[int] | None) -> HttpResponse:
    marked, skipped = services.registrations_mark_attended(meeting=meeting, by=request.user, ids=picked)
    if marked:
        messages.success(
            request,
            ngettext("%(n)d Person als anwesend markiert.", "%(n)d Personen als anwesend markiert.", len(marked)) % {"n": len(marked)},
        )
        token = make_token(UNDO_ATTENDANCE, {"m": meeting.pk, "r": marked})
        restore = reverse("events:registrations_attendance_undo", args=[request.network.slug, meeting.pk])
        offer_undo(
            request,
            message=ngettext("%(n)d Person als anwesend markiert.", "%(n)d Personen als anwesend markiert.", len(marked)) % {"n": len(marked)},
            restore_url=f"{restore}?{urlencode({'t': token})}",
        )
    else:
        messages.info(request, _("Niemand wurde als anwesend markiert: alle Ausgewählten sind schon anwesend oder nicht angemeldet."))
    if skipped:
        messages.info(
            request,
            ngettext(
                "%(n)d Person nicht markiert (Warteliste, abgemeldet oder als nicht erschienen eingetragen).",
                "%(n)d Personen nicht markiert (Warteliste, abgemeldet oder als nicht erschienen eingetragen).",
                skipped,
            )
            % {"n": skipped},
        )
    return _back(meeting)


@require_POST
@network_required(can_manage=True)
def registrations_attendance_undo(request: NetworkRequest, pk: int) -> HttpResponse:
    """ "Rückgängig" after marking several present: the ones marked then are registered again (a signed list, a day long)."""
    meeting = _meeting(request, pk)
    payload = read_token(UNDO_ATTENDANCE, request.GET.get("t", ""), max_age=UNDO_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("m") != meeting.pk or not isinstance(payload.get("r"), list):
        messages.error(request, _("Das lässt sich nicht mehr rückgängig machen. Bitte die Anwesenheit einzeln ändern."))
        return _back(meeting)
    undone = services.registrations_attendance_undo(meeting=meeting, by=request.user, ids=[i for i in payload["r"] if isinstance(i, int)])
    messages.success(
        request, ngettext("Anwesenheit von %(n)d Person zurückgenommen.", "Anwesenheit von %(n)d Personen zurückgenommen.", undone) % {"n": undone}
    )
    return _back(meeting)
