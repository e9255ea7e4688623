"""The manager's member pages: directory, organisation detail and editing, contacts, trash.

Everything is reached through `network_required` and the network's scoped
querysets, so an organisation that is not (or no longer) in this network is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from members import duplicates, services, undeliverable
from members.extensions import panels_for
from members.forms.organisations import (
    BulkActionForm,
    ContactForm,
    DirectoryFilterForm,
    GovernanceForm,
    MembershipForm,
    NewMembershipForm,
    OrganisationForm,
    SavedFilterForm,
    StatusChangeForm,
)
from members.lifecycle import deletable_contact_ids, may_delete_contact, other_networks
from members.models import Contact, Membership, Organisation, SavedFilter
from members.selectors import directory_memberships, directory_results, organisation_history
from members.undeliverable import contact_mail_blocks
from verbund.access import NetworkRequest, network_required
from verbund.fieldsets import max_length
from verbund.models import Network
from verbund.undo import offer_undo

PAGE_SIZE = 25


def _filter_pairs(params: QueryDict) -> list[tuple[str, str]]:
    return [(k, v) for k in DirectoryFilterForm.FIELDS for v in params.getlist(k) if v]


def _filter_query(params: QueryDict) -> str:
    """The directory's filter as a query string (page dropped), for links, saved filters and exports."""
    return urlencode(_filter_pairs(params))


def _directory_url(network: Network, query: str = "") -> str:
    url = reverse("directory:directory", kwargs={"network_slug": network.slug})
    return f"{url}?{query}" if query else url


def _memberships_from_query(request: NetworkRequest, query: str):
    form = DirectoryFilterForm(QueryDict(query), network=request.network, user=request.user)
    return directory_memberships(request.network, form.to_filter())


# --- directory -----------------------------------------------------------------


@vary_on_headers("HX-Request")
@network_required()
def directory(request: NetworkRequest) -> HttpResponse:
    """Search, filter, sort and page through a network's members; htmx replaces only the results."""
    network = request.network
    form = DirectoryFilterForm(request.GET or None, network=network, user=request.user)
    page = directory_results(network, form.to_filter(), request.GET.get("page"), PAGE_SIZE)
    query = _filter_query(request.GET)
    context = {
        "network": network,
        "form": form,
        "page": page,
        "query": query,
        "filter_pairs": _filter_pairs(request.GET),
        "saved_filters": SavedFilter.objects.filter(user=request.user, network=network),
        "save_form": SavedFilterForm(initial={"query": query}),
        "bulk_statuses": Membership.Status.choices,
        "can_manage": request.manager_role.role_enum.can_manage,
    }
    if request.htmx and request.htmx.target == "directory-results":
        return render(request, "members/manage/directory.html#directory-results", context)
    return render(request, "members/manage/directory.html", context)


@require_POST
@network_required()
def saved_filter_create(request: NetworkRequest) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    query = ""
    if form.is_valid() and len(_filter_query(QueryDict(form.cleaned_data["query"]))) > max_length(SavedFilter, "query"):
        messages.error(request, _("Dieser Filter ist zu lang zum Speichern. Bitte kürzen Sie den Suchtext."))
    elif form.is_valid():
        query = _filter_query(QueryDict(form.cleaned_data["query"]))
        services.saved_filter_save(user=request.user, network=request.network, name=form.cleaned_data["name"], query=query)
        messages.success(request, _("Filter „%(name)s“ gespeichert.") % {"name": form.cleaned_data["name"]})
    else:
        messages.error(request, _("Bitte dem Filter einen Namen geben (höchstens 80 Zeichen)."))
    return redirect(_directory_url(request.network, query))


@require_POST
@network_required()
def saved_filter_delete(request: NetworkRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user, network=request.network)
    services.saved_filter_delete(saved=saved)
    messages.success(request, _("Filter gelöscht."))
    return redirect(_directory_url(request.network))


@require_POST
@network_required(can_manage=True)
def bulk_action(request: NetworkRequest) -> HttpResponse:
    """First POST shows a preview of the effect; the POST with `confirm` applies it, all or nothing."""
    network = request.network
    allowed = Membership.objects.for_network(network)
    form = BulkActionForm(request.POST, allowed_ids=list(allowed.values_list("pk", flat=True)))
    query = _filter_query(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
            messages.error(request, str(error))
        return redirect(_directory_url(network, query))
    if form.cleaned_data["all_results"]:
        targets = _memberships_from_query(request, query)
    else:
        targets = allowed.filter(pk__in=form.cleaned_data["ids"]).select_related("organisation")
    action, status = form.cleaned_data["action"], form.cleaned_data.get("status")
    count = targets.count()
    if "confirm" not in request.POST:
        unchanged = targets.filter(status=status).count() if action == BulkActionForm.Action.SET_STATUS else 0
        return render(
            request,
            "members/manage/bulk_preview.html",
            {
                "network": network,
                "form": form,
                "count": count,
                "unchanged": unchanged,
                "sample": targets[:10],
                "status_label": Membership.Status(status).label if status else "",
                "query": query,
                "ids": form.cleaned_data["ids"],
            },
        )
    refused = services.memberships_bulk_apply(
        network=network,
        pks=targets.values_list("pk", flat=True),
        action=action,
        status=status,
        by=request.user,
    )
    done = count - len(refused)
    if action == BulkActionForm.Action.TRASH:
        messages.success(request, _("%(n)d Organisationen in den Papierkorb gelegt. Sie lassen sich 30 Tage lang wiederherstellen.") % {"n": done})
    else:
        messages.success(request, _("Status von %(n)d Mitgliedschaften geändert.") % {"n": done})
    for line in refused[:20]:
        messages.error(request, _("Nicht geändert: %(reason)s") % {"reason": line})
    return redirect(_directory_url(network, query))


# --- organisations ---------------------------------------------------------------


def _organisation(request: NetworkRequest, pk: int) -> Organisation:
    # One membership per organisation and network (unique_membership): the join yields one row, no DISTINCT needed.
    in_network = Organisation.objects.filter(memberships__network=request.network, memberships__archived_at__isnull=True, archived_at__isnull=True)
    return get_object_or_404(in_network, pk=pk)


@network_required(can_manage=True)
def organisation_create(request: NetworkRequest) -> HttpResponse:
    # Possible duplicates among the organisations of every network this manager runs: "trotzdem anlegen" to go on.
    form = OrganisationForm(request.POST or None, duplicates=duplicates.organisation_finder(networks=Network.objects.active().managed_by(request.user)))
    membership_form = NewMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and membership_form.is_valid():
        membership = services.organisation_create(
            network=request.network,
            by=request.user,
            data=form.profile_data(),
            role=membership_form.cleaned_data["role"],
            status=membership_form.cleaned_data["status"],
            competency_tags=form.cleaned_data["competency_tags_text"],
            need_tags=form.cleaned_data["need_tags_text"],
        )
        messages.success(request, _("„%(name)s“ wurde angelegt.") % {"name": membership.organisation.name})
        return redirect("directory:organisation", network_slug=request.network.slug, pk=membership.organisation_id)
    return render(request, "members/manage/organisation_form.html", {"network": request.network, "form": form, "membership_form": membership_form})


@vary_on_headers("HX-Request")
@network_required()
def organisation_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    """Profile, contacts, memberships in the networks this manager runs, and (tab) the history of changes."""
    organisation = _organisation(request, pk)
    my_networks = Network.objects.active().managed_by(request.user)
    tab = "history" if request.GET.get("tab") == "history" else "profile"
    context = {
        "network": request.network,
        "organisation": organisation,
        "tab": tab,
        "can_manage": request.manager_role.role_enum.can_manage,  # the page's actions show on both tabs
        "other_networks": other_networks(organisation, request.network).count(),
    }
    if tab == "history":
        context["history"] = organisation_history(organisation, my_networks, viewer_network=request.network)
    else:
        context |= {
            "contacts": organisation.contacts.filter(archived_at__isnull=True).exclude_exited(request.network).order_by("-is_primary", "last_name"),
            "exited_contacts": organisation.contacts.filter(archived_at__isnull=True).exited_from(request.network).order_by("last_name"),
            "deletable_contacts": deletable_contact_ids(user=request.user, organisation=organisation),
            "trashed_contacts": organisation.contacts.filter(archived_at__isnull=False).order_by("last_name"),
            "memberships": Membership.objects.filter(organisation=organisation, network__in=my_networks, archived_at__isnull=True)
            .select_related("network")
            .prefetch_related("status_changes__changed_by"),
            "competency_tags": organisation.competency_tags.all(),
            "need_tags": organisation.need_tags.all(),
            # Sections of the apps above members (the office's contact log …): members.extensions
            "panels": panels_for(organisation=organisation, network=request.network, user=request.user, can_manage=request.manager_role.role_enum.can_manage),
        }
    if request.htmx and request.htmx.target == "tab-panel":
        return render(request, "members/manage/organisation_detail.html#tab-panel", context)
    return render(request, "members/manage/organisation_detail.html", context)


@network_required(can_manage=True)
def organisation_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(
            organisation=_organisation(request, pk),  # a fresh copy: the form has already changed `organisation`
            by=request.user,
            data=form.profile_data(),
            competency_tags=form.cleaned_data["competency_tags_text"],
            need_tags=form.cleaned_data["need_tags_text"],
        )
        messages.success(request, _("Änderungen gespeichert."))
        return redirect("directory:organisation", network_slug=request.network.slug, pk=organisation.pk)
    context = {"network": request.network, "form": form, "organisation": organisation, "other_networks": other_networks(organisation, request.network).count()}
    return render(request, "members/manage/organisation_form.html", context)


@network_required(can_manage=True)
def membership_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    """Role and fee of the membership in this network, and its status (each step recorded)."""
    organisation = _organisation(request, pk)
    membership = get_object_or_404(Membership.objects.for_network(request.network), organisation=organisation)
    form = MembershipForm(request.POST if "save_membership" in request.POST else None, instance=membership)
    status_form = StatusChangeForm(request.POST if "change_status" in request.POST else None, initial={"status": membership.status})
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            services.membership_update(
                membership=get_object_or_404(Membership.objects.for_network(request.network), pk=membership.pk),
                by=request.user,
                data=form.cleaned_data,
            )
            messages.success(request, _("Mitgliedschaft gespeichert."))
            return redirect("directory:organisation", network_slug=request.network.slug, pk=organisation.pk)
        if status_form.is_bound and status_form.is_valid():
            try:
                services.membership_change_status(
                    membership=membership,
                    to_status=status_form.cleaned_data["status"],
                    effective_on=status_form.cleaned_data["effective_on"],
                    note=status_form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                status_form.add_error(None, exc)
            else:
                messages.success(request, _("Status geändert."))
                return redirect("directory:organisation", network_slug=request.network.slug, pk=organisation.pk)
    return render(
        request,
        "members/manage/membership_form.html",
        {"network": request.network, "organisation": organisation, "membership": membership, "form": form, "status_form": status_form},
    )


@require_POST
@network_required(can_manage=True)
def organisation_trash(request: NetworkRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    membership = get_object_or_404(Membership.objects.for_network(request.network), organisation=organisation)
    services.membership_trash(membership=membership, by=request.user)
    offer_undo(
        request,
        message=_("„%(name)s“ liegt im Papierkorb.") % {"name": organisation.name},
        restore_url=reverse("directory:organisation_restore", kwargs={"network_slug": request.network.slug, "pk": organisation.pk}),
    )
    return redirect(_directory_url(request.network))


@require_POST
@network_required(can_manage=True)
def organisation_restore(request: NetworkRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.trashed_in(request.network), organisation_id=pk)
    services.membership_restore(membership=membership, by=request.user)
    messages.success(request, _("„%(name)s“ wurde wiederhergestellt.") % {"name": membership.organisation.name})
    return redirect("directory:organisation", network_slug=request.network.slug, pk=pk)


@network_required()
def trash(request: NetworkRequest) -> HttpResponse:
    memberships = Membership.objects.trashed_in(request.network).select_related("organisation", "archived_by").order_by("-archived_at")
    contacts = Contact.objects.for_network(request.network).filter(archived_at__isnull=False).select_related("organisation").order_by("-archived_at")
    return render(
        request,
        "members/manage/trash.html",
        {"network": request.network, "memberships": memberships, "contacts": contacts, "retention_days": services.TRASH_DAYS},
    )


# --- contacts --------------------------------------------------------------------


def _contact(request: NetworkRequest, pk: int, *, trashed: bool = False) -> Contact:
    return get_object_or_404(
        Contact.objects.for_network(request.network).filter(archived_at__isnull=not trashed, organisation__archived_at__isnull=True),
        pk=pk,
    )


@network_required(can_manage=True)
def contact_create(request: NetworkRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    finder = duplicates.contact_finder(organisation=organisation, networks=Network.objects.active().managed_by(request.user))
    form = ContactForm(request.POST or None, duplicates=finder)  # possible duplicates: "trotzdem anlegen" to go on
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(organisation=organisation, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Kontakt %(name)s angelegt.") % {"name": contact.full_name})
        return redirect("directory:organisation", network_slug=request.network.slug, pk=organisation.pk)
    return render(request, "members/manage/contact_form.html", {"network": request.network, "organisation": organisation, "form": form})


@network_required(can_manage=True)
def contact_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    form = ContactForm(request.POST or None, instance=_contact(request, pk))  # the form's copy; `contact` stays unchanged
    if request.method == "POST" and form.is_valid():
        services.contact_update(contact=contact, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Kontakt gespeichert."))
        return redirect("directory:organisation", network_slug=request.network.slug, pk=contact.organisation_id)
    return render(
        request,
        "members/manage/contact_form.html",
        {
            "network": request.network,
            "organisation": contact.organisation,
            "form": form,
            "contact": contact,
            "mail_blocks": contact_mail_blocks(contact=contact, network=request.network),
        },
    )


@require_POST
@network_required(can_manage=True)
def contact_mail_block_lift(request: NetworkRequest, pk: int) -> HttpResponse:
    """ "Sperre aufheben": the address gets mail again (the mark and this network's bounce blocks go, with history)."""
    contact = _contact(request, pk)
    undeliverable.contact_mail_block_lift(contact=contact, network=request.network, by=request.user)
    messages.success(request, _("Die Sperre für %(email)s ist aufgehoben.") % {"email": contact.email})
    return redirect("directory:contact_edit", network_slug=request.network.slug, pk=contact.pk)


@require_POST
@network_required(can_manage=True)
def contact_trash(request: NetworkRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    if not may_delete_contact(user=request.user, contact=contact):
        # A shared company's person: this network may end only its own relation (docs/SHARED-COMPANIES.md).
        messages.error(
            request,
            _(
                "%(name)s gehört zu einer Organisation, die auch Mitglied in Verbünden ist, die Sie nicht betreuen. Für alle entfernen "
                "kann sie nur das Unternehmen selbst oder die Administration; Sie können die Beziehung für diesen Verbund beenden."
            )
            % {"name": contact.full_name},
        )
        return redirect("directory:organisation", network_slug=request.network.slug, pk=contact.organisation_id)
    services.contact_trash(contact=contact, by=request.user)
    offer_undo(
        request,
        message=_("%(name)s liegt im Papierkorb.") % {"name": contact.full_name},
        restore_url=reverse("directory:contact_restore", kwargs={"network_slug": request.network.slug, "pk": contact.pk}),
    )
    return redirect("directory:organisation", network_slug=request.network.slug, pk=contact.organisation_id)


@require_POST
@network_required(can_manage=True)
def contact_restore(request: NetworkRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, trashed=True)
    services.contact_restore(contact=contact, by=request.user)
    messages.success(request, _("%(name)s wurde wiederhergestellt.") % {"name": contact.full_name})
    return redirect("directory:organisation", network_slug=request.network.slug, pk=contact.organisation_id)


# --- governance --------------------------------------------------------------------


@network_required()
def governance(request: NetworkRequest) -> HttpResponse:
    """Chair, deputy, board and office of the network, each a contact of a member organisation."""
    form = GovernanceForm(request.POST or None, network=request.network)
    if request.method == "POST":
        if not request.manager_role.role_enum.can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.governance_assign(
                    network=request.network,
                    contact=form.cleaned_data["contact"],
                    function=form.cleaned_data["function"],
                    since=form.cleaned_data["since"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Gremienfunktion eingetragen."))
                return redirect("directory:governance", network_slug=request.network.slug)
    positions = request.network.governance_positions.select_related("contact__organisation").order_by("function", "contact__last_name")
    return render(
        request,
        "members/manage/governance.html",
        {"network": request.network, "form": form, "positions": positions, "can_manage": request.manager_role.role_enum.can_manage},
    )


@require_POST
@network_required(can_manage=True)
def governance_remove(request: NetworkRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(request.network.governance_positions, pk=pk)
    services.governance_remove(position=position, by=request.user)
    messages.success(request, _("Gremienfunktion entfernt."))
    return redirect("directory:governance", network_slug=request.network.slug)


@require_POST
@network_required(can_manage=True)
def contact_invite(request: NetworkRequest, pk: int) -> HttpResponse:
    """Invite a contact to the member portal by email."""
    contact = _contact(request, pk)
    try:
        services.invitation_create(contact=contact, network=request.network, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Einladung an %(email)s ist unterwegs.") % {"email": contact.email})
    return redirect("directory:organisation", network_slug=request.network.slug, pk=contact.organisation_id)
