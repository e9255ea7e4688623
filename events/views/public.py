"""Public pages of a network's meetings (no login): /n/<network_slug>/meetings/…

- the list and page of public meetings, with a sign-up form (honeypot, rate limit, double opt-in:
  nothing is stored until the person confirms through the link in the mail);
- the personal reply link from an invitation (register without logging in);
- the cancel link from a confirmation mail (a GET asks, only a POST cancels: mail scanners follow links).
A non-public meeting, another network's meeting or a bad link is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from events import invitations, messaging, services
from events.forms.invitations import ConsentsForm, PublicSignupForm
from events.models import Meeting, Registration
from events.views.meetings import pdf_response
from verbund.mail import mail_send_later, render_mail
from verbund.models import Network
from verbund.ratelimit import allow, client_ip

SIGNUPS_PER_IP = (5, 600)  # 5 sign-ups per 10 minutes from one address
SIGNUPS_PER_EMAIL = (3, 3600)  # 3 confirmation mails per hour to one address


def _network(network_slug: str) -> Network:
    return get_object_or_404(Network.objects.active(), slug=network_slug)


def _public_meeting(network_slug: str, pk: int) -> Meeting:
    network = _network(network_slug)
    return get_object_or_404(Meeting.objects.filter(network=network, is_public=True).select_related("network"), pk=pk)


def _any_meeting(network_slug: str, pk: int) -> Meeting:
    """Meetings reached by a personal link need not be public: the signed link is the key."""
    return get_object_or_404(Meeting.objects.filter(network=_network(network_slug)).select_related("network"), pk=pk)


def meeting_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = _network(network_slug)
    meetings = Meeting.objects.filter(network=network, is_public=True).upcoming()
    return render(request, "events/public_list.html", {"network": network, "meetings": meetings})


def _page(request: HttpRequest, meeting: Meeting, form: PublicSignupForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "events/public_meeting.html",
        {"network": meeting.network, "meeting": meeting, "agenda": meeting.agenda_items.all(), "form": form},
        status=status,
    )


@never_cache
def meeting(request: HttpRequest, network_slug: str, pk: int) -> HttpResponse:
    meeting = _public_meeting(network_slug, pk)
    if request.method != "POST":
        return _page(request, meeting, PublicSignupForm())
    form = PublicSignupForm(request.POST)
    if not meeting.registration_open():
        form.add_error(None, _("Die Anmeldung für dieses Treffen ist geschlossen."))
        return _page(request, meeting, form, status=400)
    if not form.is_valid():
        return _page(request, meeting, form, status=400)
    if form.is_bot:  # looks the same to the bot; nothing is sent
        return render(request, "events/public_check_mail.html", {"network": meeting.network, "meeting": meeting})
    data = form.cleaned_data
    if not allow("meeting-signup-ip", client_ip(request), limit=SIGNUPS_PER_IP[0], window=SIGNUPS_PER_IP[1]) or not allow(
        "meeting-signup-email", data["email"].lower(), limit=SIGNUPS_PER_EMAIL[0], window=SIGNUPS_PER_EMAIL[1]
    ):
        form.add_error(None, _("Zu viele Anmeldungen in kurzer Zeit. Bitte versuchen Sie es später noch einmal."))
        return _page(request, meeting, form, status=429)
    payload = {
        "name": data["name"],
        "email": data["email"],
        "organisation": data["organisation"],
        "pl": data["consent_participant_list"],
        "ph": data["consent_photos"],
    }
    message = render_mail(
        "meeting-signup",
        to=[data["email"]],
        context={"meeting": meeting, "network": meeting.network, "name": data["name"], "url": invitations.signup_url(meeting, payload)},
    )
    mail_send_later(message=message)
    return render(request, "events/public_check_mail.html", {"network": meeting.network, "meeting": meeting})


def _confirmed(request: HttpRequest, meeting: Meeting, registration: Registration, *, fresh: bool) -> HttpResponse:
    if fresh:
        messaging.registration_mail(registration=registration, template="meeting-confirmed")
    return render(request, "events/public_registered.html", {"network": meeting.network, "meeting": meeting, "registration": registration})


@never_cache
def confirm(request: HttpRequest, network_slug: str, pk: int, token: str) -> HttpResponse:
    """Double opt-in: the link from the sign-up mail. GET asks, POST registers (once, however often it is clicked)."""
    meeting = _public_meeting(network_slug, pk)
    data = invitations.signup_from_token(meeting, token)
    if data is None:
        raise Http404
    existing = meeting.registrations.filter(contact=None, guest_email__iexact=data["email"]).exclude(status=Registration.Status.CANCELLED).first()
    if existing is not None:
        return _confirmed(request, meeting, existing, fresh=False)
    if request.method != "POST":
        return render(request, "events/public_confirm.html", {"network": meeting.network, "meeting": meeting, "data": data})
    try:
        registration = services.registration_register(
            meeting=meeting,
            by=None,
            guest={"name": data["name"], "email": data["email"], "organisation": data.get("organisation", "")},
            consent_participant_list=bool(data.get("pl")),
            consent_photos=bool(data.get("ph")),
            consent_source=Registration.ConsentSource.ONLINE,
        )
    except ValidationError as exc:
        return render(request, "events/public_error.html", {"network": meeting.network, "meeting": meeting, "errors": exc.messages}, status=400)
    return _confirmed(request, meeting, registration, fresh=True)


@never_cache
def reply(request: HttpRequest, network_slug: str, pk: int, token: str) -> HttpResponse:
    """The personal link from an invitation: register this contact without logging in."""
    meeting = _any_meeting(network_slug, pk)
    contact = invitations.contact_from_reply(meeting, token)
    if contact is None:
        raise Http404
    existing = meeting.registrations.filter(contact=contact).exclude(status=Registration.Status.CANCELLED).first()
    if existing is not None:
        return _confirmed(request, meeting, existing, fresh=False)
    form = ConsentsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_register(
                meeting=meeting,
                by=contact.user,
                contact=contact,
                consent_participant_list=form.cleaned_data["consent_participant_list"],
                consent_photos=form.cleaned_data["consent_photos"],
                consent_source=Registration.ConsentSource.ONLINE,
            )
        except ValidationError as exc:
            return render(request, "events/public_error.html", {"network": meeting.network, "meeting": meeting, "errors": exc.messages}, status=400)
        return _confirmed(request, meeting, registration, fresh=True)
    return render(
        request,
        "events/public_reply.html",
        {"network": meeting.network, "meeting": meeting, "contact": contact, "form": form, "agenda": meeting.agenda_items.all()},
    )


@never_cache
def cancel(request: HttpRequest, network_slug: str, pk: int, token: str) -> HttpResponse:
    """The cancel link from a confirmation mail. GET asks, POST cancels (and moves someone up from the waitlist)."""
    meeting = _any_meeting(network_slug, pk)
    registration = invitations.registration_from_cancel(meeting, token)
    if registration is None:
        raise Http404
    context = {"network": meeting.network, "meeting": meeting, "registration": registration}
    if registration.status == Registration.Status.CANCELLED:
        return render(request, "events/public_cancelled.html", context)
    if request.method != "POST":
        return render(request, "events/public_cancel.html", context)
    try:
        services.registration_cancel(registration=registration, by=None)
    except ValidationError as exc:
        return render(request, "events/public_error.html", {**context, "errors": exc.messages}, status=400)
    return render(request, "events/public_cancelled.html", context)


@never_cache
def documentation(request: HttpRequest, network_slug: str, pk: int, token: str) -> FileResponse:
    """The personal link in the documentation mail, for participants without a portal login."""
    meeting = _any_meeting(network_slug, pk)
    if messaging.registration_from_documentation_link(meeting, token) is None:
        raise Http404
    return pdf_response(messaging.current_documentation(meeting))
