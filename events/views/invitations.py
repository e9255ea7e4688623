"""Inviting an audience to a meeting: /manage/<network_slug>/meetings/<pk>/invite/"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext

from events import invitations
from events.forms.invitations import InvitationForm
from events.models import Meeting, MeetingInvitation
from verbund.access import NetworkRequest, network_required


def _initial(meeting: Meeting) -> dict:
    """A meeting of a series starts from the audience of the series' last invitation."""
    if meeting.series_id:
        last = MeetingInvitation.objects.filter(meeting__series_id=meeting.series_id).exclude(meeting=meeting).order_by("-created_at").first()
        if last is not None:
            return {"audience": last.audience, "membership_role": last.membership_role, "governance_function": last.governance_function}
    return {}


PICKER_SIZE = 40


def _picker(form: InvitationForm, query: str, selected: list[str]) -> dict:
    """The hand-picked audience's checkboxes: the contacts matching `query` (at most PICKER_SIZE) and those already chosen."""
    contacts = form.fields["contacts"].queryset  # type: ignore[attr-defined]  # a ModelMultipleChoiceField
    chosen = {int(pk) for pk in selected if str(pk).isdigit()}
    matching = contacts
    for word in query.split():
        matching = matching.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word) | Q(organisation__name__icontains=word)
        )
    total = matching.count()
    shown = list(matching[:PICKER_SIZE])
    shown_ids = {c.pk for c in shown}
    shown += list(contacts.filter(pk__in=chosen - shown_ids))
    return {
        "shown": [(c, c.pk in chosen) for c in shown],
        "more": max(0, total - PICKER_SIZE),
        "query": query,
    }


@network_required(can_manage=True)
def invite(request: NetworkRequest, pk: int):
    """GET: the form. POST with "preview": who gets it and who is left out. POST with "confirm": send.

    The contact picker appears only for the hand-picked audience, with a search (POST "search" re-renders the form
    with the matching contacts, keeping what was entered). A meeting that has begun or was cancelled says so and
    offers no form at all.
    """
    meeting = get_object_or_404(Meeting.objects.for_network(request.network).select_related("network"), pk=pk)
    closed = meeting.invitations_closed_reason()
    searching = "search" in request.POST
    if searching:  # not a submission: the same form, unvalidated, with the contacts matching the search
        kept = {name: request.POST.get(name, "") for name in ("audience", "membership_role", "governance_function", "message")}
        form = InvitationForm(network=request.network, initial=kept)
    else:
        form = InvitationForm(request.POST or None, network=request.network, initial=_initial(meeting) | _audience_from_query(request))
    preview = None
    status = 200
    if request.method == "POST" and closed:
        status = 400
    elif request.method == "POST" and not searching:
        if form.is_valid():
            data = form.cleaned_data
            audience = {
                "audience": data["audience"],
                "membership_role": data["membership_role"],
                "governance_function": data["governance_function"],
                "contact_ids": [c.pk for c in data["contacts"]],
            }
            if "confirm" in request.POST:
                try:
                    invitation = invitations.invitation_create(meeting=meeting, by=request.user, message=data["message"], **audience)
                except ValidationError as exc:
                    form.add_error(None, exc)
                    status = 400
                else:
                    count = invitation.recipients.count()
                    messages.success(
                        request,
                        ngettext("Die Einladung an %(n)d Person wird versendet.", "Die Einladung an %(n)d Personen wird versendet.", count) % {"n": count},
                    )
                    return redirect("events:invite", network_slug=request.network.slug, pk=meeting.pk)
            preview = invitations.invitation_preview(meeting=meeting, **audience)
        else:
            status = 400
    audience_value = form["audience"].value()
    picker = None
    if audience_value == MeetingInvitation.Audience.SELECTED:
        query = " ".join(request.POST.get("q", request.GET.get("q", "")).split())[:100]
        picker = _picker(form, query, request.POST.getlist("contacts"))
    earlier = [(invitation, invitations.invitation_counts(invitation)) for invitation in meeting.invitations.select_related("created_by")]
    return render(
        request,
        "events/invite.html",
        {"network": request.network, "meeting": meeting, "form": form, "preview": preview, "earlier": earlier, "closed": closed, "picker": picker},
        status=status,
    )


def _audience_from_query(request: NetworkRequest) -> dict:
    """`?audience=selected` (a link, or the radio's htmx request) opens the form with that audience and its picker."""
    audience = request.GET.get("audience", "")
    return {"audience": audience} if audience in MeetingInvitation.Audience.values else {}
