"""iCalendar (RFC 5545) for meetings, built by the `icalendar` library: one meeting as an .ics file, or a network's feed.

The library escapes, folds at 75 octets and writes CRLF; what a meeting says in DESCRIPTION comes from the
template events/ics_description.txt, so a new field is shown by adding it there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import icalendar
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from events.models import Meeting
from events.signals import CalendarExtra


def _text(value: str) -> str:
    """Control characters never reach a calendar (clients refuse files with them); line breaks stay."""
    return "".join(ch for ch in value if ch == "\n" or ord(ch) >= 32)


def _add_text(event: icalendar.Event, name: str, value: str) -> None:
    if text := _text(value):
        event.add(name, text)


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/")[0] or "verbund"


def meeting_event(meeting: Meeting, *, stamp: datetime, host: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", _text(meeting.title))
    _add_text(event, "location", ", ".join(part for part in (meeting.venue_name, meeting.room, meeting.venue_address) if part))
    _add_text(event, "description", render_to_string("events/ics_description.txt", {"meeting": meeting}).strip())
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    return event


def extra_event(extra: CalendarExtra, *, stamp: datetime, host: str) -> icalendar.Event:
    """Another app's date (an Infobrief date, a funding deadline); a date without time is an all-day event."""
    event = icalendar.Event()
    event.add("uid", f"{extra.uid}@{host}")
    event.add("dtstamp", stamp)
    if isinstance(extra.starts, datetime):
        event.add("dtstart", extra.starts.astimezone(UTC))
        if isinstance(extra.ends, datetime):
            event.add("dtend", extra.ends.astimezone(UTC))
    else:  # all day: DTEND is the next day (RFC 5545, exclusive)
        event.add("dtstart", extra.starts)
        event.add("dtend", extra.starts + timedelta(days=1))
    event.add("summary", _text(extra.title))
    _add_text(event, "location", extra.location)
    _add_text(event, "description", extra.description)
    if extra.url:
        event.add("url", extra.url)
    return event


def calendar(meetings: Iterable[Meeting], *, name: str, extras: Iterable[CalendarExtra] = ()) -> str:
    """The calendar text (CRLF lines, folded), for a file, a mail attachment or the feed."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//verbund//Treffen//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(name))
    stamp, host = timezone.now().astimezone(UTC), _host()
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, stamp=stamp, host=host))
    for extra in extras:
        cal.add_component(extra_event(extra, stamp=stamp, host=host))
    return cal.to_ical().decode()
