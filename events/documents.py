"""Meeting documents as PDFs: the participant list for signing and the meeting documentation.

Rendered in a Celery worker from the project's templates through verbund/pdf.py
(the one WeasyPrint call site, its URL fetcher reaches only static files), as
tagged PDF/UA-1. A document row keeps the hash of its inputs: unchanged inputs
reuse the file, changed ones render again.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.models import Meeting, MeetingDocument, Registration
from verbund.pdf import render_pdf

logger = logging.getLogger(__name__)

TEMPLATES = {
    MeetingDocument.Kind.PARTICIPANT_LIST: "events/pdf/participant_list.html",
    MeetingDocument.Kind.DOCUMENTATION: "events/pdf/documentation.html",
}


def _participants(meeting: Meeting) -> list[Registration]:
    return list(
        meeting.registrations.filter(status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED])
        .select_related("contact__organisation")
        .order_by("contact__last_name", "guest_name", "pk")
    )


def document_context(meeting: Meeting, kind: str) -> dict:
    context = {"meeting": meeting, "network": meeting.network, "participants": _participants(meeting)}
    if kind == MeetingDocument.Kind.DOCUMENTATION:
        context |= {
            "agenda": list(meeting.agenda_items.all()),
            "talks": [item for item in meeting.agenda_items.all() if item.kind == "talk"],
            "minutes": list(meeting.minutes.select_related("agenda_item")),
            "action_items": list(meeting.action_items.select_related("owner__organisation")),
        }
    return context


def inputs_hash(meeting: Meeting, kind: str) -> str:
    """Everything that shows in the document, hashed: the same hash means the stored file is still right."""
    data = {
        "kind": kind,
        "meeting": [meeting.title, meeting.kind, meeting.starts_at.isoformat(), meeting.ends_at.isoformat(), meeting.venue_name,
                    meeting.venue_address, meeting.room, meeting.description, meeting.network.name],
        "participants": [(r.pk, r.display_name, r.organisation_name, r.consent_participant_list) for r in _participants(meeting)],
    }
    if kind == MeetingDocument.Kind.DOCUMENTATION:
        data["agenda"] = list(meeting.agenda_items.values_list("pk", "starts_at", "ends_at", "kind", "title", "speaker", "speaker_organisation", "summary"))
        data["minutes"] = list(meeting.minutes.values_list("pk", "kind", "text", "agenda_item_id"))
        data["actions"] = list(meeting.action_items.values_list("pk", "title", "due_on", "done_at", "owner_id"))
    return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()


def document_request(*, meeting: Meeting, kind: str) -> MeetingDocument:
    """Make sure a current document exists or is on its way. Enqueues rendering only when needed."""
    from events.tasks import render_document_task

    wanted = inputs_hash(meeting, kind)
    with transaction.atomic():
        document, _created = MeetingDocument.objects.select_for_update().get_or_create(meeting=meeting, kind=kind)
        if document.status == MeetingDocument.Status.DONE and document.input_hash == wanted and document.file:
            return document
        if document.status in {MeetingDocument.Status.PENDING, MeetingDocument.Status.RENDERING} and document.input_hash == wanted:
            return document
        document.status = MeetingDocument.Status.PENDING
        document.input_hash = wanted
        document.error = ""
        document.save(update_fields=["status", "input_hash", "error", "requested_at"])
        document_id = document.pk
        transaction.on_commit(lambda: render_document_task.delay(document_id))
    return document


def document_render(*, document_id: int) -> None:
    """Claim a pending document and render it. A redelivered task finds it claimed or done and does nothing."""
    if not MeetingDocument.objects.filter(pk=document_id, status=MeetingDocument.Status.PENDING).update(status=MeetingDocument.Status.RENDERING):
        return
    document = MeetingDocument.objects.select_related("meeting__network").get(pk=document_id)
    try:
        with translation.override("de"):
            html = render_to_string(TEMPLATES[document.kind], document_context(document.meeting, document.kind))
            pdf = render_pdf(html=html, pdf_variant="pdf/ua-1")
    except Exception as exc:  # WeasyPrint raises many types; the row records the failure
        logger.exception("Rendering document %s failed", document_id)
        MeetingDocument.objects.filter(pk=document_id).update(status=MeetingDocument.Status.FAILED, error=str(exc)[:2000])
        return
    old = document.file.name
    document.file.save(f"{document.kind}-{document.meeting_id}.pdf", ContentFile(pdf), save=False)
    MeetingDocument.objects.filter(pk=document_id).update(status=MeetingDocument.Status.DONE, file=document.file.name, rendered_at=timezone.now())
    if old and old != document.file.name:
        document.file.storage.delete(old)
