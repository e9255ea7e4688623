"""Writes to the tenant: a network's profile and its financing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from verbund.models import FUNDING_SOURCE_FIELDS, NETWORK_FIELDS, FundingSource, Network, User


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


def financing_mix(network: Network, year: int) -> dict[str, Any]:
    """Amounts per kind for a year and the self-financing ratio (member fees + paid services over all)."""
    sources = list(network.funding_sources.filter(year=year))
    total = sum((s.amount for s in sources), start=0)
    own = sum((s.amount for s in sources if FundingSource.Kind(s.kind).is_own_funding), start=0)
    return {"year": year, "sources": sources, "total": total, "own": own, "ratio": (own / total * 100) if total else None}
