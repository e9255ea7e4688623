"""Downloads of the qualification matrix for managers: /manage/<network_slug>/qualification/matrix/export.(xlsx|pdf)

Both take the heat map's GET parameters (see qualification/exports.py) and
answer with the file at once: the grid is three queries whatever its size and
the files are built from it in memory.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qualification import exports, matrix
from qualification.forms.programme import MatrixFilterForm
from verbund.access import NetworkRequest, network_required

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _filters(request: NetworkRequest) -> dict:
    """The heat map's filters, read by its own form: the same choices, the same values dropped."""
    return MatrixFilterForm.for_network(request.network, request.GET).values()


def _export(request: NetworkRequest, fmt: str) -> HttpResponse:
    network = request.network
    filters = _filters(request)
    grid = matrix.grid(network, **filters)
    large = len(grid.rows) * len(grid.topics) > exports.INLINE_PDF_CELLS
    if fmt == "pdf" and large and request.manager_role.role_enum.can_manage:  # the job page is for roles that may manage
        job = exports.matrix_pdf_start(network=network, user=request.user, query=dict(request.GET.lists()))
        messages.info(request, _("Die Matrix ist groß: das PDF entsteht im Hintergrund. Sie finden die Datei gleich hier."))
        return redirect("io:job_detail", network_slug=network.slug, pk=job.pk)
    build = exports.matrix_xlsx if fmt == "xlsx" else exports.matrix_pdf
    content = build(network=network, grid=grid, filters=filters, alignment=matrix.aggregate(network))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, exports.export_filename(network, fmt))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # companies' needs: not for shared caches
    return response


@require_GET
@network_required()
def matrix_xlsx(request: NetworkRequest) -> HttpResponse:
    return _export(request, "xlsx")


@require_GET
@network_required()
def matrix_pdf(request: NetworkRequest) -> HttpResponse:
    return _export(request, "pdf")
