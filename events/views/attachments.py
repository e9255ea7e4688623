"""A meeting's attachments (slides, photos, documents) and talk summaries: /manage/<network_slug>/meetings/<pk>/…

Files are never served from MEDIA_URL: every download goes through these views,
scoped by `Meeting.objects.for_network(request.network)`, as an attachment with
`nosniff` (thumbnails, re-encoded by us, inline).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import attachments as services
from events.documents import documentation_settings as settings_of
from events.forms.attachments import (
    AttachmentEditForm,
    AttachmentUploadForm,
    DocumentationSettingsForm,
    SummaryForm,
)
from events.models import AgendaItem, Meeting, MeetingAttachment
from events.views.meeting_page import meeting_page, tab_url
from verbund import flash
from verbund.access import NetworkRequest, network_required
from verbund.forms import LogoForm
from verbund.uploads import serve_stored_file


def _meeting(request: NetworkRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.for_network(request.network).select_related("network"), pk=pk)


def _attachment(request: NetworkRequest, pk: int, attachment_pk: int) -> MeetingAttachment:
    meeting = _meeting(request, pk)
    return get_object_or_404(meeting.attachments.select_related("meeting", "agenda_item"), pk=attachment_pk)


@network_required()
def attachments(request: NetworkRequest, pk: int) -> HttpResponse:
    """GET shows the meeting page's Dateien tab (this address is kept for links and the upload); POST (managers only) uploads one."""
    meeting = _meeting(request, pk)
    if request.method != "POST":
        return meeting_page(request, meeting, "files")
    if not request.manager_role.role_enum.can_manage:
        raise PermissionDenied
    form = AttachmentUploadForm(request.POST, request.FILES, meeting=meeting)
    if not form.is_valid():
        return meeting_page(request, meeting, "files", status=400, upload_form=form)
    data = form.cleaned_data
    try:
        attachment = services.attachment_add(
            meeting=meeting,
            by=request.user,
            kind=data["kind"],
            upload=data["file"],
            title=data["title"],
            agenda_item=data["agenda_item"],
            people_shown=data["people_shown"] or MeetingAttachment.PeopleShown.UNCLEAR,
        )
    except ValidationError as exc:
        form.add_error("file", exc)
        return meeting_page(request, meeting, "files", status=400, upload_form=form)
    messages.success(request, _("„%(title)s“ hochgeladen.") % {"title": attachment.title})
    return redirect(tab_url(meeting, "files"))


@require_POST
@network_required(can_manage=True)
def attachment_edit(request: NetworkRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = _attachment(request, pk, attachment_pk)
    form = AttachmentEditForm(request.POST, instance=attachment, auto_id=f"att{attachment.pk}_%s")
    if form.is_valid():
        try:
            services.attachment_update(attachment=attachment, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
    return redirect(tab_url(attachment.meeting, "files"))


@require_POST
@network_required(can_manage=True)
def attachment_delete(request: NetworkRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = _attachment(request, pk, attachment_pk)
    title = attachment.title
    services.attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("„%(title)s“ gelöscht.") % {"title": title})
    return redirect(tab_url(attachment.meeting, "files"))


@network_required()
def attachment_download(request: NetworkRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = _attachment(request, pk, attachment_pk)
    assert attachment.file.name is not None  # a stored row's file name is a string
    extension = attachment.file.name.rsplit(".", 1)[-1]
    return serve_stored_file(
        attachment.file, filename=f"{attachment.meeting_id}-{attachment.pk}.{extension}", content_type=attachment.content_type, inline=False
    )


@network_required()
def attachment_thumbnail(request: NetworkRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = _attachment(request, pk, attachment_pk)
    if attachment.kind != MeetingAttachment.Kind.PHOTO:
        raise Http404
    extension = attachment.thumbnail.name.rsplit(".", 1)[-1] if attachment.thumbnail.name else "jpg"
    return serve_stored_file(attachment.thumbnail, filename=f"thumb-{attachment.pk}.{extension}", content_type=attachment.content_type, inline=True)


@network_required(can_manage=True)
def agenda_summary(request: NetworkRequest, pk: int, item_pk: int) -> HttpResponse:
    """A programme item's summary, its chapter in the documentation, written in Markdown with a preview.

    Arrival, break and end have no chapter (AgendaItem.takes_summary): for them there is no form (404).
    """
    meeting = _meeting(request, pk)
    item: AgendaItem = get_object_or_404(meeting.agenda_items, pk=item_pk)
    if not item.takes_summary:
        raise Http404
    form = SummaryForm(request.POST or None, initial={"summary": item.summary})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if "preview" not in request.POST:
                services.agenda_summary_save(item=item, by=request.user, summary=form.cleaned_data["summary"])
                messages.success(request, _("Zusammenfassung gespeichert."))
                return redirect(tab_url(meeting, "programme", "agenda"))
        else:
            status = 400
    preview = form.cleaned_data.get("summary", "") if form.is_bound and form.is_valid() else item.summary
    return render(
        request,
        "events/agenda_summary.html",
        {"network": request.network, "meeting": meeting, "item": item, "form": form, "preview": preview},
        status=status,
    )


def _documentation_page(request: NetworkRequest, meeting: Meeting, form: DocumentationSettingsForm, logo_form: LogoForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "events/documentation_settings.html",
        {
            "network": request.network,
            "meeting": meeting,
            "form": form,
            "logo_form": logo_form,
            "logos": meeting.logos.all(),
            "network_logos": request.network.logos.all(),
            "can_manage": request.manager_role.role_enum.can_manage,
        },
        status=status,
    )


@network_required()
def documentation_settings(request: NetworkRequest, pk: int) -> HttpResponse:
    """How the meeting's documentation is put together: slides, publication date, imprint and logos over the network's."""
    meeting = _meeting(request, pk)
    form = DocumentationSettingsForm(request.POST or None, instance=settings_of(meeting))
    if request.method == "POST":
        if not request.manager_role.role_enum.can_manage:
            raise PermissionDenied
        if not form.is_valid():
            return _documentation_page(request, meeting, form, LogoForm(), status=400)
        services.documentation_settings_update(meeting=meeting, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Einstellungen der Dokumentation gespeichert."))
        return redirect("events:documentation_settings", network_slug=request.network.slug, pk=meeting.pk)
    return _documentation_page(request, meeting, form, LogoForm())


@require_POST
@network_required(can_manage=True)
def meeting_logo_upload(request: NetworkRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        image = data.pop("logo_upload")
        try:
            services.meeting_logo_add(meeting=meeting, by=request.user, data=data, image=image)
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.errors:
        return _documentation_page(request, meeting, DocumentationSettingsForm(instance=settings_of(meeting)), form, status=400)
    messages.success(request, _("Logo hinzugefügt."))
    return redirect("events:documentation_settings", network_slug=request.network.slug, pk=meeting.pk)


@require_POST
@network_required(can_manage=True)
def meeting_logo_remove(request: NetworkRequest, pk: int, logo_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    logo = get_object_or_404(meeting.logos, pk=logo_pk)
    services.meeting_logo_delete(logo=logo, by=request.user)
    messages.success(request, _("Logo entfernt."))
    return redirect("events:documentation_settings", network_slug=request.network.slug, pk=meeting.pk)
