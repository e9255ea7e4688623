"""Import and export pages of a network: /manage/<network_slug>/io/…

Upload → mapping → preview → confirm; jobs with their progress and results;
the export of the network's list. Jobs belong to the user who started them:
another manager, even of the same network, gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING

from members import imports
from members.exports import CONTENT_TYPES, export_filename, export_response
from members.forms.io import ConfirmForm, ExportForm, HeaderRowForm, MappingForm, SavedMappingForm, UploadForm
from members.forms.organisations import DirectoryFilterForm
from members.imports.mappings import import_draft_layout, import_mapping_apply, import_mapping_save, import_set_header_line
from members.models import Membership
from members.selectors import directory_memberships
from verbund.access import NetworkRequest, network_required
from verbund.background import job_enqueue
from verbund.models import BackgroundJob

PREVIEW_LIMIT = 200  # errors and duplicates listed on the preview page; the rest are counted


def _jobs(request: NetworkRequest) -> QuerySet[BackgroundJob]:
    return BackgroundJob.objects.filter(network=request.network, user=request.user)


def _import_job(request: NetworkRequest, pk: int) -> BackgroundJob:
    return get_object_or_404(_jobs(request).filter(kind=BackgroundJob.Kind.IMPORT), pk=pk)


# --- overview ---------------------------------------------------------------------


@require_GET
@network_required(can_manage=True)
def index(request: NetworkRequest) -> HttpResponse:
    """Export buttons, the way to an import, and the user's jobs in this network."""
    jobs = _jobs(request).defer("params", "errors")[:50]
    return render(request, "members/io/index.html", {"network": request.network, "jobs": jobs})


# --- import -----------------------------------------------------------------------


class _UploadLimit(FileUploadHandler):
    """Drops a file as soon as it passes the limit, so a huge upload is neither kept in memory nor on disk."""

    too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > imports.MAX_UPLOAD_BYTES:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body; csrf_protect below
@require_http_methods(["GET", "POST"])
@network_required(can_manage=True)
def import_upload(request: NetworkRequest) -> HttpResponse:
    limit = _UploadLimit(request)
    try:
        request.upload_handlers.insert(0, limit)
    except AttributeError:  # the body was read already; the form's size check still applies
        pass
    return _import_upload(request, limit)


@csrf_protect
def _import_upload(request: NetworkRequest, limit: _UploadLimit) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, too_large=limit.too_large)
        if form.is_valid():
            assert form.table is not None
            job = imports.import_draft_create(network=request.network, by=request.user, table=form.table, filename=form.cleaned_data["file"].name)
            import_draft_layout(job=job, table=form.table)  # the header candidates, and a saved mapping that fits
            return redirect("io:import_mapping", network_slug=request.network.slug, pk=job.pk)
    else:
        form = UploadForm()
    return render(request, "members/io/upload.html", {"network": request.network, "form": form})


@require_http_methods(["GET", "POST"])
@network_required(can_manage=True)
def import_mapping(request: NetworkRequest, pk: int) -> HttpResponse:
    """Which column fills which field. The same page chooses the header row and applies a saved mapping (`action`)."""
    job = _import_job(request, pk)
    slug = request.network.slug
    if not imports.is_draft(job):
        return redirect("io:job_detail", network_slug=slug, pk=job.pk)
    params = job.params
    top, top_lines = params.get("top") or [], params.get("top_lines") or []
    action = request.POST.get("action", "map") if request.method == "POST" else ""
    header_form = HeaderRowForm(top=top, top_lines=top_lines, initial={"header_line": params.get("header_line", 1)})
    saved_form = SavedMappingForm(network=request.network)
    form = None
    if action == "header" and top:
        header_form = HeaderRowForm(request.POST, top=top, top_lines=top_lines)
        if header_form.is_valid():
            line = header_form.cleaned_data["header_line"]
            try:
                import_set_header_line(job=job, header_line=line)
            except ValidationError as exc:
                header_form.add_error("header_line", exc)
            else:
                messages.success(request, _("Die Spaltenüberschriften stehen jetzt in Zeile %(line)s.") % {"line": line})
                return redirect("io:import_mapping", network_slug=slug, pk=job.pk)
    elif action == "saved":
        saved_form = SavedMappingForm(request.POST, network=request.network)
        if saved_form.is_valid():
            saved = saved_form.cleaned_data["saved"]
            import_mapping_apply(job=job, saved=saved)
            messages.success(request, _("Die gespeicherte Zuordnung „%(name)s“ ist angewendet.") % {"name": saved.name})
            return redirect("io:import_mapping", network_slug=slug, pk=job.pk)
    elif action:
        form = MappingForm(request.POST, header=params["header"])
        if form.is_valid():
            imports.import_set_mapping(job=job, mapping=form.mapping())
            if name := form.cleaned_data["save_as"]:
                saved = import_mapping_save(
                    network=request.network,
                    by=request.user,
                    name=name,
                    header=params["header"],
                    header_row=params.get("header_line", 1),
                    mapping=form.mapping(),
                )
                messages.success(request, _("Die Zuordnung ist unter „%(name)s“ gespeichert.") % {"name": saved.name})
            return redirect("io:import_preview", network_slug=slug, pk=job.pk)
    header = params["header"]
    if form is None:
        form = MappingForm(header=header, initial=MappingForm.initial_from(params.get("mapping", {})))
    mapped = {index for index in range(len(header)) if form[f"col_{index}"].value()}
    untitled = set(params.get("untitled", []))
    context = {
        "network": request.network,
        "job": job,
        "form": form,
        "header_form": header_form if len(top_lines) > 1 else None,
        "saved_form": saved_form if saved_form.fields["saved"].queryset.exists() else None,  # type: ignore[attr-defined]  # a ModelChoiceField
        "saved_name": params.get("saved_mapping", ""),
        "header_line": params.get("header_line", 1),
        "columns": [(form[f"col_{index}"], [row[index] for row in params["rows"][:3]]) for index in range(len(header))],
        "dropped": [(heading, index in untitled) for index, heading in enumerate(header) if index not in mapped],
        "name_found": "name" in params.get("mapping", {}),
        "row_count": len(params["rows"]),
    }
    return render(request, "members/io/mapping.html", context)


@require_GET
@network_required(can_manage=True)
def import_preview(request: NetworkRequest, pk: int) -> HttpResponse:
    """What the import would do, row by row: errors block it, duplicates are shown with what happens to them."""
    job = _import_job(request, pk)
    if not imports.is_draft(job):
        return redirect("io:job_detail", network_slug=request.network.slug, pk=job.pk)
    if "name" not in job.params.get("mapping", {}):
        return redirect("io:import_mapping", network_slug=request.network.slug, pk=job.pk)
    choice = request.GET.get("existing")
    if choice not in (imports.EXISTING_ADD_CONTACT, imports.EXISTING_SKIP):
        choice = job.params.get("existing", imports.EXISTING_ADD_CONTACT)
    form = ConfirmForm(initial={"existing": choice})
    plan = imports.job_plan(job, existing=choice)
    errors, duplicates = plan.errors, plan.duplicates
    context = {
        "network": request.network,
        "job": job,
        "plan": plan,
        "form": form,
        "existing": choice,
        "errors": errors[:PREVIEW_LIMIT],
        "more_errors": max(0, len(errors) - PREVIEW_LIMIT),
        "error_count": len(errors),
        "error_rows": len({e.line for e in errors}),
        "duplicates": duplicates[:PREVIEW_LIMIT],
        "more_duplicates": max(0, len(duplicates) - PREVIEW_LIMIT),
        "sample": [row for row in plan.rows if row.organisation_action == "create" and not row.errors][:20],
        "background": len(plan.rows) > imports.INLINE_IMPORT_ROWS,
        "valid_rows": sum(1 for row in plan.rows if not row.errors),
        # A membership without a join date in the file stays without one ("Eintritt unbekannt"), never "today".
        "unknown_joined": sum(1 for row in plan.rows if row.organisation_action == "create" and not row.errors and not row.membership.get("joined_on")),
    }
    return render(request, "members/io/preview.html", context)


@require_POST
@network_required(can_manage=True)
def import_confirm(request: NetworkRequest, pk: int) -> HttpResponse:
    """Start the import. Up to INLINE_IMPORT_ROWS rows are checked and written right away, more in the background.

    A large file is not planned again here (seconds at 50,000 rows): the job plans before it writes
    and ends FAILED, writing nothing, when the rows have errors the confirmation did not accept.
    """
    job = _import_job(request, pk)
    slug = request.network.slug
    if not imports.is_draft(job):  # a double submit: the first one is already on its way
        return redirect("io:job_detail", network_slug=slug, pk=job.pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie, was mit vorhandenen Organisationen geschehen soll."))
        return redirect("io:import_preview", network_slug=slug, pk=job.pk)
    existing, valid_only = form.cleaned_data["existing"], form.cleaned_data["valid_only"]
    inline = len(job.params["rows"]) <= imports.INLINE_IMPORT_ROWS
    if inline:
        plan = imports.job_plan(job, existing=existing)
        if plan.errors and not valid_only:
            messages.error(request, _("Die Datei enthält noch Fehler. Es wurde nichts importiert."))
            return redirect("io:import_preview", network_slug=slug, pk=job.pk)
        if all(row.errors for row in plan.rows):
            messages.error(request, _("Keine Zeile ist fehlerfrei. Es wurde nichts importiert."))
            return redirect("io:import_preview", network_slug=slug, pk=job.pk)
    if not imports.import_confirm(job=job, existing=existing, valid_only=valid_only):
        return redirect("io:job_detail", network_slug=slug, pk=job.pk)
    if inline:
        imports.import_run(job_id=job.pk)
    else:
        job_enqueue(job)
        messages.info(request, _("Der Import läuft im Hintergrund. Diese Seite zeigt den Fortschritt."))
    return redirect("io:job_detail", network_slug=slug, pk=job.pk)


@require_POST
@network_required(can_manage=True)
def import_cancel(request: NetworkRequest, pk: int) -> HttpResponse:
    job = _import_job(request, pk)
    if imports.is_draft(job):
        imports.import_discard(job=job)
        messages.success(request, _("Der Import wurde verworfen. Es wurde nichts gespeichert."))
        return redirect("io:import_upload", network_slug=request.network.slug)
    return redirect("io:job_detail", network_slug=request.network.slug, pk=job.pk)


# --- jobs ---------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
@network_required(can_manage=True)
def job_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    """A job's progress and result. htmx polls the progress part; 286 stops the polling once the job has ended.

    A finished import lists its batch: the organisations it created and the contacts it added to
    organisations the network had, paginated, with the way to undo it.
    """
    # Polled every second: the uploaded rows in `params` (up to megabytes) stay in the database.
    job = get_object_or_404(_jobs(request).defer("params"), pk=pk)
    is_draft = (
        job.kind == BackgroundJob.Kind.IMPORT and job.status == BackgroundJob.Status.PENDING and _jobs(request).filter(pk=pk, params__confirmed=False).exists()
    )
    finished = BackgroundJob.Status(job.status).is_finished
    done = imports.job_progress(job)
    context: dict[str, Any] = {
        "network": request.network,
        "job": job,
        "is_draft": is_draft,
        "finished": finished,
        "done": done,
        "percent": 100 if job.status == BackgroundJob.Status.DONE else (int(done * 100 / job.total) if job.total else 0),
    }
    if finished:
        job.refresh_from_db(fields=["params"])  # small once the job has ended: the uploaded rows are gone
        if job.kind == BackgroundJob.Kind.IMPORT and job.status == BackgroundJob.Status.DONE:
            context |= _batch_context(request, job)
    if request.htmx:
        response = render(request, "members/io/job_detail.html#job-progress", context)
        if finished:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "members/io/job_detail.html", context)


BATCH_PAGE_SIZE = 50


def _batch_context(request: NetworkRequest, job: BackgroundJob) -> dict[str, Any]:
    undone_on = imports.undone_on(job)
    deadline = imports.undo_deadline(job)
    return {
        "batch": True,
        "created": Paginator(imports.batch_memberships(job), BATCH_PAGE_SIZE).get_page(request.GET.get("page")),
        "added": Paginator(imports.batch_added_contacts(job), BATCH_PAGE_SIZE).get_page(request.GET.get("contacts_page")),
        "undone_on": undone_on,
        "undo_until": deadline,
        "can_undo": undone_on is None and timezone.now() <= deadline,
        "undo_days": imports.UNDO_DAYS,
        "rejected_file_deleted": bool(job.params.get("result_filename")) and not job.result_file,
    }


@require_http_methods(["GET", "POST"])
@network_required(can_manage=True)
def import_undo(request: NetworkRequest, pk: int) -> HttpResponse:
    """ "Import rückgängig machen": a confirmation page with counts and what stays; the POST moves the batch to the trash."""
    job = _import_job(request, pk)
    slug = request.network.slug
    if request.method == "POST":
        plan = imports.import_undo(job=job, by=request.user)
        if plan.refusal:
            messages.error(request, plan.refusal)
        else:
            messages.success(
                request,
                _("%(memberships)s Organisationen und %(contacts)s Kontaktpersonen des Imports liegen jetzt im Papierkorb (%(days)s Tage wiederherstellbar).")
                % {"memberships": len(plan.memberships), "contacts": len(plan.contacts), "days": imports.UNDO_DAYS},
            )
            if plan.blocked_count:
                messages.warning(request, _("%(n)s Einträge sind geblieben, weil inzwischen anderes von ihnen abhängt.") % {"n": plan.blocked_count})
        return redirect("io:job_detail", network_slug=slug, pk=job.pk)
    plan = imports.import_undo_plan(job)
    context = {"network": request.network, "job": job, "plan": plan, "more_blocked": max(0, plan.blocked_count - len(plan.blocked)), "days": imports.UNDO_DAYS}
    return render(request, "members/io/undo.html", context)


@require_GET
@network_required(can_manage=True)
def job_download(request: NetworkRequest, pk: int) -> FileResponse:
    """The file of a finished job, always as an attachment: an export, or the rows an import left out."""
    job = get_object_or_404(_jobs(request).filter(status=BackgroundJob.Status.DONE).exclude(result_file=""), pk=pk)
    if job.kind == BackgroundJob.Kind.IMPORT:
        fmt, filename = "xlsx", job.params.get("result_filename") or "import.xlsx"
    else:
        fmt = job.params.get("format", "xlsx")
        filename = job.params.get("filename") or f"export.{fmt}"
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES.get(fmt))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- export --------------------------------------------------------------------------


def export_queryset(request: NetworkRequest) -> QuerySet[Membership]:
    """Exactly the directory's current list: the same filter parameters, the same order."""

    form = DirectoryFilterForm(request.GET, network=request.network, user=request.user)
    return directory_memberships(request.network, form.to_filter())


@require_GET
@network_required(can_manage=True)
def export(request: NetworkRequest) -> HttpResponse:
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Unbekanntes Format. Bitte wählen Sie Excel oder CSV."))
        return redirect("io:index", network_slug=request.network.slug)
    fmt = form.fmt()
    return export_response(request=request, queryset=export_queryset(request), fmt=fmt, filename=export_filename(request.network.slug, fmt))
