"""iCalendar (RFC 5545) for meetings: one meeting as an .ics file, or a network's feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from events.models import Meeting


def _escape(text: str) -> str:
    text = "".join(ch for ch in text if ch in "\n" or ord(ch) >= 32)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (continuation lines start with a space)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += b
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _extra_lines(extra, *, host: str, stamp: str) -> list[str]:
    if isinstance(extra.starts, datetime):
        start = f"DTSTART:{_utc(extra.starts)}"
        end = f"DTEND:{_utc(extra.ends)}" if isinstance(extra.ends, datetime) else ""
    else:  # all day: DTEND is the next day (RFC 5545, exclusive)
        start = f"DTSTART;VALUE=DATE:{extra.starts:%Y%m%d}"
        end = f"DTEND;VALUE=DATE:{(extra.starts + timedelta(days=1)):%Y%m%d}"
    lines = ["BEGIN:VEVENT", f"UID:{extra.uid}@{host}", f"DTSTAMP:{stamp}", start]
    if end:
        lines.append(end)
    lines += [f"SUMMARY:{_escape(extra.title)}", f"LOCATION:{_escape(extra.location)}", f"DESCRIPTION:{_escape(extra.description)}"]
    if extra.url:
        lines.append(f"URL:{_escape(extra.url)}")
    return [*lines, "END:VEVENT"]


def calendar(meetings: Iterable[Meeting], *, name: str, extras: Iterable = ()) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0] or "verbund"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//verbund//Treffen//DE", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(name)}"]
    stamp = _utc(timezone.now())
    for meeting in meetings:
        location = ", ".join(part for part in (meeting.venue_name, meeting.room, meeting.venue_address) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            f"SUMMARY:{_escape(meeting.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(meeting.description)}",
            f"STATUS:{'CANCELLED' if meeting.status == Meeting.Status.CANCELLED else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    for extra in extras:
        lines += _extra_lines(extra, host=host, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
