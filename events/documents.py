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
from contextlib import ExitStack
from typing import Any

import pikepdf
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

from events.models import (
    ACTION_ITEM_FIELDS,
    AGENDA_ITEM_FIELDS,
    ATTACHMENT_FIELDS,
    DOCUMENTATION_SETTINGS_FIELDS,
    MEETING_FIELDS,
    MINUTE_FIELDS,
    AgendaItem,
    DocumentationSettings,
    Meeting,
    MeetingAttachment,
    MeetingDocument,
    MinuteEntry,
    Registration,
)
from verbund.background import enqueue_on_commit
from verbund.models import IMPRINT_NAMES, FundingSource, LogoFields, LogoRole, NetworkImprint
from verbund.pdf import render_pdf
from verbund.uploads import pdf_strip_active

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
LOGO_EDGE_IN_PDF = 400
PDF_IMAGE_CACHE_SECONDS = 24 * 3600  # a documentation is edited and rendered again within days; then it is made again


def _funders(meeting: Meeting) -> list[FundingSource]:
    """Funders of the meeting's year with a logo, for the funding line (one per funder)."""
    seen: dict[str, FundingSource] = {}
    for source in FundingSource.objects.filter(network=meeting.network, year=meeting.starts_at.year).exclude(logo="").order_by("pk"):
        seen.setdefault(source.funder or source.name or str(source.pk), source)
    return list(seen.values())


def _pdf_image_key(storage, name: str, edge: int) -> str:
    where = f"{type(storage).__name__}\0{getattr(storage, 'location', '')}\0{name}"
    return f"pdf-image:{edge}:{hashlib.sha256(where.encode()).hexdigest()}"


def _pdf_image(field, *, edge: int, photo: bool) -> bytes:
    """The stored image as it goes into PDFs: at most `edge` pixels, a photo as JPEG. Made once, then from the cache.

    Stored names are made up at upload and never reused, so the storage and the name are the key: a new upload is a
    new entry.
    A photo without transparency always becomes a JPEG (WeasyPrint copies JPEG data into the PDF as it is, a PNG
    it decodes and compresses again on every render); a logo keeps its PNG and transparency.
    """
    key = _pdf_image_key(field.storage, field.name, edge)
    data = cache.get(key)
    if data is not None:
        return data
    with field.open("rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        opaque = image.mode not in {"RGBA", "LA", "P"} and "transparency" not in image.info
        if max(image.size) > edge or (photo and opaque and image.format != "JPEG"):
            image.draft("RGB", (edge, edge))  # a JPEG is decoded at a reduced scale when that is still large enough
            image.thumbnail((edge, edge))
            out = io.BytesIO()
            if opaque or photo:
                image.convert("RGB").save(out, "JPEG", quality=82)
            else:
                image.save(out, "PNG")
            data = out.getvalue()
    cache.set(key, data, PDF_IMAGE_CACHE_SECONDS)
    return data


def pdf_images_forget(storage, names: list[str]) -> None:
    """Drop the PDF versions of deleted images from the cache (they would otherwise stay until they expire)."""
    cache.delete_many([_pdf_image_key(storage, name, edge) for name in names if name for edge in (PHOTO_EDGE_IN_PDF, LOGO_EDGE_IN_PDF)])


def _data_url(field, *, edge: int, photo: bool = False) -> str:
    """A stored image (re-encoded at upload, so trusted) as a data: URL; the PDF fetcher reaches nothing else."""
    data = _pdf_image(field, edge=edge, photo=photo)
    kind = "png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def documentation_settings(meeting: Meeting) -> DocumentationSettings:
    """The meeting's settings for its documentation; unsaved defaults when the office has set none."""
    return DocumentationSettings.objects.filter(meeting=meeting).first() or DocumentationSettings(meeting=meeting)


def _imprint(meeting: Meeting, settings: DocumentationSettings) -> dict[str, str]:
    """Publisher, copyright and funding line: the meeting's own where set, else the network's."""
    defaults = NetworkImprint.objects.filter(network=meeting.network).first()
    return {name: getattr(settings, name) or (getattr(defaults, name) if defaults else "") for name in IMPRINT_NAMES}


def _logos(meeting: Meeting, settings: DocumentationSettings) -> dict[str, list[LogoFields]]:
    """Logos per role: the meeting's own for a role replace the network's; only this meeting's and its network's rows are read."""
    own: list[LogoFields] = list(meeting.logos.all())
    inherited: list[LogoFields] = list(meeting.network.logos.all()) if settings.network_logos else []
    return {role: [logo for logo in own if logo.role == role] or [logo for logo in inherited if logo.role == role] for role in LogoRole.values}


def _logo_groups(meeting: Meeting, settings: DocumentationSettings, imprint: dict[str, str]) -> list[dict]:
    """The logo rows of a document in print order (partners, funders with the funding line, initiative), empty ones left out.

    Without funder logos the financing rows of the meeting's year lend theirs (the way before logos had roles).
    """
    logos = _logos(meeting, settings)
    groups = []
    for role in (LogoRole.PARTNER, LogoRole.FUNDER, LogoRole.INITIATIVE):
        shown = [(logo.name, _data_url(logo.logo, edge=LOGO_EDGE_IN_PDF)) for logo in logos[role]]
        if role == LogoRole.FUNDER and not shown and settings.network_logos:
            shown = [(source.funder or source.name, _data_url(source.logo, edge=LOGO_EDGE_IN_PDF)) for source in _funders(meeting)]
        line = imprint["funding_line"] if role == LogoRole.FUNDER else ""
        if shown or line:
            groups.append({"role": role, "label": role.label, "logos": shown, "line": line})
    return groups


def _time_label(item: AgendaItem) -> str:
    """ "10:00–10:30 Uhr", with "ca." where the programme says the time is approximate."""
    label = f"{item.starts_at:%H:%M}" + (f"–{item.ends_at:%H:%M}" if item.ends_at else "")
    if item.starts_approx:
        label = _("ca. %(time)s") % {"time": label}
    return _("%(time)s Uhr") % {"time": label}


def _item_heading(item: AgendaItem) -> str:
    """ "Vortrag von Judith Terstriep: Cluster Management …" — kind, speaker and title once, for the Kurzprotokoll."""
    kind = item.get_kind_display()
    if item.speaker:
        return _("%(kind)s von %(speaker)s: %(title)s") % {"kind": kind, "speaker": item.speaker, "title": item.title}
    return item.title if item.title == kind else _("%(kind)s: %(title)s") % {"kind": kind, "title": item.title}


def _minute_groups(agenda: list[AgendaItem], minutes: list[MinuteEntry]) -> list[dict]:
    """The Kurzprotokoll per programme item in programme order, then the entries without one ("Allgemein")."""
    by_item: dict[int | None, list[MinuteEntry]] = {}
    for entry in sorted(minutes, key=lambda m: (m.position, m.pk)):
        by_item.setdefault(entry.agenda_item_id, []).append(entry)
    groups = [{"heading": _item_heading(item), "entries": by_item[item.pk]} for item in agenda if item.pk in by_item]
    if None in by_item:
        groups.append({"heading": _("Allgemein"), "entries": by_item[None]})
    return groups


def _slide_decks(meeting: Meeting) -> list[dict]:
    """Slide and document PDFs for the documentation, each with one placeholder page per PDF page."""

    decks = []
    for attachment in meeting.attachments.filter(in_documentation=True).exclude(kind=MeetingAttachment.Kind.PHOTO).select_related("agenda_item"):
        with attachment.file.open("rb") as handle:
            pages = len(PdfReader(io.BytesIO(handle.read())).pages)
        decks.append({"attachment": attachment, "slots": [f"slot-{attachment.pk}-{n}" for n in range(pages)]})
    return decks


def _chapters(agenda: list[AgendaItem], decks: list[dict], settings: DocumentationSettings) -> tuple[list[dict], list[dict]]:
    """A chapter per summarised programme item (with its slides when the office wants them there), and the appendix.

    With the slides at their item, an item with slides but no summary still gets its chapter; slides without an
    item always go to the appendix.
    """
    with_item = settings.slides_placement == DocumentationSettings.SlidesPlacement.WITH_ITEM
    placed: set[int] = set()
    chapters = []
    for item in agenda:
        own = [deck for deck in decks if deck["attachment"].agenda_item_id == item.pk] if with_item else []
        if item.takes_summary and (item.summary.strip() or own):
            chapters.append({"item": item, "decks": own})
            placed |= {deck["attachment"].pk for deck in own}
    return chapters, [deck for deck in decks if deck["attachment"].pk not in placed]


def document_context(meeting: Meeting, kind: str) -> dict:
    settings = documentation_settings(meeting)
    imprint = _imprint(meeting, settings)
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "participants": _participants(meeting),
        "logo_groups": _logo_groups(meeting, settings, imprint),
    }
    if kind == MeetingDocument.Kind.DOCUMENTATION:
        agenda = list(meeting.agenda_items.all())
        for item in agenda:
            item.time_label = _time_label(item)  # type: ignore[attr-defined]  # for the template: the programme's time column
        photos = [a for a in meeting.attachments.filter(kind=MeetingAttachment.Kind.PHOTO) if a.publishable]
        decks = _slide_decks(meeting)
        chapters, appendix = _chapters(agenda, decks, settings)
        context |= {
            "agenda": agenda,
            "chapters": chapters,
            "minute_groups": _minute_groups(agenda, list(meeting.minutes.all())),
            "action_items": list(meeting.action_items.select_related("owner__organisation")),
            "photos": [(photo, _data_url(photo.file, edge=PHOTO_EDGE_IN_PDF, photo=True)) for photo in photos],
            "slide_decks": decks,
            "appendix": appendix,
            "imprint": imprint,
            "published_on": settings.published_on or timezone.localdate(),
        }
    return context


def _place_slides(pdf: bytes, decks: list[dict], anchor_pages: dict[str, int]) -> bytes:
    """Draw each slide page, scaled to fit, onto the placeholder page the layout reserved for it.

    The placeholders carry the page footer ("Seite x von y"), so numbering and the contents stay right. The slide
    goes in as a form XObject marked as an artifact (the heading above it is the tagged text); the document keeps
    its catalog — structure tree, MarkInfo, language, XMP with the PDF/UA claim — and is written as PDF 1.7
    (a rewrite by pypdf left it as an untagged-looking PDF 1.3).
    """
    with ExitStack() as stack:
        document = stack.enter_context(pikepdf.open(io.BytesIO(pdf)))
        for deck in decks:
            with deck["attachment"].file.open("rb") as handle:
                # Copied streams are read from the source when saving: it stays open until then.
                slides = stack.enter_context(pikepdf.open(io.BytesIO(handle.read())))
            # Decks stored before the upload check refused active content may still carry it; none goes to members.
            _strip_active(slides, f"slides {deck['attachment'].pk}")
            for slot, slide in zip(deck["slots"], slides.pages, strict=False):
                index = anchor_pages.get(slot)
                if index is None:
                    continue
                _draw_slide(document, document.pages[index], slide)
        _strip_active(document, "the documentation")
        out = io.BytesIO()
        document.save(out, min_version="1.7")
    return out.getvalue()


def _strip_active(pdf: pikepdf.Pdf, label: str) -> None:
    """Remove scripts, risky actions, non-web links and embedded files (verbund.uploads decides what is active)."""
    removed = pdf_strip_active(pdf)
    if removed:
        logger.warning("Removed %s places with active content from %s", removed, label)


def _draw_slide(document: pikepdf.Pdf, target: pikepdf.Page, slide: pikepdf.Page) -> None:
    box = target.mediabox
    page_w, page_h = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    box_w = page_w - 2 * 51  # 18 mm margins
    box_h = page_h - 57 - 62 - 40  # top/bottom margins and the heading line
    form = document.copy_foreign(slide.as_form_xobject())
    # The deck's own tags point into a structure tree that is not ours; inside an artifact they would be dangling.
    try:
        kept = [i for i in pikepdf.parse_content_stream(form) if str(i.operator) not in {"BDC", "BMC", "EMC", "MP", "DP"}]
    except pikepdf.PdfError:
        logger.warning("A slide's content could not be parsed; placed with its own marked content")
    else:
        form.write(pikepdf.unparse_content_stream(kept))
    left, bottom, right, top = (float(v) for v in form.BBox)
    slide_w, slide_h = right - left, top - bottom
    scale = min(box_w / slide_w, box_h / slide_h)
    x = (page_w - slide_w * scale) / 2 - left * scale
    y = 62 + (box_h - slide_h * scale) / 2 - bottom * scale
    name = target.add_resource(form, pikepdf.Name.XObject, prefix="Slide")
    target.contents_add(pikepdf.Stream(document, b"q\n"), prepend=True)
    drawing = f"\nQ\nq /Artifact BMC {scale:.5f} 0 0 {scale:.5f} {x:.3f} {y:.3f} cm {name} Do EMC Q\n"
    target.contents_add(pikepdf.Stream(document, drawing.encode()), prepend=False)


def inputs_hash(meeting: Meeting, kind: str) -> str:
    """Everything that shows in the document, hashed: the same hash means the stored file is still right."""
    data: dict[str, Any] = {
        "kind": kind,
        "meeting": MEETING_FIELDS.fingerprint(meeting),
        "network": meeting.network.name,
        "participants": [(r.pk, r.display_name, r.organisation_name, r.consent_participant_list) for r in _participants(meeting)],
        "funding": [meeting.network.funding_note, [(f.pk, f.funder, f.name, f.logo.name) for f in _funders(meeting)]],
    }
    settings = documentation_settings(meeting)
    data["imprint"] = [_imprint(meeting, settings), DOCUMENTATION_SETTINGS_FIELDS.fingerprint(settings)]
    data["logos"] = {role: [(logo.pk, logo.name, logo.logo.name, logo.position) for logo in logos] for role, logos in _logos(meeting, settings).items()}
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
