"""Inviting an audience to a meeting: /manage/<network_slug>/meetings/<pk>/invite/"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
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


@network_required(can_manage=True)
def invite(request: NetworkRequest, pk: int):
    """GET: the form. POST with "preview": who gets it and who is left out. POST with "confirm": send."""
    meeting = get_object_or_404(Meeting.objects.for_network(request.network).select_related("network"), pk=pk)
    form = InvitationForm(request.POST or None, network=request.network, initial=_initial(meeting))
    preview = None
    status = 200
    if request.method == "POST":
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
    earlier = [(invitation, invitations.invitation_counts(invitation)) for invitation in meeting.invitations.select_related("created_by")]
    return render(
        request,
        "events/invite.html",
        {"network": request.network, "meeting": meeting, "form": form, "preview": preview, "earlier": earlier},
        status=status,
    )
