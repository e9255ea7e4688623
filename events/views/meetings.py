"""The manager's meeting pages: /manage/<network_slug>/meetings/…

Every object comes through `Meeting.objects.for_network(request.network)` (and
the meeting's own relations), so another network's meeting is a 404.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING

from events import documents, messaging, services
from events.forms.meetings import (
    ActionItemForm,
    AgendaItemForm,
    ConsentForm,
    GuestForm,
    MeetingForm,
    MinuteForm,
    RegisterContactForm,
)
from events.ics import calendar
from events.models import ActionItem, Meeting, MeetingDocument, MeetingMessage, Registration
from events.signals import extras_for
from events.views.meeting_page import _meeting, again, back, meeting_page, people_counts, tab_of
from verbund import flash
from verbund.access import NetworkRequest, network_required
from verbund.models import Network


@network_required()
def meeting_list(request: NetworkRequest) -> HttpResponse:
    meetings = Meeting.objects.for_network(request.network).annotate(
        registered=Count("registrations", filter=Q(registrations__status__in=["registered", "attended"]))
    )
    return render(
        request,
        "events/meeting_list.html",
        {
            "network": request.network,
            "upcoming": meetings.upcoming(),
            "past": meetings.past()[:50],
            "can_manage": request.manager_role.role_enum.can_manage,
        },
    )


@network_required(can_manage=True)
def meeting_create(request: NetworkRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(network=request.network, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Treffen „%(title)s“ angelegt.") % {"title": meeting.title})
            return redirect("events:meeting", network_slug=request.network.slug, pk=meeting.pk)
    return render(request, "events/meeting_form.html", {"network": request.network, "form": form})


@network_required(can_manage=True)
def meeting_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MeetingForm(request.POST or None, instance=_meeting(request, pk), network=request.network)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect("events:meeting", network_slug=request.network.slug, pk=meeting.pk)
    told = len(messaging.message_audience(meeting=meeting, kind=MeetingMessage.Kind.UPDATE).people) if meeting.ends_at > timezone.now() else 0
    return render(request, "events/meeting_form.html", {"network": request.network, "form": form, "meeting": meeting, "told": told})


@vary_on_headers("HX-Request")
@network_required()
def meeting_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    """The meeting page in the tab the address names (?tab=…); see events/views/meeting_page.py."""
    return meeting_page(request, _meeting(request, pk), tab_of(request))


@require_POST
@network_required(can_manage=True)
def agenda_add(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = AgendaItemForm(request.POST, auto_id="agenda_%s")
    if form.is_valid():
        try:
            services.agenda_item_save(meeting=meeting, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return back(request, meeting, "agenda")
    return again(request, meeting, "agenda", agenda_form=form)


@require_POST
@network_required(can_manage=True)
def agenda_move(request: NetworkRequest, pk: int, item_pk: int, direction: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = get_object_or_404(meeting.agenda_items, pk=item_pk)
    if direction in {"up", "down"}:
        try:
            services.agenda_item_move(item=item, by=request.user, direction=direction)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
    return back(request, meeting, "agenda")


@require_POST
@network_required(can_manage=True)
def agenda_delete(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    """Deleted without asking; the programme then offers "Rückgängig" (soft delete, see agenda_item_delete)."""
    meeting = _meeting(request, pk)
    services.agenda_item_delete(item=get_object_or_404(meeting.agenda_items, pk=item_pk), by=request.user)
    return back(request, meeting, "agenda")


def _person_form(request: NetworkRequest, prefix: str = "") -> GuestForm | RegisterContactForm:
    """The bound form of a member contact (`contact`) or a guest (`guest=1`, name, email, organisation), each with consent."""
    if "guest" in request.POST:
        return GuestForm(request.POST, auto_id=f"{prefix}guest_%s")
    return RegisterContactForm(request.POST, network=request.network, auto_id=f"{prefix}register_%s")


def _person(form: GuestForm | RegisterContactForm) -> dict[str, Any]:
    person = {"guest": form.guest()} if isinstance(form, GuestForm) else {"contact": form.cleaned_data["contact"]}
    return person | form.consent_kwargs()


def _form_name(form: GuestForm | RegisterContactForm) -> str:
    return "guest_form" if isinstance(form, GuestForm) else "contact_form"


@require_POST
@network_required(can_manage=True)
def registration_add(request: NetworkRequest, pk: int) -> HttpResponse:
    """Add a member contact or a guest by hand (also after the deadline), with the consent the office was given."""
    meeting = _meeting(request, pk)
    form = _person_form(request)
    if form.is_valid():
        try:
            registration = services.registration_register(meeting=meeting, by=request.user, by_manager=True, **_person(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if registration.status == Registration.Status.WAITLISTED:
                messages.info(request, _("Das Treffen ist voll: %(name)s steht auf der Warteliste.") % {"name": registration.display_name})
            return back(request, meeting, "participants")
    return again(request, meeting, "participants", **{_form_name(form): form})


@require_POST
@network_required(can_manage=True)
def registration_cancel(request: NetworkRequest, pk: int, registration_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    registration = get_object_or_404(meeting.registrations, pk=registration_pk)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return back(request, meeting, "participants")


@require_POST
@network_required(can_manage=True)
def registration_attendance(request: NetworkRequest, pk: int, registration_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    registration = get_object_or_404(meeting.registrations.exclude(status=Registration.Status.CANCELLED), pk=registration_pk)
    services.registration_check_in(registration=registration, by=request.user, attended=request.POST.get("attended") != "0")
    if request.POST.get("next") == "check-in":
        return _check_in_back(request, meeting)
    return back(request, meeting, "participants")


@vary_on_headers("HX-Request")
@network_required(can_manage=True)
def registration_consent(request: NetworkRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Record or change a person's consent (list, photos) with source and date; from the check-in list or the participants table.

    GET (without JavaScript, or from a link) shows the form on a page of its own; POST saves and goes back where it came from.
    """
    meeting = _meeting(request, pk)
    registration = get_object_or_404(meeting.registrations.select_related("contact__organisation"), pk=registration_pk)
    at_the_door = request.POST.get("next", request.GET.get("next")) == "check-in"
    default_source = Registration.ConsentSource.ORAL if at_the_door else ""
    form = ConsentForm(request.POST or None, registration=registration, default_source=default_source, auto_id=f"consent{registration.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_consent_record(registration=registration, by=request.user, data=form.consent_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Einverständnis von %(name)s gespeichert.") % {"name": registration.display_name})
            if at_the_door:
                return _check_in_back(request, meeting)
            return back(request, meeting, "participants")
    if request.method == "POST" and request.htmx and at_the_door:  # the refusal in the list the form sits in
        flash.form_errors(request, form)
        return _check_in_back(request, meeting)
    return render(
        request,
        "events/consent.html",
        {"network": request.network, "meeting": meeting, "registration": registration, "form": form, "at_the_door": at_the_door},
    )


# Up to this many people the check-in list carries each one's consent form (one tap at the door); a longer list links
# to the form's own page instead: 300 forms would make the list take seconds to render.
INLINE_CONSENT_FORMS = 60


def _consent_form(registration: Registration) -> ConsentForm:
    return ConsentForm(registration=registration, default_source=Registration.ConsentSource.ORAL, auto_id=f"consent{registration.pk}_%s")


def _check_in_context(request: NetworkRequest, meeting: Meeting, **overrides: Any) -> dict:
    query = " ".join(request.GET.get("q", request.POST.get("q", "")).split())[:100]
    registrations = (
        meeting.registrations.exclude(status=Registration.Status.CANCELLED)
        .select_related("contact__organisation", "consent_recorded_by")
        .order_by("contact__last_name", "guest_name", "pk")
    )
    if query:
        registrations = registrations.filter(
            Q(contact__last_name__icontains=query)
            | Q(contact__first_name__icontains=query)
            | Q(guest_name__icontains=query)
            | Q(contact__organisation__name__icontains=query)
            | Q(guest_organisation__icontains=query)
        )
    people_at_the_door = people_counts(meeting)  # the figures of the meeting page: expected are the seats taken
    counts = {"attended": people_at_the_door["attended"], "expected": people_at_the_door["seats_taken"]}
    at_the_door = {"consent_source": Registration.ConsentSource.ORAL}
    people = list(registrations)
    inline_forms = len(people) <= INLINE_CONSENT_FORMS
    slug = request.network.slug
    return {
        "network": request.network,
        "meeting": meeting,
        # Per person: the registration, its consent form ("a person at the door says yes"; the oral source is preset
        # there) or none on a long list, where its attendance button posts (one form for the whole list) and its consent page.
        "registrations": [
            (
                r,
                _consent_form(r) if inline_forms else None,
                reverse("events:registration_attendance", args=[slug, meeting.pk, r.pk]),
                reverse("events:registration_consent", args=[slug, meeting.pk, r.pk]),
            )
            for r in people
        ],
        "q": query,
        "counts": counts,
        "contact_form": RegisterContactForm(network=request.network, auto_id="register_%s", initial=at_the_door, search=query),
        "guest_form": GuestForm(auto_id="guest_%s", initial=at_the_door),
    } | overrides


def _check_in_back(request: NetworkRequest, meeting: Meeting) -> HttpResponse:
    if request.htmx:
        return render(request, "events/check_in.html#check-in-list", _check_in_context(request, meeting))
    return redirect("events:check_in", network_slug=request.network.slug, pk=meeting.pk)


@vary_on_headers("HX-Request")
@network_required(can_manage=True)
def check_in(request: NetworkRequest, pk: int) -> HttpResponse:
    """The list at the door, for a tablet: search by name, one tap to mark present, walk-ins added on the spot."""
    meeting = _meeting(request, pk)
    context = _check_in_context(request, meeting)
    if request.htmx and request.htmx.target == "check-in-list":
        return render(request, "events/check_in.html#check-in-list", context)
    return render(request, "events/check_in.html", context)


@require_POST
@network_required(can_manage=True)
def walk_in(request: NetworkRequest, pk: int) -> HttpResponse:
    """Someone came without registering: register them and mark them present in one step."""
    meeting = _meeting(request, pk)
    form = _person_form(request)
    if form.is_valid():
        try:
            registration = services.registration_walk_in(meeting=meeting, by=request.user, **_person(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s ist als anwesend eingetragen.") % {"name": registration.display_name})
            return redirect("events:check_in", network_slug=request.network.slug, pk=meeting.pk)
    # The page again with the bound form: the error at the form, the input kept.
    return render(request, "events/check_in.html", _check_in_context(request, meeting, **{_form_name(form): form}))


@require_POST
@network_required(can_manage=True)
def minute_add(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MinuteForm(request.POST, meeting=meeting, auto_id="minute_%s")
    if form.is_valid():
        try:
            services.minute_add(meeting=meeting, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return back(request, meeting, "minutes")
    return again(request, meeting, "minutes", minute_form=form)


def warn_if_due_in_the_past(request: NetworkRequest, due_on: date | None) -> None:
    """A due date in the past is accepted (minutes are often typed in later), never silently."""
    if due_on is not None and due_on < timezone.localdate():
        messages.warning(request, _("Das Datum liegt in der Vergangenheit (%(date)s). Gespeichert – bitte prüfen.") % {"date": f"{due_on:%d.%m.%Y}"})


@require_POST
@network_required(can_manage=True)
def action_item_add(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ActionItemForm(request.POST, network=request.network, auto_id="action_%s")
    if form.is_valid():
        try:
            services.action_item_create(network=request.network, meeting=meeting, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            warn_if_due_in_the_past(request, form.cleaned_data.get("due_on"))
            return back(request, meeting, "action-items")
    return again(request, meeting, "action-items", action_form=form)


@require_POST
@network_required(can_manage=True)
def action_item_done(request: NetworkRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.for_network(request.network), pk=item_pk)
    services.action_item_complete(item=item, by=request.user, done=request.POST.get("done") != "0")
    if item.meeting is not None:
        return back(request, item.meeting, "action-items")
    return redirect("manage:network_home", network_slug=request.network.slug)


@network_required()
def meeting_ics(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return ics_response(calendar([meeting], name=meeting.title), f"treffen-{meeting.pk}.ics")


def ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def network_calendar_feed(request, network_slug: str, token: str) -> HttpResponse:
    """A network's meetings for calendar programs (webcal). The secret token is the only key: a wrong one is a 404."""
    network = get_object_or_404(Network.objects.active(), slug=network_slug)
    if not constant_time_compare(token, network.calendar_token):
        raise Http404
    meetings = Meeting.objects.for_network(network).filter(starts_at__gte=timezone.now() - timedelta(days=365)).order_by("starts_at")
    response = HttpResponse(calendar(meetings, name=network.name, extras=extras_for(network)), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- documents (PDF, rendered by Celery) ---------------------------------------------


def _document_kind(kind: str) -> str:
    if kind not in MeetingDocument.Kind.values:
        raise Http404
    return kind


@require_POST
@network_required(can_manage=True)
def document_request(request: NetworkRequest, pk: int, kind: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    documents.document_request(meeting=meeting, kind=_document_kind(kind))
    return redirect("events:document", network_slug=request.network.slug, pk=meeting.pk, kind=kind)


@vary_on_headers("HX-Request")
@network_required()
def document_status(request: NetworkRequest, pk: int, kind: str) -> HttpResponse:
    """Progress of a document; the htmx poll stops (286) once it is done or failed."""
    meeting = _meeting(request, pk)
    document = MeetingDocument.objects.filter(meeting=meeting, kind=_document_kind(kind)).first()
    context = {
        "network": request.network,
        "meeting": meeting,
        "document": document,
        "kind": kind,
        "kind_label": MeetingDocument.Kind(kind).label,
        "can_manage": request.manager_role.role_enum.can_manage,
    }
    if request.htmx:
        response = render(request, "events/document.html#document-status", context)
        finished = document is None or document.status in {MeetingDocument.Status.DONE, MeetingDocument.Status.FAILED}
        if finished:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "events/document.html", context)


@network_required()
def document_download(request: NetworkRequest, pk: int, kind: str) -> FileResponse:
    meeting = _meeting(request, pk)
    document = get_object_or_404(MeetingDocument, meeting=meeting, kind=_document_kind(kind), status=MeetingDocument.Status.DONE)
    return pdf_response(document)


def pdf_response(document: MeetingDocument | None) -> FileResponse:
    """A rendered meeting document as a download (never shown inline); 404 when there is none."""
    if document is None or not document.file:
        raise Http404
    filename = f"{document.kind}-{document.meeting.starts_at:%Y-%m-%d}.pdf"
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
