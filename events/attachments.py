"""Attachments of a meeting (slides, photos, documents) and the texts of its documentation (talk summaries).

Uploads go through verbund/uploads.py: images are re-encoded without metadata
and get a thumbnail, PDFs are checked. Stored names are made up here. A photo
appears in the documentation only when nobody is recognisable on it or every
recognisable person agreed; the attachment page names the participants who did
not agree to photos, so the office knows whom to leave out.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from events.documents import pdf_images_forget
from events.models import (
    ATTACHMENT_FIELDS,
    DOCUMENTATION_SETTINGS_FIELDS,
    MEETING_LOGO_FIELDS,
    AgendaItem,
    DocumentationSettings,
    Meeting,
    MeetingAttachment,
    MeetingLogo,
    Registration,
)
from verbund.models import User
from verbund.services import logo_delete, logo_store, save_audited
from verbund.uploads import CleanImage, clean_image, clean_pdf

MAX_ATTACHMENTS_PER_MEETING = 200


def attachment_add(
    *,
    meeting: Meeting,
    by: User,
    kind: str,
    upload,
    title: str = "",
    agenda_item: AgendaItem | None = None,
    people_shown: str = MeetingAttachment.PeopleShown.UNCLEAR,
) -> MeetingAttachment:
    """Validate and store one upload. Raises ValidationError with a message for the person uploading."""
    if kind not in MeetingAttachment.Kind.values:
        raise ValidationError(_("Unbekannte Art des Anhangs."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError(_("Dieser Programmpunkt gehört zu einem anderen Treffen."))
    if meeting.attachments.count() >= MAX_ATTACHMENTS_PER_MEETING:
        raise ValidationError(_("Ein Treffen kann höchstens %(n)s Anhänge haben.") % {"n": MAX_ATTACHMENTS_PER_MEETING})
    stem = uuid.uuid4().hex
    attachment = MeetingAttachment(
        meeting=meeting,
        agenda_item=agenda_item,
        kind=kind,
        uploaded_by=by,
        title=(title or "").strip()[:200] or _default_title(kind, agenda_item),
    )
    # Decode and check before anything is written: a refused file leaves no row and no file behind.
    if kind == MeetingAttachment.Kind.PHOTO:
        image = clean_image(upload)
        attachment.people_shown = people_shown if people_shown in MeetingAttachment.PeopleShown.values else MeetingAttachment.PeopleShown.UNCLEAR
        attachment.content_type = image.content_type
        attachment.size = len(image.content)
        files = [("file", f"{stem}.{image.extension}", image.content), ("thumbnail", f"{stem}-thumb.{image.extension}", image.thumbnail)]
    else:
        data = clean_pdf(upload)
        attachment.people_shown = ""
        attachment.content_type = "application/pdf"
        attachment.size = len(data)
        files = [("file", f"{stem}.pdf", data)]
    attachment.position = meeting.attachments.filter(kind=kind).count()
    for field, name, content in files:
        getattr(attachment, field).save(name, ContentFile(content), save=False)
    stored = [getattr(attachment, field).name for field, _name, _content in files]
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        # No row, no file: the files written above go again.
        for name in stored:
            attachment.file.storage.delete(name)
        raise
    return attachment


def _default_title(kind: str, agenda_item: AgendaItem | None) -> str:
    if agenda_item is not None:
        return agenda_item.title[:200]
    return str(MeetingAttachment.Kind(kind).label)


@transaction.atomic
def attachment_update(*, attachment: MeetingAttachment, by: User, data: dict) -> MeetingAttachment:
    """Change ATTACHMENT_FIELDS; only photos say who is shown, and the programme item must be this meeting's."""
    ATTACHMENT_FIELDS.apply(attachment, data)
    if attachment.kind != MeetingAttachment.Kind.PHOTO:
        attachment.people_shown = ""
    if attachment.agenda_item is not None and attachment.agenda_item.meeting_id != attachment.meeting_id:
        raise ValidationError(_("Dieser Programmpunkt gehört zu einem anderen Treffen."))
    attachment.full_clean(exclude=["file", "thumbnail", "content_type"])
    save_audited(attachment, by=by, validate=False)
    return attachment


def attachment_delete(*, attachment: MeetingAttachment, by: User) -> None:
    names = [f.name for f in (attachment.file, attachment.thumbnail) if f.name]
    storage = attachment.file.storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)
        pdf_images_forget(storage, names)

    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(delete_files)


def participants_without_photo_consent(meeting: Meeting) -> list[Registration]:
    return list(
        meeting.registrations.filter(status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED], consent_photos=False)
        .select_related("contact__organisation")
        .order_by("contact__last_name", "guest_name")
    )


@transaction.atomic
def agenda_summary_save(*, item: AgendaItem, by: User, summary: str) -> AgendaItem:
    """The item's chapter in the documentation (Markdown). Raises ValidationError for an item that has no chapter (a break)."""
    if not item.takes_summary:
        raise ValidationError(_("„%(kind)s“ hat kein Kapitel in der Dokumentation.") % {"kind": item.get_kind_display()})
    item.summary = summary
    save_audited(item, by=by, update_fields=["summary"])
    return item


@transaction.atomic
def documentation_settings_update(*, meeting: Meeting, by: User, data: dict) -> DocumentationSettings:
    """The meeting's choices for its documentation (DOCUMENTATION_SETTINGS_FIELDS); empty imprint fields take the network's."""
    settings = DocumentationSettings.objects.select_for_update().filter(meeting=meeting).first() or DocumentationSettings(meeting=meeting)
    new = settings.pk is None
    changed = DOCUMENTATION_SETTINGS_FIELDS.apply(settings, data)
    if changed:
        save_audited(settings, by=by, update_fields=None if new else changed)
    return settings


@transaction.atomic
def meeting_logo_add(*, meeting: Meeting, by: User, data: dict, image: CleanImage) -> MeetingLogo:
    """A logo of this meeting's documents (MEETING_LOGO_FIELDS); for its role it replaces the network's logos."""
    return logo_store(MeetingLogo(meeting=meeting), by=by, data=data, image=image, fieldset=MEETING_LOGO_FIELDS, siblings=meeting.logos.all())


@transaction.atomic
def meeting_logo_delete(*, logo: MeetingLogo, by: User) -> None:
    logo_delete(logo, by=by)
