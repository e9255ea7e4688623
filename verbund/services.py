"""Writes to the tenant: a network's profile and its financing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from verbund.fieldsets import FieldSet
from verbund.models import (
    FUNDING_SOURCE_FIELDS,
    NETWORK_FIELDS,
    NETWORK_IMPRINT_FIELDS,
    NETWORK_LOGO_FIELDS,
    FundingSource,
    LogoFields,
    Network,
    NetworkImprint,
    NetworkLogo,
    User,
)
from verbund.uploads import CleanImage

MAX_LOGOS = 20  # per network or meeting: more do not fit on a cover


def save_audited(instance: Model, *, by: User | None, update_fields: Iterable[str] | None = None, validate: bool = True) -> None:
    """The one way services save: validate, name `by` as the author of the history entry, save.

    With `update_fields`, `updated_at` is added when the model has it.
    """
    if validate:
        instance.full_clean()
    instance._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    if update_fields is None:
        instance.save()
        return
    fields = list(dict.fromkeys(update_fields))
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields) and "updated_at" not in fields:
        fields.append("updated_at")
    instance.save(update_fields=fields)


def _ancestors(network: Network | None) -> set[int]:
    seen: set[int] = set()
    while network is not None and network.pk not in seen:
        seen.add(network.pk)
        network = network.parent
    return seen


@transaction.atomic
def network_update(*, network: Network, by: User, data: dict[str, Any]) -> Network:
    """Change a network's profile (NETWORK_FIELDS). A network cannot become its own ancestor."""
    parent = data.get("parent")
    if parent is not None and network.pk in _ancestors(parent):
        raise ValidationError({"parent": _("Ein Verbund kann nicht sich selbst oder einem seiner Teilverbünde untergeordnet werden.")})
    changed = NETWORK_FIELDS.apply(network, data)
    if changed:
        save_audited(network, by=by, update_fields=changed)
    return network


@transaction.atomic
def funding_source_create(*, network: Network, by: User, data: dict[str, Any]) -> FundingSource:
    """A line of the financing mix; `logo_upload` (a verbund.uploads.CleanImage) becomes the funder's logo."""
    data = dict(data)
    logo = data.pop("logo_upload", None)
    source = FundingSource(network=network, **FUNDING_SOURCE_FIELDS.take(data))
    if logo is not None:
        source.logo.save(f"{uuid.uuid4().hex}.{logo.extension}", ContentFile(logo.content), save=False)
    save_audited(source, by=by)
    return source


@transaction.atomic
def funding_source_delete(*, source: FundingSource, by: User) -> None:
    source._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    logo, storage = source.logo.name, source.logo.storage
    source.delete()
    if logo:
        transaction.on_commit(lambda: storage.delete(logo))


@transaction.atomic
def network_imprint_update(*, network: Network, by: User, data: dict[str, Any]) -> NetworkImprint:
    """The network's defaults for the imprint of its documentations (NETWORK_IMPRINT_FIELDS)."""
    imprint = NetworkImprint.objects.select_for_update().filter(network=network).first() or NetworkImprint(network=network)
    new = imprint.pk is None
    changed = NETWORK_IMPRINT_FIELDS.apply(imprint, data)
    if changed:
        save_audited(imprint, by=by, update_fields=None if new else changed)
    return imprint


def logo_store[L: LogoFields](logo: L, *, by: User, data: dict[str, Any], image: CleanImage, fieldset: FieldSet, siblings: QuerySet[L]) -> L:
    """Save a new logo row with its re-encoded image under a made-up name; the file goes again if the row fails.

    Raises ValidationError when `siblings` (the owner's logos) are already at MAX_LOGOS.
    """
    if siblings.count() >= MAX_LOGOS:
        raise ValidationError(_("Es sind höchstens %(n)s Logos möglich.") % {"n": MAX_LOGOS})
    for name, value in fieldset.take(data).items():
        setattr(logo, name, value)
    logo.position = siblings.filter(role=logo.role).count()
    logo.logo.save(f"{uuid.uuid4().hex}.{image.extension}", ContentFile(image.content), save=False)
    stored, storage = logo.logo.name, logo.logo.storage
    assert stored is not None  # just saved under the name made up above
    try:
        with transaction.atomic():
            save_audited(logo, by=by)
    except Exception:
        storage.delete(stored)
        raise
    return logo


def logo_delete(logo: LogoFields, *, by: User) -> None:
    """Remove a logo row; its file goes after the commit."""
    logo._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance (where kept)
    name, storage = logo.logo.name, logo.logo.storage
    logo.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def network_logo_add(*, network: Network, by: User, data: dict[str, Any], image: CleanImage) -> NetworkLogo:
    """A logo (NETWORK_LOGO_FIELDS: role and name) every documentation of the network carries unless a meeting brings its own."""
    return logo_store(NetworkLogo(network=network), by=by, data=data, image=image, fieldset=NETWORK_LOGO_FIELDS, siblings=network.logos.all())


@transaction.atomic
def network_logo_delete(*, logo: NetworkLogo, by: User) -> None:
    logo_delete(logo, by=by)


def financing_mix(network: Network, year: int) -> dict[str, Any]:
    """Amounts per kind for a year and the self-financing ratio (member fees + paid services over all)."""
    sources = list(network.funding_sources.filter(year=year))
    total = sum((s.amount for s in sources), start=0)
    own = sum((s.amount for s in sources if FundingSource.Kind(s.kind).is_own_funding), start=0)
    return {"year": year, "sources": sources, "total": total, "own": own, "ratio": (own / total * 100) if total else None}
