"""Meeting documents as PDFs: the participant list for signing and the meeting documentation.

Rendered in a Celery worker from the project's templates through verbund/pdf.py
(the one WeasyPrint call site, its URL fetcher reaches only static files), as
tagged PDF/UA-1. A document row keeps the hash of its inputs: unchanged inputs
reuse the file, changed ones render again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader, PdfWriter, Transformation

from events.models import (
    ACTION_ITEM_FIELDS,
    AGENDA_ITEM_FIELDS,
    ATTACHMENT_FIELDS,
    MEETING_FIELDS,
    MINUTE_FIELDS,
    Meeting,
    MeetingAttachment,
    MeetingDocument,
    Registration,
)
from verbund.background import enqueue_on_commit
from verbund.models import FundingSource
from verbund.pdf import render_pdf

logger = logging.getLogger(__name__)

TEMPLATES: dict[str, str] = {
    MeetingDocument.Kind.PARTICIPANT_LIST: "events/pdf/participant_list.html",
    MeetingDocument.Kind.DOCUMENTATION: "events/pdf/documentation.html",
}


def _participants(meeting: Meeting) -> list[Registration]:
    return list(
        meeting.registrations.filter(status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED])
        .select_related("contact__organisation")
        .order_by("contact__last_name", "guest_name", "pk")
    )


PHOTO_EDGE_IN_PDF = 1200  # pixels: sharp in print at the size shown, small enough for a mail attachment


def _funders(meeting: Meeting) -> list[FundingSource]:
    """Funders of the meeting's year with a logo, for the funding line (one per funder)."""
    seen: dict[str, FundingSource] = {}
    for source in FundingSource.objects.filter(network=meeting.network, year=meeting.starts_at.year).exclude(logo="").order_by("pk"):
        seen.setdefault(source.funder or source.name or str(source.pk), source)
    return list(seen.values())


def _data_url(field, *, edge: int | None = None) -> str:
    """A stored image (re-encoded at upload, so trusted) as a data: URL; the PDF fetcher reaches nothing else."""

    with field.open("rb") as handle:
        data = handle.read()
    if edge is not None:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > edge:
                image.thumbnail((edge, edge))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=82)
                data = out.getvalue()
    kind = "png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def _slide_decks(meeting: Meeting) -> list[dict]:
    """Slide and document PDFs for the documentation, each with one placeholder page per PDF page."""

    decks = []
    for attachment in meeting.attachments.filter(in_documentation=True).exclude(kind=MeetingAttachment.Kind.PHOTO).select_related("agenda_item"):
        with attachment.file.open("rb") as handle:
            pages = len(PdfReader(io.BytesIO(handle.read())).pages)
        decks.append({"attachment": attachment, "slots": [f"slot-{attachment.pk}-{n}" for n in range(pages)]})
    return decks


def document_context(meeting: Meeting, kind: str) -> dict:
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "participants": _participants(meeting),
        "funders": [(source, _data_url(source.logo, edge=400)) for source in _funders(meeting)],
    }
    if kind == MeetingDocument.Kind.DOCUMENTATION:
        photos = [a for a in meeting.attachments.filter(kind=MeetingAttachment.Kind.PHOTO) if a.publishable]
        context |= {
            "agenda": list(meeting.agenda_items.all()),
            "talks": [item for item in meeting.agenda_items.all() if item.kind == "talk"],
            "minutes": list(meeting.minutes.select_related("agenda_item")),
            "action_items": list(meeting.action_items.select_related("owner__organisation")),
            "photos": [(photo, _data_url(photo.file, edge=PHOTO_EDGE_IN_PDF)) for photo in photos],
            "slide_decks": _slide_decks(meeting),
        }
    return context


def _place_slides(pdf: bytes, decks: list[dict], anchor_pages: dict[str, int]) -> bytes:
    """Draw each slide page, scaled to fit, onto the placeholder page the layout reserved for it.

    The placeholders carry the page footer ("Seite x von y"), so numbering and the
    contents stay right; the documentation keeps its structure and gains the slides.
    """

    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for deck in decks:
        with deck["attachment"].file.open("rb") as handle:
            slides = PdfReader(io.BytesIO(handle.read()))
        for slot, slide in zip(deck["slots"], slides.pages, strict=False):
            index = anchor_pages.get(slot)
            if index is None:
                continue
            target = writer.pages[index]
            box_w = float(target.mediabox.width) - 2 * 51  # 18 mm margins
            box_h = float(target.mediabox.height) - 57 - 62 - 40  # top/bottom margins and the heading line
            slide_w, slide_h = float(slide.mediabox.width), float(slide.mediabox.height)
            scale = min(box_w / slide_w, box_h / slide_h)
            x = (float(target.mediabox.width) - slide_w * scale) / 2 - float(slide.mediabox.left) * scale
            y = 62 + (box_h - slide_h * scale) / 2 - float(slide.mediabox.bottom) * scale
            target.merge_transformed_page(slide, Transformation().scale(scale).translate(x, y))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def inputs_hash(meeting: Meeting, kind: str) -> str:
    """Everything that shows in the document, hashed: the same hash means the stored file is still right."""
    data: dict[str, Any] = {
        "kind": kind,
        "meeting": MEETING_FIELDS.fingerprint(meeting),
        "network": meeting.network.name,
        "participants": [(r.pk, r.display_name, r.organisation_name, r.consent_participant_list) for r in _participants(meeting)],
        "funding": [meeting.network.funding_note, [(f.pk, f.funder, f.logo.name) for f in _funders(meeting)]],
    }
    if kind == MeetingDocument.Kind.DOCUMENTATION:
        # Every editable field of what the documentation shows (the field sets), plus the order and state services set.
        data["agenda"] = [(i.pk, i.position, AGENDA_ITEM_FIELDS.fingerprint(i)) for i in meeting.agenda_items.all()]
        data["minutes"] = [(m.pk, m.position, MINUTE_FIELDS.fingerprint(m)) for m in meeting.minutes.all()]
        data["actions"] = [(a.pk, a.done_at, ACTION_ITEM_FIELDS.fingerprint(a)) for a in meeting.action_items.all()]
        data["attachments"] = [(a.pk, a.kind, a.file.name, a.position, ATTACHMENT_FIELDS.fingerprint(a)) for a in meeting.attachments.all()]
    return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()


def document_request(*, meeting: Meeting, kind: str) -> MeetingDocument:
    """Make sure a current document exists or is on its way. Enqueues rendering only when needed."""
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
        enqueue_on_commit("events.tasks.render_document_task", document_id)
    return document


def document_render(*, document_id: int) -> None:
    """Claim a pending document and render it. A redelivered task finds it claimed or done and does nothing."""
    if not MeetingDocument.objects.filter(pk=document_id, status=MeetingDocument.Status.PENDING).update(status=MeetingDocument.Status.RENDERING):
        return
    document = MeetingDocument.objects.select_related("meeting__network").get(pk=document_id)
    try:
        with translation.override("de"):
            context = document_context(document.meeting, document.kind)
            html = render_to_string(TEMPLATES[document.kind], context)
            anchor_pages: dict[str, int] = {}
            pdf = render_pdf(html=html, pdf_variant="pdf/ua-1", anchor_pages=anchor_pages)
            if context.get("slide_decks"):
                pdf = _place_slides(pdf, context["slide_decks"], anchor_pages)
    except Exception as exc:  # WeasyPrint raises many types; the row records the failure
        logger.exception("Rendering document %s failed", document_id)
        MeetingDocument.objects.filter(pk=document_id).update(status=MeetingDocument.Status.FAILED, error=str(exc)[:2000])
        return
    old = document.file.name
    document.file.save(f"{document.kind}-{document.meeting_id}.pdf", ContentFile(pdf), save=False)
    MeetingDocument.objects.filter(pk=document_id).update(status=MeetingDocument.Status.DONE, file=document.file.name, rendered_at=timezone.now())
    if old and old != document.file.name:
        document.file.storage.delete(old)
