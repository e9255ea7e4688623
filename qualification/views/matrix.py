"""The qualification matrix for managers: the heat map and its cells. /manage/<network_slug>/qualification/matrix/…

A cell's editor opens with htmx as a table row right below the cell (static/js/matrix.js); a save swaps the cell and
its totals in place. Without JavaScript each cell is a page of its own. Reading is open to every role of the network,
writing needs a role that may manage (403 otherwise); an organisation or topic of another network is a 404.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from members.models import Organisation
from qualification import heatmap, matrix
from qualification.forms.programme import MatrixFilterForm, NeedForm
from qualification.models import NEED_FIELDS, Need, Topic
from verbund.access import NetworkRequest, network_required


def _can_manage(request: NetworkRequest) -> bool:
    return request.manager_role.role_enum.can_manage


@vary_on_headers("HX-Request")
@network_required()
def matrix_view(request: NetworkRequest) -> HttpResponse:
    """The heat map: organisations × topics, cells by priority (colour and text), totals per row and column."""
    network = request.network
    filters = MatrixFilterForm.for_network(network, request.GET)
    grid = matrix.grid(network, **filters.values())
    context = {
        "network": network,
        "grid": grid,
        "columns": list(zip(grid.topics, grid.column_needs, grid.column_heads, strict=True)),
        "filters": filters,
        "can_manage": _can_manage(request),
        "rows": list(zip(grid.rows, heatmap.row_cells(grid, reverse("qualification:matrix", args=[network.slug])), strict=True)),
        "query": request.GET.urlencode(),
    }
    if request.htmx and request.htmx.target == "matrix-results":
        return render(request, "qualification/matrix.html#results", context)
    return render(request, "qualification/matrix.html", context)


def _cell_context(request: NetworkRequest, organisation_pk: int, topic_pk: int):
    network = request.network
    organisation = get_object_or_404(
        Organisation.objects.current_members_of(network),
        pk=organisation_pk,
    )
    topic = get_object_or_404(Topic, network=network, archived_at__isnull=True, pk=topic_pk)
    need = Need.objects.filter(network=network, organisation=organisation, topic=topic).first()
    return organisation, topic, need


def _cell_saved(request: NetworkRequest, organisation: Organisation, topic: Topic, need: Need) -> HttpResponse:
    """After a save in the heat map's editor: the cell, its row's and column's totals swapped in place (htmx out of band).

    The totals follow the filters of the page the editor is on (htmx sends its address); the editor closes and the
    focus goes back to the cell's link (static/js/matrix.js, on the event "cell-saved").
    """
    network = request.network
    page_query = urlsplit(request.htmx.current_url or "").query
    values = MatrixFilterForm.for_network(network, QueryDict(page_query)).values()
    values["only_with_need"] = False  # a row without needs adds nothing to a total; the saved row stays until the next filter
    grid = matrix.grid(network, **values)
    row = next((r for r in grid.rows if r.organisation.pk == organisation.pk), None)
    column = next(((t, grid.column_needs[i], grid.column_heads[i]) for i, t in enumerate(grid.topics) if t.pk == topic.pk), None)
    response = render(
        request,
        "qualification/_cell_saved.html",
        {
            "network": network,
            "organisation": organisation,
            "topic": topic,
            "need": need,
            "cell": heatmap.cell_oob(reverse("qualification:matrix", args=[network.slug]), organisation.pk, topic.pk, need),
            "row": row,
            "column": column,
            "grid": grid,
        },
    )
    response["HX-Reswap"] = "none"  # only the out-of-band parts; the editor row is closed by the script
    response["HX-Trigger-After-Swap"] = json.dumps({"cell-saved": {"cell": f"cell-{organisation.pk}-{topic.pk}"}})
    return response


@vary_on_headers("HX-Request")
@network_required()
def cell(request: NetworkRequest, organisation_pk: int, topic_pk: int) -> HttpResponse:
    """One cell: GET shows its form (with htmx in a row right below the cell, as a page without), POST saves it."""
    organisation, topic, need = _cell_context(request, organisation_pk, topic_pk)
    back = reverse("qualification:matrix", args=[request.network.slug]) + f"#cell-{organisation.pk}-{topic.pk}"
    form = NeedForm(instance=need or Need(priority=Need.Priority.NONE))
    status = 200
    if request.method == "POST":
        if not _can_manage(request):
            raise PermissionDenied
        form = NeedForm(request.POST, instance=need or Need(network=request.network, organisation=organisation, topic=topic))
        if form.is_valid():
            try:
                need = matrix.need_save(
                    network=request.network,
                    organisation=organisation,
                    topic=topic,
                    by=request.user,
                    data={name: form.cleaned_data[name] for name in NEED_FIELDS.names},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if request.htmx:
                    return _cell_saved(request, organisation, topic, need)
                messages.success(request, _("Bedarf von %(org)s zu „%(topic)s“ gespeichert.") % {"org": organisation.name, "topic": topic.title})
                return redirect(back)
        status = 400
    context = {
        "network": request.network,
        "organisation": organisation,
        "topic": topic,
        "form": form,
        "back": back,
        "can_manage": _can_manage(request),
        "action": reverse("qualification:cell", args=[request.network.slug, organisation.pk, topic.pk]),
        "cell_id": f"cell-{organisation.pk}-{topic.pk}",
        "columns": Topic.objects.filter(network=request.network, archived_at__isnull=True).count() + 3,
    }
    if request.htmx and request.method == "POST":  # a refused save: the form again, in the open editor
        return render(request, "qualification/_cell_form.html", context, status=status)
    if request.htmx:  # the editor as a table row, inserted by htmx right below the cell's row
        return render(request, "qualification/_cell_editor_row.html", context, status=status)
    return render(request, "qualification/cell.html", context, status=status)
