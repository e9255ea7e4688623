"""Calendar files and the network feed parse with a real iCalendar parser."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Meeting


def make(world, manager, network=None, title="Koordinierungstreffen", **extra) -> Meeting:
    day = timezone.localdate() + timedelta(days=10)
    return services.meeting_create(
        network=network or world.network_x,
        by=manager,
        data={"title": title, "starts_at": services.meeting_at(day, 10), "ends_at": services.meeting_at(day, 12), **extra},
    )


def test_meeting_ics_parses_and_keeps_special_characters(client, world, manager_x):
    title = "Treffen; mit, Sonderzeichen \\ und einem sehr langen Titel, der über fünfundsiebzig Bytes hinausgeht – Münsterland"
    meeting = make(world, manager_x, title=title, venue_name="Rathaus, Saal 2", description="Zeile 1\nZeile 2")
    client.force_login(manager_x)
    response = client.get(reverse("events:meeting_ics", args=["netz-x", meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "Rathaus, Saal 2"
    assert str(event["DESCRIPTION"]) == "Zeile 1\nZeile 2"
    assert event.decoded("DTSTART") == meeting.starts_at


def test_network_feed_needs_the_secret_and_shows_only_its_network(client, world, manager_x, manager_y):
    make(world, manager_x, title="X-Treffen")
    make(world, manager_y, network=world.network_y, title="Y-Treffen")
    url = reverse("network_calendar", args=["netz-x", world.network_x.calendar_token])
    calendar = icalendar.Calendar.from_ical(client.get(url).content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["X-Treffen"]
    assert client.get(reverse("network_calendar", args=["netz-x", "erraten"])).status_code == 404
    assert world.network_x.calendar_token != world.network_y.calendar_token


def test_a_line_break_in_the_title_or_the_attendee_name_still_makes_an_invitation(world, manager_x):
    """S-3/S-5: a title or contact name with CR/LF made icalendar refuse the file, and the invitation mail was never sent."""
    from events.ics import REQUEST, Attendee, itip

    meeting = make(world, manager_x)
    Meeting.objects.filter(pk=meeting.pk).update(title="Treffen\r\n<script>x</script>")
    meeting.refresh_from_db()
    text, _ = itip(meeting, method=REQUEST, attendee=Attendee("eva@example.org", "Eva\r\nBcc: evil@evil.example"))
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["X-WR-CALNAME"]) == "Treffen <script>x</script>"
    attendee = calendar.walk("VEVENT")[0]["ATTENDEE"]
    assert attendee.params["CN"] == "Eva Bcc: evil@evil.example"
    assert "\r\nBcc:" not in text


def test_a_calendar_extra_never_carries_a_script_url(world):
    from events.ics import extra_event
    from events.signals import CalendarExtra

    extra = CalendarExtra(uid="x", title="Frist", starts=timezone.localdate(), url="javascript:alert(1)")
    assert "URL" not in extra_event(extra, stamp=timezone.now(), host="verbund")
