"""The member portal (/portal/): a member company keeps its own data current.

Everything is reached through `member_required` (sets request.contact) and the
`visible_to(user)` querysets: a member user sees its own organisation and the
networks it belongs to, nothing else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members import services
from members.access import MemberRequest
from members.forms.organisations import AcceptInvitationForm, ConsentsForm, ContactForm, OrganisationForm
from members.models import Consent, Contact, Membership, Organisation
from verbund.access import member_required
from verbund.models import Network, User


@member_required
def portal_home(request: MemberRequest) -> HttpResponse:
    """The member company's start page: its profile at a glance, its people, its networks."""
    contact: Contact = request.contact
    organisation = contact.organisation
    memberships = (
        Membership.objects.current().filter(organisation=organisation, network__archived_at__isnull=True).select_related("network").order_by("network__name")
    )
    colleagues = organisation.contacts.filter(archived_at__isnull=True).order_by("-is_primary", "last_name", "first_name")
    return render(
        request,
        "members/portal_home.html",
        {
            "contact": contact,
            "organisation": organisation,
            "memberships": memberships,
            "colleagues": colleagues,
            # A practice project is a network the company is a member of: its project pages are linked from here.
            "in_projects": any(m.network.kind == Network.Kind.PRACTICE_PROJECT for m in memberships),
        },
    )


def _my_network(request: MemberRequest, slug: str) -> tuple[Network, Membership]:
    network = get_object_or_404(Network.objects.visible_to(request.user).active(), slug=slug)
    membership = get_object_or_404(
        Membership.objects.current(),
        network=network,
        organisation=request.contact.organisation,
    )
    return network, membership


@member_required
def portal_network(request: MemberRequest, network_slug: str) -> HttpResponse:
    """A network the member's organisation belongs to: goals and rules of play. 404 for any other."""
    network, membership = _my_network(request, network_slug)
    governance = network.governance_positions.select_related("contact__organisation").order_by("function")
    return render(request, "members/portal_network.html", {"network": network, "membership": membership, "governance": governance})


@member_required
def portal_member_directory(request: MemberRequest, network_slug: str) -> HttpResponse:
    """The other members of a network, showing only what each chose to share."""
    network, _membership = _my_network(request, network_slug)
    memberships = (
        Membership.objects.current()
        .filter(network=network, organisation__archived_at__isnull=True, organisation__share_in_directory=True)
        .select_related("organisation", "organisation__activity")
        .prefetch_related("organisation__competency_tags", "organisation__need_tags")
        .order_by("organisation__name")
    )
    consenting = set(Consent.objects.filter(network=network, purpose=Consent.Purpose.DIRECTORY, withdrawn_at__isnull=True).values_list("contact_id", flat=True))
    listed = (
        Contact.objects.filter(pk__in=consenting, archived_at__isnull=True, organisation__in=[m.organisation_id for m in memberships])
        .exclude_exited(network)
        .only("first_name", "last_name", "title", "function", "email", "organisation_id")
        .order_by("last_name")
    )
    people: dict[int, list[Contact]] = {}
    for person in listed:
        people.setdefault(person.organisation_id, []).append(person)
    rows = [(m, people.get(m.organisation_id, [])) for m in memberships]
    return render(request, "members/portal_member_directory.html", {"network": network, "rows": rows})


@member_required
def portal_profile_edit(request: MemberRequest) -> HttpResponse:
    """The member edits its organisation's profile; memberships, fees and status stay with the network office."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=request.contact.organisation_id)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(
            organisation=get_object_or_404(Organisation.objects.visible_to(request.user), pk=organisation.pk),
            by=request.user,
            data=form.profile_data(),
            competency_tags=form.cleaned_data["competency_tags_text"],
            need_tags=form.cleaned_data["need_tags_text"],
        )
        messages.success(request, _("Ihr Unternehmensprofil wurde gespeichert."))
        return redirect("members:portal_home")
    return render(request, "members/portal_form.html", {"form": form, "title": _("Unternehmensprofil bearbeiten")})


@member_required
def portal_contact_create(request: MemberRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.contact_create(organisation=request.contact.organisation, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Kontakt angelegt."))
        return redirect("members:portal_home")
    return render(request, "members/portal_form.html", {"form": form, "title": _("Kontakt hinzufügen")})


def _colleague(request: MemberRequest, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(request.user).filter(archived_at__isnull=True), pk=pk)


@member_required
def portal_contact_edit(request: MemberRequest, pk: int) -> HttpResponse:
    contact = _colleague(request, pk)
    form = ContactForm(request.POST or None, instance=_colleague(request, pk))
    if request.method == "POST" and form.is_valid():
        services.contact_update(contact=contact, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Kontakt gespeichert."))
        return redirect("members:portal_home")
    return render(request, "members/portal_form.html", {"form": form, "title": _("Kontakt bearbeiten"), "contact": contact})


@require_POST
@member_required
def portal_contact_remove(request: MemberRequest, pk: int) -> HttpResponse:
    contact = _colleague(request, pk)
    if contact.pk == request.contact.pk:
        messages.error(request, _("Den eigenen Kontakt können Sie nicht entfernen. Bitte wenden Sie sich an die Geschäftsstelle."))
    else:
        services.contact_trash(contact=contact, by=request.user)
        messages.success(request, _("%(name)s wurde entfernt. Die Geschäftsstelle kann das 30 Tage lang rückgängig machen.") % {"name": contact.full_name})
    return redirect("members:portal_home")


@member_required
def portal_consents(request: MemberRequest) -> HttpResponse:
    """The member user's own consents per network and purpose: granted and withdrawn as records, never flags."""
    contact: Contact = request.contact
    networks = [m.network for m in Membership.objects.current().filter(organisation=contact.organisation).select_related("network").order_by("network__name")]
    latest: dict[tuple[int, str], Consent] = {}
    for consent in Consent.objects.filter(contact=contact).order_by("granted_at", "pk"):
        latest[(consent.network_id, consent.purpose)] = consent
    current = {key for key, consent in latest.items() if consent.is_active}
    form = ConsentsForm(request.POST if request.method == "POST" else None, networks=networks, current=current)
    if request.method == "POST" and form.is_valid():
        wanted = form.wanted()
        by_pk = {n.pk: n for n in networks}
        services.consents_update(
            contact=contact,
            by=request.user,
            source=Consent.Source.PORTAL,
            grant=[(by_pk[network_pk], purpose) for network_pk, purpose in wanted - current],
            withdraw=[(by_pk[network_pk], purpose) for network_pk, purpose in current - wanted],
            evidence=_("Portal-Formular „Einwilligungen“, angemeldet als %(email)s") % {"email": request.user.email},
        )
        messages.success(request, _("Ihre Einwilligungen wurden gespeichert."))
        return redirect("members:portal_consents")
    history = Consent.objects.filter(contact=contact).select_related("network").order_by("-granted_at")[:50]
    return render(request, "members/portal_consents.html", {"form": form, "history": history, "text_version": services.CONSENT_TEXT_VERSION})


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: set a password (new users) or confirm while logged in with the invited address."""
    invite = services.invitation_for_token(token)
    if invite is None:
        raise Http404
    existing = User.objects.filter(email__iexact=invite.email).first()
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invite, user=request.user)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return render(request, "members/invitation.html", {"invitation": invite, "mode": "refused"}, status=409)
            messages.success(request, _("Willkommen im Mitgliederportal."))
            return redirect("members:portal_home")
        return render(request, "members/invitation.html", {"invitation": invite, "mode": "confirm"})
    if existing is not None:
        return render(request, "members/invitation.html", {"invitation": invite, "mode": "login"})
    form = AcceptInvitationForm(request.POST or None, email=invite.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_with_new_login(invitation=invite, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return render(request, "members/invitation.html", {"invitation": invite, "mode": "refused"}, status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Ihr Zugang ist eingerichtet. Willkommen im Mitgliederportal."))
        return redirect("members:portal_home")
    return render(request, "members/invitation.html", {"invitation": invite, "mode": "password", "form": form})
