"""iCalendar (RFC 5545) and iTIP (RFC 5546) for meetings, built by the `icalendar` library.

One meeting is one UID for its whole life. An invitation is METHOD:REQUEST with the
network office as ORGANIZER and the recipient as ATTENDEE; a change of time or place
goes out again as REQUEST with the same UID and a higher SEQUENCE, so calendar apps
move the entry instead of adding a second one; a cancellation is METHOD:CANCEL.
Times carry TZID Europe/Berlin with its VTIMEZONE, so a meeting at 10:00 stays at
10:00 local time in every client. The per-network feed (METHOD:PUBLISH) carries the
same UIDs and SEQUENCEs.

The library escapes, folds at 75 octets and writes CRLF; what a meeting says in
DESCRIPTION comes from the template events/ics_description.txt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from events.models import Meeting
from events.signals import CalendarExtra
from verbund.mail import network_reply_to
from verbund.markdown import safe_url

PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Attendee:
    """The person a REQUEST or CANCEL is addressed to; `accepted` when she is registered already."""

    email: str
    name: str = ""
    accepted: bool = False


def _text(value: str) -> str:
    """Control characters never reach a calendar (clients refuse files with them); line breaks stay."""
    return "".join(ch for ch in value if ch == "\n" or ord(ch) >= 32)


def _add_text(event: icalendar.Event, name: str, value: str) -> None:
    if text := _text(value):
        event.add(name, text)


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/")[0] or "verbund"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _address(name: str, email: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    # A parameter value is one line (RFC 5545 3.2): a name typed with a line break would make the whole message fail.
    if name := " ".join(_text(name).split()).replace('"', "'"):
        address.params["CN"] = name
    address.params.update(params)
    return address


def organizer(meeting: Meeting) -> icalendar.vCalAddress:
    """The network office (its Reply-To address); without one, the portal's sender address."""
    office = network_reply_to(meeting.network)
    email = office[0] if office else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return _address(meeting.network.name, email)


def meeting_uid(meeting: Meeting, host: str | None = None) -> str:
    return f"meeting-{meeting.pk}@{host or _host()}"


def meeting_event(meeting: Meeting, *, stamp: datetime, host: str, attendee: Attendee | None = None, cancelled: bool = False) -> icalendar.Event:
    zone = _zone()
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting, host))
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", _text(meeting.title))
    _add_text(event, "location", ", ".join(part for part in (meeting.venue_name, meeting.room, meeting.venue_address) if part))
    _add_text(event, "description", render_to_string("events/ics_description.txt", {"meeting": meeting}).strip())
    cancelled = cancelled or meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", organizer(meeting))
    if attendee is not None:
        partstat = "ACCEPTED" if attendee.accepted else "NEEDS-ACTION"
        # RSVP=FALSE: the answer comes through the personal link in the mail, not through a calendar reply to no one.
        event.add("attendee", _address(attendee.name, attendee.email, ROLE="REQ-PARTICIPANT", PARTSTAT=partstat, RSVP="FALSE"))
    return event


def extra_event(extra: CalendarExtra, *, stamp: datetime, host: str) -> icalendar.Event:
    """Another app's date (an Infobrief date, a funding deadline); a date without time is an all-day event."""
    event = icalendar.Event()
    event.add("uid", f"{extra.uid}@{host}")
    event.add("dtstamp", stamp)
    if isinstance(extra.starts, datetime):
        event.add("dtstart", extra.starts.astimezone(_zone()))
        if isinstance(extra.ends, datetime):
            event.add("dtend", extra.ends.astimezone(_zone()))
    else:  # all day: DTEND is the next day (RFC 5545, exclusive)
        event.add("dtstart", extra.starts)
        event.add("dtend", extra.starts + timedelta(days=1))
    event.add("summary", _text(extra.title))
    _add_text(event, "location", extra.location)
    _add_text(event, "description", extra.description)
    if url := safe_url(extra.url):  # a calendar app opens it: never a javascript: or data: URL
        event.add("url", url)
    return event


def _berlin() -> icalendar.Timezone:
    """Europe/Berlin as Outlook and Google write it: the EU rule (since 1996) as two RRULEs, valid for every year."""
    tz = icalendar.Timezone()
    tz.add("tzid", "Europe/Berlin")
    for kind, name, start, month, offset_from, offset_to in (
        (icalendar.TimezoneDaylight, "CEST", datetime(1970, 3, 29, 2), 3, timedelta(hours=1), timedelta(hours=2)),
        (icalendar.TimezoneStandard, "CET", datetime(1970, 10, 25, 3), 10, timedelta(hours=2), timedelta(hours=1)),
    ):
        part = kind()
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        part.add("tzoffsetfrom", offset_from)
        part.add("tzoffsetto", offset_to)
        tz.add_component(part)
    return tz


def _timezone(first: date, last: date) -> icalendar.Timezone:
    if settings.TIME_ZONE == "Europe/Berlin":
        return _berlin()
    return icalendar.Timezone.from_tzinfo(_zone(), tzid=settings.TIME_ZONE, first_date=first - timedelta(days=366), last_date=last + timedelta(days=366))


def calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    extras: Iterable[CalendarExtra] = (),
    method: str = PUBLISH,
    attendee: Attendee | None = None,
) -> str:
    """The calendar text (CRLF lines, folded), for a file, a mail attachment (REQUEST/CANCEL) or the feed (PUBLISH)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//verbund//Treffen//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    # icalendar writes an X- property as it is: a line break in the name (a meeting title) would break the whole file.
    cal.add("x-wr-calname", " ".join(_text(name).split()))
    stamp, host = timezone.now().astimezone(UTC), _host()
    events = [meeting_event(m, stamp=stamp, host=host, attendee=attendee, cancelled=method == CANCEL) for m in meetings]
    events += [extra_event(extra, stamp=stamp, host=host) for extra in extras]
    days = [e.decoded("dtstart") for e in events]
    timed = [d.date() for d in days if isinstance(d, datetime)]
    if timed:
        cal.add_component(_timezone(min(timed), max(timed)))
    for event in events:
        cal.add_component(event)
    return cal.to_ical().decode()


def itip(meeting: Meeting, *, method: str, attendee: Attendee) -> tuple[str, str]:
    """(calendar text, content type) of a meeting mail to one person: an invitation or update (REQUEST) or a CANCEL."""
    return calendar([meeting], name=meeting.title, method=method, attendee=attendee), f"text/calendar; method={method}"
