"""Writes to the tenant: a network's profile and its financing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from verbund.models import FundingSource, Network, User

PROFILE_FIELDS = [
    "name", "kind", "region", "description", "goals", "rules_of_play", "founded_on", "legal_form", "parent", "stage",
    "cluster_type", "meetings_per_year",
]


def _ancestors(network: Network | None) -> set[int]:
    seen: set[int] = set()
    while network is not None and network.pk not in seen:
        seen.add(network.pk)
        network = network.parent
    return seen


@transaction.atomic
def network_update(*, network: Network, by: User, data: dict[str, Any]) -> Network:
    """Change a network's profile. A network cannot become its own ancestor."""
    parent = data.get("parent")
    if parent is not None and network.pk in _ancestors(parent):
        raise ValidationError({"parent": _("Ein Verbund kann nicht sich selbst oder einem seiner Teilverbünde untergeordnet werden.")})
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(network, f) != data[f]]
    for field in changed:
        setattr(network, field, data[field])
    if changed:
        network.full_clean()
        network._history_user = by  # type: ignore[attr-defined]
        network.save(update_fields=[*changed, "updated_at"])
    return network


@transaction.atomic
def funding_source_create(*, network: Network, by: User, data: dict[str, Any]) -> FundingSource:
    source = FundingSource(network=network, **data)
    source.full_clean()
    source._history_user = by  # type: ignore[attr-defined]
    source.save()
    return source


@transaction.atomic
def funding_source_delete(*, source: FundingSource, by: User) -> None:
    source._history_user = by  # type: ignore[attr-defined]
    source.delete()


def financing_mix(network: Network, year: int) -> dict[str, Any]:
    """Amounts per kind for a year and the self-financing ratio (member fees + paid services over all)."""
    sources = list(network.funding_sources.filter(year=year))
    total = sum((s.amount for s in sources), start=0)
    own = sum((s.amount for s in sources if FundingSource.Kind(s.kind).is_own_funding), start=0)
    return {"year": year, "sources": sources, "total": total, "own": own, "ratio": (own / total * 100) if total else None}
