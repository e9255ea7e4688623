"""Extension points of members' pages for the apps above it (members imports none of them: tests/test_layering.py).

organisation_panels.send(sender=Organisation, organisation=…, network=…, user=…, can_manage=…) → each receiver returns
a list of OrganisationPanel: a section another app shows on an organisation's page in the directory (e.g. the
office's contact log of cooperation), rendered by `{% include panel.template %}` with `panel` as its context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

organisation_panels = Signal()


@dataclass(frozen=True)
class OrganisationPanel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100  # smaller first


def panels_for(*, organisation: Any, network: Any, user: Any, can_manage: bool) -> list[OrganisationPanel]:
    found: list[OrganisationPanel] = []
    for _receiver, panels in organisation_panels.send(sender=type(organisation), organisation=organisation, network=network, user=user, can_manage=can_manage):
        found.extend(panels or [])  # type: ignore[arg-type]  # django-stubs types a receiver's answer as str | None; ours return panel lists
    return sorted(found, key=lambda p: (p.order, p.template))
