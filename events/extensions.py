"""Extension points of events' pages for the apps above it (events imports none of them: tests/test_layering.py).

meeting_panels.send(sender=Meeting, meeting=…, network=…, user=…, can_manage=…) → each receiver returns a list of
MeetingPanel: a section another app shows on the overview of the manager's meeting page (e.g. cooperation: the need
a round table came from), rendered by `{% include panel.template %}` with `panel` as its context.

The meeting page has a test of its query count: a receiver answers most meetings without asking the database (decide
by what the meeting row already holds, e.g. its kind) and asks once at most for the ones it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

meeting_panels = Signal()


@dataclass(frozen=True)
class MeetingPanel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100  # smaller first


def panels_for(*, meeting: Any, network: Any, user: Any, can_manage: bool) -> list[MeetingPanel]:
    found: list[MeetingPanel] = []
    for _receiver, panels in meeting_panels.send(sender=type(meeting), meeting=meeting, network=network, user=user, can_manage=can_manage):
        found.extend(panels or [])  # type: ignore[arg-type]  # django-stubs types a receiver's answer as str | None; ours return panel lists
    return sorted(found, key=lambda p: (p.order, p.template))
