"""Signals events sends so that apps above it can add to its pages without events importing them (tests/test_layering.py).

calendar_extras.send(sender=Network, network=…) → each receiver returns a list of CalendarExtra:
dates other apps keep for the network (Infobrief dates and funding deadlines), shown in the
network's iCal feed and on the member portal's meeting list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.dispatch import Signal

calendar_extras = Signal()


@dataclass(frozen=True)
class CalendarExtra:
    uid: str
    title: str
    starts: date | datetime  # a date is an all-day event (e.g. a deadline)
    ends: date | datetime | None = None
    location: str = ""
    description: str = ""
    url: str = ""
    kind: str = ""  # shown on the portal, e.g. "Frist" or "Messe"


def extras_for(network) -> list[CalendarExtra]:
    found: list[CalendarExtra] = []
    for _receiver, extras in calendar_extras.send(sender=type(network), network=network):
        found.extend(extras or [])  # type: ignore[arg-type]  # django-stubs types a receiver's answer as str | None; ours return CalendarExtra lists
    return sorted(found, key=lambda e: (e.starts if isinstance(e.starts, datetime) else datetime.combine(e.starts, datetime.min.time())).replace(tzinfo=None))
