"""Meetings in the member portal: /portal/meetings/… — only meetings of the organisation's networks, and round tables
of other networks its people were invited to as guests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import messaging, services
from events.forms.meetings import PortalRegistrationForm
from events.ics import calendar
from events.models import ActionItem, Meeting, Registration
from events.signals import extras_for
from events.views.meetings import ics_response, pdf_response
from members.access import MemberRequest
from verbund.access import member_required
from verbund.models import Network


def _member_networks(request: MemberRequest):
    return Network.objects.joined_by(request.contact.organisation)


def _meetings(request: MemberRequest):
    """Meetings of the networks the member's organisation currently belongs to, and the round tables of other networks
    its people are registered for as guests (services.registration_register, round_table_guest) — those alone, not
    the rest of that network."""
    guest_of = (
        Registration.objects.filter(contact__organisation=request.contact.organisation, meeting__kind=Meeting.Kind.ROUND_TABLE)
        .exclude(status=Registration.Status.CANCELLED)
        .values("meeting_id")
    )
    return Meeting.objects.filter(Q(network__in=_member_networks(request)) | Q(pk__in=guest_of)).select_related("network")


@member_required
def meeting_list(request: MemberRequest) -> HttpResponse:
    organisation = request.contact.organisation
    upcoming = list(_meetings(request).upcoming())
    mine = {r.meeting_id: r for r in Registration.objects.filter(meeting__in=upcoming, contact=request.contact).exclude(status=Registration.Status.CANCELLED)}
    action_items = ActionItem.objects.open().filter(owner__organisation=organisation).select_related("network", "owner")
    # The Infobrief's dates of the organisation's own networks only: a round table elsewhere opens no more of that network.
    dates = [(network, extra) for network in _member_networks(request) for extra in extras_for(network)]
    return render(
        request,
        "events/portal_meeting_list.html",
        {"upcoming": [(m, mine.get(m.pk)) for m in upcoming], "action_items": action_items, "dates": dates},
    )


@member_required
def meeting_detail(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(_meetings(request), pk=pk)
    organisation = request.contact.organisation
    ours = meeting.registrations.filter(contact__organisation=organisation).select_related("contact").exclude(status=Registration.Status.CANCELLED)
    form = PortalRegistrationForm(organisation=organisation, initial={"people": [r.contact_id for r in ours] or [request.contact.pk]})
    # A guest of a round table of another network registers nobody else (services.registration_register refuses them).
    guest = not _member_networks(request).filter(pk=meeting.network_id).exists()
    return render(
        request,
        "events/portal_meeting_detail.html",
        {
            "meeting": meeting,
            "guest": guest,
            "agenda": meeting.agenda_items.all(),
            "ours": ours,
            "form": form,
            "documentation": messaging.current_documentation(meeting) if meeting.has_started() else None,
        },
    )


@require_POST
@member_required
def register(request: MemberRequest, pk: int) -> HttpResponse:
    """Register oneself and colleagues in one step; a full meeting puts them on the waitlist."""
    meeting = get_object_or_404(_meetings(request), pk=pk)
    form = PortalRegistrationForm(request.POST, organisation=request.contact.organisation)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie mindestens eine Person aus Ihrem Unternehmen."))
        return redirect("portal_events:meeting", pk=meeting.pk)
    try:
        results = services.registration_register_many(
            meeting=meeting,
            contacts=form.cleaned_data["people"],
            by=request.user,
            consent_participant_list=form.cleaned_data["consent_participant_list"],
            consent_photos=form.cleaned_data["consent_photos"],
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("portal_events:meeting", pk=meeting.pk)
    waiting = [r.display_name for r in results if r.status == Registration.Status.WAITLISTED]
    messages.success(
        request, _("Angemeldet: %(names)s.") % {"names": ", ".join(r.display_name for r in results if r.status != Registration.Status.WAITLISTED) or "–"}
    )
    if waiting:
        messages.info(request, _("Das Treffen ist voll. Auf der Warteliste: %(names)s.") % {"names": ", ".join(waiting)})
    return redirect("portal_events:meeting", pk=meeting.pk)


@require_POST
@member_required
def cancel(request: MemberRequest, pk: int, registration_pk: int) -> HttpResponse:
    meeting = get_object_or_404(_meetings(request), pk=pk)
    registration = get_object_or_404(
        meeting.registrations.filter(contact__organisation=request.contact.organisation),
        pk=registration_pk,
    )
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(name)s ist abgemeldet.") % {"name": registration.display_name})
    return redirect("portal_events:meeting", pk=meeting.pk)


@member_required
def meeting_ics(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(_meetings(request), pk=pk)
    return ics_response(calendar([meeting], name=meeting.title), f"treffen-{meeting.pk}.ics")


@member_required
def documentation(request: MemberRequest, pk: int) -> FileResponse:
    """The meeting's documentation (PDF) for members of its network, once it is rendered and current."""
    meeting = get_object_or_404(_meetings(request), pk=pk)
    return pdf_response(messaging.current_documentation(meeting))
