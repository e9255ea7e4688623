"""The "Dubletten" pages of a network: pairs that may be the same, a record's candidates, the merge preview, past merges.

Every record is reached through the network's scoped querysets (a foreign one is a 404); merging needs a
role that may change things (403 otherwise) and is refused with a message when another network the
manager does not run holds one of the organisations (members.merging.merge_refusal).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import ForeignKey
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import duplicates, merging
from members.forms.duplicates import MergeForm
from members.models import Contact, MergeRecord, Organisation
from members.selectors import organisation_history
from verbund.access import NetworkRequest, network_required
from verbund.models import Network


def _organisation(request: NetworkRequest, pk: int) -> Organisation:
    return get_object_or_404(Organisation.objects.for_network(request.network).filter(archived_at__isnull=True), pk=pk)


def _contact(request: NetworkRequest, pk: int) -> Contact:
    queryset = Contact.objects.for_network(request.network).filter(archived_at__isnull=True, organisation__archived_at__isnull=True)
    return get_object_or_404(queryset.select_related("organisation", "user"), pk=pk)


def _can_manage(request: NetworkRequest) -> bool:
    return request.manager_role.role_enum.can_manage


@network_required()
def index(request: NetworkRequest) -> HttpResponse:
    """Pairs of organisations and of people that may be duplicates, best first, and the latest merges."""
    network = request.network
    return render(
        request,
        "members/duplicates/index.html",
        {
            "network": network,
            "organisation_pairs": duplicates.organisation_pairs(network),
            "contact_pairs": duplicates.contact_pairs(network),
            "merges": MergeRecord.objects.filter(network=network).select_related("merged_by")[:20],
            "can_manage": _can_manage(request),
        },
    )


@network_required()
def organisation_candidates(request: NetworkRequest, pk: int) -> HttpResponse:
    """The possible duplicates of one organisation among the networks this manager runs."""
    organisation = _organisation(request, pk)
    candidates = duplicates.organisation_candidates(
        duplicates.OrganisationProbe.of(organisation), networks=Network.objects.active().managed_by(request.user), limit=25
    )
    return render(
        request,
        "members/duplicates/candidates.html",
        {"network": request.network, "organisation": organisation, "candidates": candidates, "can_manage": _can_manage(request)},
    )


def _kept_and_merged[T: (Organisation, Contact)](request: NetworkRequest, first: T, second: T) -> tuple[T, T]:
    keep = request.POST.get("keep") or request.GET.get("keep")
    return (second, first) if keep == str(second.pk) else (first, second)


def _merge_page(request: NetworkRequest, plan: merging.MergePlan, form: MergeForm, first_pk: int, second_pk: int) -> HttpResponse:
    return render(
        request,
        "members/duplicates/merge.html",
        {"network": request.network, "plan": plan, "form": form, "first_pk": first_pk, "second_pk": second_pk},
    )


@network_required(can_manage=True)
def organisation_merge(request: NetworkRequest, pk: int, other: int) -> HttpResponse:
    """GET: the preview (which record stays, whose values win, what moves); POST: the merge, all or nothing."""
    kept, merged = _kept_and_merged(request, _organisation(request, pk), _organisation(request, other))
    plan = merging.organisation_merge_plan(kept=kept, merged=merged, network=request.network, user=request.user)
    form = MergeForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and not plan.refusal and form.is_valid():
        try:
            record = merging.organisation_merge(kept=kept, merged=merged, network=request.network, by=request.user, take_from_merged=form.take_from_merged())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("„%(merged)s“ wurde mit „%(kept)s“ zusammengeführt.") % {"merged": record.merged_label, "kept": kept.name})
            return redirect("directory:organisation", network_slug=request.network.slug, pk=kept.pk)
    return _merge_page(request, plan, form, pk, other)


@network_required(can_manage=True)
def contact_merge(request: NetworkRequest, pk: int, other: int) -> HttpResponse:
    kept, merged = _kept_and_merged(request, _contact(request, pk), _contact(request, other))
    plan = merging.contact_merge_plan(kept=kept, merged=merged, network=request.network, user=request.user)
    form = MergeForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and not plan.refusal and form.is_valid():
        try:
            record = merging.contact_merge(kept=kept, merged=merged, network=request.network, by=request.user, take_from_merged=form.take_from_merged())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(merged)s wurde mit %(kept)s zusammengeführt.") % {"merged": record.merged_label, "kept": kept.full_name})
            return redirect("directory:organisation", network_slug=request.network.slug, pk=kept.organisation_id)
    return _merge_page(request, plan, form, pk, other)


def _moved_lines(record: MergeRecord) -> list[tuple[str, int, int]]:
    """(what, moved, folded) from the record's counts, keyed "app.Model.field"."""
    lines: dict[str, list[int]] = {}
    for index, part in enumerate(("moved", "folded")):
        for key, count in (record.moved.get(part) or {}).items():
            label = key
            try:
                app_label, model_name, field_name = key.split(".")
                model = apps.get_model(app_label, model_name)
                foreign_key = model._meta.get_field(field_name)
                if isinstance(foreign_key, ForeignKey):
                    label = merging.Relation(model, foreign_key).label
            except (ValueError, LookupError, FieldDoesNotExist):
                pass  # a model or field that is gone since: the stored key is shown
            lines.setdefault(label, [0, 0])[index] += count
    return [(label, counts[0], counts[1]) for label, counts in sorted(lines.items())]


@network_required()
def merge_record(request: NetworkRequest, pk: int) -> HttpResponse:
    """One merge of this network: what the merged record held, what moved, and its history before the merge."""
    record = get_object_or_404(MergeRecord.objects.filter(network=request.network).select_related("merged_by"), pk=pk)
    context: dict[str, Any] = {"network": request.network, "record": record, "moved": _moved_lines(record)}
    if record.kind == MergeRecord.Kind.ORGANISATION:
        gone = Organisation(pk=record.merged_id, name=record.merged_label)  # deleted; its history rows keep the id
        context["history"] = organisation_history(gone, Network.objects.active().managed_by(request.user), viewer_network=request.network)
        context["kept"] = Organisation.objects.for_network(request.network).filter(pk=record.kept_id).first()
    else:
        kept_contact = Contact.objects.for_network(request.network).filter(pk=record.kept_id).first()
        context["kept_contact"] = kept_contact
    context["snapshot"] = sorted((key, value) for key, value in record.snapshot.items() if value not in (None, "", [], {}))
    return render(request, "members/duplicates/merge_record.html", context)


@require_POST
@network_required(can_manage=True)
def organisation_dismiss(request: NetworkRequest, pk: int, other: int) -> HttpResponse:
    """ "keine Dublette": two of the network's organisations are different; the pair leaves the Dubletten page."""
    first, second = _organisation(request, pk), _organisation(request, other)
    if first.pk != second.pk:
        duplicates.pair_dismiss(network=request.network, kind=MergeRecord.Kind.ORGANISATION, first=first, second=second, by=request.user)
        messages.success(
            request, _("„%(first)s“ und „%(second)s“ werden nicht mehr als Dublette vorgeschlagen.") % {"first": first.name, "second": second.name}
        )
    return redirect("duplicates:index", network_slug=request.network.slug)


@require_POST
@network_required(can_manage=True)
def contact_dismiss(request: NetworkRequest, pk: int, other: int) -> HttpResponse:
    """ "keine Dublette" for two people of the network's organisations."""
    first, second = _contact(request, pk), _contact(request, other)
    if first.pk != second.pk:
        duplicates.pair_dismiss(network=request.network, kind=MergeRecord.Kind.CONTACT, first=first, second=second, by=request.user)
        messages.success(
            request, _("„%(first)s“ und „%(second)s“ werden nicht mehr als Dublette vorgeschlagen.") % {"first": first.full_name, "second": second.full_name}
        )
    return redirect("duplicates:index", network_slug=request.network.slug)
