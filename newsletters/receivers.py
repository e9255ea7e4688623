"""The Infobrief's dates and funding deadlines in the network's calendar feed and on the portal (events/signals.py)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from events.signals import CalendarExtra, calendar_extras
from newsletters.models import Entry
from newsletters.services import upcoming_dates
from verbund.models import Network


@receiver(calendar_extras, sender=Network, dispatch_uid="newsletters-dates")
def infobrief_dates(sender, *, network: Network, **kwargs: Any) -> list[CalendarExtra]:
    extras = []
    for entry in upcoming_dates(network):
        if entry.kind == Entry.Kind.FUNDING_CALL:
            extras.append(
                CalendarExtra(
                    uid=f"deadline-{entry.pk}",
                    title=_("Frist: %(title)s") % {"title": entry.title},
                    starts=entry.deadline,
                    description=entry.funder,
                    url=entry.link,
                    kind=_("Frist"),
                )
            )
        else:
            extras.append(
                CalendarExtra(
                    uid=f"entry-{entry.pk}",
                    title=entry.title,
                    starts=entry.starts_at,
                    ends=entry.ends_at,
                    location=entry.place,
                    description=entry.body[:1000],
                    url=entry.link,
                    kind=entry.get_kind_display(),
                )
            )
    return extras
