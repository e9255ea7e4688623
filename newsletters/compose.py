"""Writes of the Infobrief's manager pages: entries, the Infobrief's content and audience, placements, the template."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from newsletters.models import ENTRY_FIELDS, INFOBRIEF_FIELDS, NEWSLETTER_SETTINGS_FIELDS, Entry, Infobrief, InfobriefEntry, NewsletterSettings
from verbund.models import Network, User
from verbund.services import save_audited

NOT_EDITABLE = _("Dieser Infobrief wird schon versendet oder ist abgeschlossen; er kann nicht mehr geändert werden.")


def _store_image(field, image) -> None:
    field.save(f"{uuid.uuid4().hex}.{image.extension}", ContentFile(image.content), save=False)


@transaction.atomic
def entry_save(*, network: Network, by: User, data: dict[str, Any], entry: Entry | None = None) -> Entry:
    data = dict(data)
    image = data.pop("image_upload", None)
    remove_image = data.pop("remove_image", False)
    entry = entry or Entry(network=network, created_by=by)
    if entry.pk and entry.placements.filter(infobrief__status__in=[Infobrief.Status.SENDING, Infobrief.Status.SENT, Infobrief.Status.PAUSED]).exists():
        raise ValidationError(_("Dieser Beitrag steht in einem versendeten Infobrief und kann nicht mehr geändert werden."))
    ENTRY_FIELDS.apply(entry, data)
    if remove_image and entry.image:
        entry.image = ""
    if image is not None:
        _store_image(entry.image, image)
    save_audited(entry, by=by)
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry, by: User) -> None:
    if entry.placements.exclude(infobrief__status__in=[Infobrief.Status.DRAFT, Infobrief.Status.SCHEDULED]).exists():
        raise ValidationError(_("Dieser Beitrag steht in einem versendeten Infobrief und bleibt für das Archiv erhalten."))
    entry._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    entry.delete()


@transaction.atomic
def infobrief_save(*, network: Network, by: User, data: dict[str, Any], infobrief: Infobrief | None = None) -> Infobrief:
    if infobrief is not None:
        infobrief = Infobrief.objects.select_for_update().get(pk=infobrief.pk)
        if not infobrief.editable:
            raise ValidationError(NOT_EDITABLE)
    infobrief = infobrief or Infobrief(network=network, created_by=by)
    INFOBRIEF_FIELDS.apply(infobrief, data)
    save_audited(infobrief, by=by)
    return infobrief


@transaction.atomic
def placement_move(*, placement: InfobriefEntry, by: User, direction: str) -> None:
    infobrief = Infobrief.objects.select_for_update().get(pk=placement.infobrief_id)
    if not infobrief.editable:
        raise ValidationError(NOT_EDITABLE)
    rows = list(infobrief.placements.order_by("position", "pk"))
    index = next(i for i, row in enumerate(rows) if row.pk == placement.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            InfobriefEntry.objects.filter(pk=row.pk).update(position=position)


@transaction.atomic
def placement_remove(*, placement: InfobriefEntry, by: User) -> None:
    infobrief = Infobrief.objects.select_for_update().get(pk=placement.infobrief_id)
    if not infobrief.editable:
        raise ValidationError(NOT_EDITABLE)
    placement.delete()


@transaction.atomic
def settings_save(*, template: NewsletterSettings, by: User, data: dict[str, Any]) -> NewsletterSettings:
    data = dict(data)
    logo = data.pop("logo_upload", None)
    remove_logo = data.pop("remove_logo", False)
    old_text = NewsletterSettings.objects.filter(pk=template.pk).values_list("consent_text", flat=True).first()
    NEWSLETTER_SETTINGS_FIELDS.apply(template, data)
    if old_text is not None and old_text.strip() != template.consent_text.strip():
        template.consent_version += 1  # proof: each subscriber's record names the text version they agreed to
    if remove_logo:
        template.logo = ""
    if logo is not None:
        _store_image(template.logo, logo)
    save_audited(template, by=by)
    return template
