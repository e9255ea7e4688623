"""The office's mails to a meeting's people: /manage/<network_slug>/meetings/<pk>/messages/…

Each sending asks first and names the number of recipients; the log lists every
sending with what reached whom and when.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext

from events import messaging
from events.forms.messaging import MeetingMessageForm
from events.models import Meeting, MeetingMessage, Registration
from verbund.access import NetworkRequest, network_required

MANUAL_KINDS = (MeetingMessage.Kind.REMINDER, MeetingMessage.Kind.DOCUMENTATION, MeetingMessage.Kind.MESSAGE)


def _meeting(request: NetworkRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.for_network(request.network).select_related("network"), pk=pk)


@network_required()
def message_log(request: NetworkRequest, pk: int) -> HttpResponse:
    """What was sent to the meeting's people, when, and to whom (one row per person)."""
    meeting = _meeting(request, pk)
    sendings = list(meeting.messages.select_related("created_by").prefetch_related("recipients"))
    return render(
        request,
        "events/messages.html",
        {
            "network": request.network,
            "meeting": meeting,
            "sendings": [(sending, messaging.message_counts(sending)) for sending in sendings],
            "kinds": [(kind, MeetingMessage.Kind(kind).label) for kind in MANUAL_KINDS],
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


def _picked(request: NetworkRequest, meeting: Meeting, kind: str) -> list[int] | None:
    """The registrations a message goes to when picked on the Teilnehmende tab (`registration=…`, repeated), or None for
    the usual audience. Only a free message takes a choice; ids of other meetings and cancelled registrations drop out."""
    data = request.POST if request.method == "POST" else request.GET
    wanted = [int(value) for value in data.getlist("registration") if value.isdigit() and len(value) < 12]
    if kind != MeetingMessage.Kind.MESSAGE or not wanted:
        return None
    return list(meeting.registrations.filter(pk__in=wanted).exclude(status=Registration.Status.CANCELLED).order_by("pk").values_list("pk", flat=True))


@network_required(can_manage=True)
def message_send(request: NetworkRequest, pk: int, kind: str) -> HttpResponse:
    """GET: the form and who would get it. POST: asks again with the number. POST with "confirm": sends.

    With `registration=…` (from "E-Mail an Ausgewählte") a free message goes to exactly those people; the ids travel
    along as hidden fields through both steps.
    """
    if kind not in MANUAL_KINDS:
        raise Http404
    meeting = _meeting(request, pk)
    form = MeetingMessageForm(request.POST if request.method == "POST" else None, kind=kind)
    picked = _picked(request, meeting, kind)
    audience = messaging.message_audience(meeting=meeting, kind=kind, registration_ids=picked)
    problem = None
    try:
        messaging.message_check(meeting=meeting, kind=kind)
    except ValidationError as exc:
        problem = exc.messages[0]
    status = 200
    asking = False
    if request.method == "POST" and problem is None:
        if not form.is_valid():
            status = 400
        elif "confirm" in request.POST:
            try:
                sending = messaging.meeting_message_send(meeting=meeting, by=request.user, kind=kind, registration_ids=picked, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                count = sending.recipients.count()
                messages.success(
                    request,
                    ngettext("Die Nachricht an %(n)d Person wird versendet.", "Die Nachricht an %(n)d Personen wird versendet.", count) % {"n": count},
                )
                return redirect("events:messages", network_slug=request.network.slug, pk=meeting.pk)
        else:
            asking = True
    return render(
        request,
        "events/message_send.html",
        {
            "network": request.network,
            "meeting": meeting,
            "form": form,
            "kind": kind,
            "kind_label": MeetingMessage.Kind(kind).label,
            "audience": audience,
            "problem": problem,
            "asking": asking,
            "picked": picked,
            "restart_url": reverse("events:message_send", args=[request.network.slug, meeting.pk, kind])
            + (f"?{urlencode([('registration', pk) for pk in picked])}" if picked else ""),
        },
        status=status,
    )
