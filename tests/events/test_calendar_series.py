"""The month calendar and meeting series (events/views/calendar.py, events/services_series.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import ActionItem, AgendaItem, Meeting, MeetingSeries
from events.services_series import series_create, series_delete, series_rename
from events.views.calendar import suggested_day
from members.models import Contact
from tests.conftest import make_user
from verbund.models import ManagerRole


def u(name: str, *args, slug: str = "netz-x") -> str:
    return reverse(name, args=[slug, *args])


def make_meeting(network, title: str, day: date, *, hour: int = 10, series: MeetingSeries | None = None, **extra) -> Meeting:
    return Meeting.objects.create(
        network=network, title=title, series=series, starts_at=services.meeting_at(day, hour), ends_at=services.meeting_at(day, hour + 2), **extra
    )


def cell(html: str, day: date) -> str:
    """The calendar cell of one day (from its <td> to the next </td>)."""
    match = re.search(rf'<td[^>]*>\s*<time class="day-number" datetime="{day.isoformat()}">.*?</td>', html, re.DOTALL)
    assert match, f"no cell for {day}"
    return match.group(0)


# --- month calendar ---------------------------------------------------------------


def test_a_meeting_is_on_its_day_and_another_networks_meeting_is_not_shown(client, world, manager_x):
    mine = make_meeting(world.network_x, "Koordinierungstreffen Juni", date(2030, 6, 12))
    make_meeting(world.network_y, "Fremdes Treffen Y", date(2030, 6, 12))
    client.force_login(manager_x)
    response = client.get(u("events:calendar_month", 2030, 6))
    assert response.status_code == 200
    html = response.text
    assert "<caption>Juni 2030</caption>" in html
    assert f'<a href="{mine.get_absolute_url()}">10:00 <span class="meeting-title">Koordinierungstreffen Juni</span>' in cell(html, date(2030, 6, 12))
    assert "Koordinierungstreffen Juni" not in cell(html, date(2030, 6, 13))
    assert "Fremdes Treffen Y" not in html


def test_the_grid_starts_on_monday_with_german_weekdays_and_dims_other_months(client, world, manager_x):
    client.force_login(manager_x)
    html = client.get(u("events:calendar_month", 2030, 5)).text  # 1 May 2030 is a Wednesday, 31 May a Friday
    headers = re.findall(r'<th scope="col"><span aria-hidden="true">(\w+)</span><span class="visually-hidden">(\w+)</span></th>', html)
    assert headers[0] == ("Mo", "Montag")
    assert [full for _, full in headers] == ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    assert 'class="other-month"' in cell(html, date(2030, 4, 29))  # the Monday before
    assert "other-month" not in cell(html, date(2030, 5, 1))
    assert 'class="other-month"' in cell(html, date(2030, 6, 2))  # the Sunday after
    assert '<time class="day-number" datetime="2030-04-28">' not in html
    assert '<time class="day-number" datetime="2030-06-03">' not in html


def test_today_is_marked_in_the_current_month(client, world, manager_x):
    client.force_login(manager_x)
    html = client.get(u("events:calendar")).text
    today = cell(html, timezone.localdate())
    assert 'aria-current="date"' in today and "heute" in today
    assert html.count('aria-current="date"') == 1


def test_cancelled_meetings_are_marked_and_multi_day_meetings_fill_each_day(client, world, manager_x):
    make_meeting(world.network_x, "Abgesagter Workshop", date(2030, 6, 5), status=Meeting.Status.CANCELLED)
    Meeting.objects.create(
        network=world.network_x, title="Messe Hannover", starts_at=services.meeting_at(date(2030, 6, 18), 9), ends_at=services.meeting_at(date(2030, 6, 20), 18)
    )
    client.force_login(manager_x)
    html = client.get(u("events:calendar_month", 2030, 6)).text
    cancelled = cell(html, date(2030, 6, 5))
    assert '<li class="cancelled">' in cancelled and "abgesagt" in cancelled
    assert "09:00" in cell(html, date(2030, 6, 18)) and "Messe Hannover" in cell(html, date(2030, 6, 18))
    assert "Messe Hannover" in cell(html, date(2030, 6, 20)) and "09:00" not in cell(html, date(2030, 6, 20))
    assert "Messe Hannover" not in cell(html, date(2030, 6, 21))


def test_month_navigation_crosses_the_year_end(client, world, manager_x):
    client.force_login(manager_x)
    december = client.get(u("events:calendar_month", 2030, 12)).text
    assert f'href="{u("events:calendar_month", 2031, 1)}" rel="next"' in december
    assert f'href="{u("events:calendar_month", 2030, 11)}" rel="prev"' in december
    january = client.get(u("events:calendar_month", 2031, 1)).text
    assert f'href="{u("events:calendar_month", 2030, 12)}" rel="prev"' in january
    assert 'rel="next"' not in client.get(u("events:calendar_month", 2100, 12)).text
    assert 'rel="prev"' not in client.get(u("events:calendar_month", 2000, 1)).text


@pytest.mark.parametrize(("year", "month"), [(2030, 13), (2030, 0), (1999, 12), (2101, 1)])
def test_a_month_out_of_range_is_404(client, world, manager_x, year, month):
    client.force_login(manager_x)
    assert client.get(u("events:calendar_month", year, month)).status_code == 404


def test_the_calendar_needs_the_same_queries_for_3_and_12_meetings(client, world, manager_x):
    client.force_login(manager_x)
    counts = []
    for total in (3, 12):
        Meeting.objects.all().delete()
        for i in range(total):
            make_meeting(world.network_x, f"Treffen {i}", date(2030, 6, 1 + i * 2))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(u("events:calendar_month", 2030, 6))
        assert response.text.count('class="meeting-title"') == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_meeting_list_links_to_the_calendar_and_back(client, world, manager_x):
    client.force_login(manager_x)
    assert f'href="{u("events:calendar")}"' in client.get(u("events:meeting_list")).text
    assert f'href="{u("events:meeting_list")}"' in client.get(u("events:calendar")).text


# --- series: create, rename, delete -------------------------------------------------


def test_manager_creates_a_series_and_a_duplicate_name_is_explained(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(u("events:series_create"), {"name": "  Koordinierungstreffen  "})
    series = MeetingSeries.objects.get()
    assert response.status_code == 302 and response["Location"] == u("events:series", series.pk)
    assert series.name == "Koordinierungstreffen" and series.network == world.network_x
    for name in ("Koordinierungstreffen", "koordinierungstreffen"):
        response = client.post(u("events:series_create"), {"name": name})
        assert response.status_code == 200
        assert "gibt es in diesem Verbund schon" in response.text
    assert MeetingSeries.objects.count() == 1
    listing = client.get(u("events:series_list")).text
    assert "Koordinierungstreffen" in listing


def test_the_same_name_is_fine_in_another_network(world, manager_x, manager_y):
    series_create(network=world.network_x, by=manager_x, name="AG Energie")
    series_create(network=world.network_y, by=manager_y, name="AG Energie")
    assert MeetingSeries.objects.filter(name="AG Energie").count() == 2


def test_rename_to_a_taken_name_is_refused_and_a_free_one_saved(client, world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="AG Energie")
    series_create(network=world.network_x, by=manager_x, name="AG Fachkräfte")
    client.force_login(manager_x)
    response = client.post(u("events:series_edit", series.pk), {"name": "AG Fachkräfte"})
    assert response.status_code == 200 and "gibt es in diesem Verbund schon" in response.text
    series.refresh_from_db()
    assert series.name == "AG Energie"
    assert client.post(u("events:series_edit", series.pk), {"name": "AG Energie und Klima"}).status_code == 302
    series.refresh_from_db()
    assert series.name == "AG Energie und Klima"
    series_rename(series=series, by=manager_x, name="AG Energie und Klima")  # unchanged: no complaint about itself
    with pytest.raises(ValidationError) as exc:
        series_rename(series=series, by=manager_x, name="ag fachkräfte")
    assert "name" in exc.value.message_dict


def test_deleting_a_series_keeps_its_meetings(client, world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="Runder Tisch")
    first = make_meeting(world.network_x, "Runder Tisch 1", date(2030, 1, 10), series=series)
    second = make_meeting(world.network_x, "Runder Tisch 2", date(2030, 4, 10), series=series)
    client.force_login(manager_x)
    assert client.get(u("events:series_delete", series.pk)).status_code == 405
    response = client.post(u("events:series_delete", series.pk), follow=True)
    assert response.redirect_chain[-1][0] == u("events:series_list")
    assert "Ihre 2 Treffen bleiben erhalten" in response.text
    assert not MeetingSeries.objects.exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.series is None and second.series is None


def test_series_delete_service_returns_the_meeting_count(world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="Leer")
    assert series_delete(series=series, by=manager_x) == 0
    assert not MeetingSeries.objects.exists()


# --- series: the list, the page, the next meeting ------------------------------------


@pytest.fixture
def series_with_history(world, manager_x):
    """A quarterly series: one meeting long ago with a programme and action items, one 13 weeks later."""
    series = series_create(network=world.network_x, by=manager_x, name="Koordinierungstreffen")
    today = timezone.localdate()
    earlier = make_meeting(world.network_x, "Koordinierungstreffen I", today - timedelta(weeks=20), hour=9, series=series, venue_name="Rathaus Rheine")
    last = make_meeting(world.network_x, "Koordinierungstreffen II", today - timedelta(weeks=7), hour=9, series=series, venue_name="Rathaus Rheine")
    AgendaItem.objects.create(meeting=last, position=1, starts_at=time(9), ends_at=time(9, 30), kind="welcome", title="Begrüßung")
    AgendaItem.objects.create(meeting=last, position=2, starts_at=time(9, 30), ends_at=time(10, 30), kind="talk", title="Stand der Projekte")
    owner = Contact.objects.get(organisation=world.org_a)
    ActionItem.objects.create(network=world.network_x, meeting=earlier, title="Förderantrag einreichen", owner=owner, due_on=date(2030, 5, 31))
    ActionItem.objects.create(network=world.network_x, meeting=last, title="Referenten anfragen")
    ActionItem.objects.create(network=world.network_x, meeting=last, title="Protokoll verschicken", done_at=timezone.now())
    other = make_meeting(world.network_x, "Einzeltreffen", today - timedelta(weeks=3))
    ActionItem.objects.create(network=world.network_x, meeting=other, title="Nicht aus der Reihe")
    return series


def test_the_series_list_shows_counts_and_dates(client, world, manager_x, series_with_history):
    series_create(network=world.network_y, by=world.users["manager_y"], name="Reihe aus Y")
    client.force_login(manager_x)
    html = client.get(u("events:series_list")).text
    row = re.search(r"<tr>\s*<td[^>]*><a [^>]*>Koordinierungstreffen</a></td>.*?</tr>", html, re.DOTALL).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    last_day = timezone.localdate() - timedelta(weeks=7)
    assert cells[1:] == ["2", last_day.strftime("%d.%m.%Y"), "–", "2"]
    assert "Reihe aus Y" not in html


def test_the_series_page_shows_its_meetings_and_open_action_items(client, world, manager_x, series_with_history):
    client.force_login(manager_x)
    html = client.get(u("events:series", series_with_history.pk)).text
    assert "Koordinierungstreffen I" in html and "Koordinierungstreffen II" in html
    items = html.split('id="action-items"', 1)[1]
    assert "Förderantrag einreichen" in items and "Mia member_a_x (Alpha GmbH)" in items and "31.05.2030" in items
    assert "Referenten anfragen" in items
    assert "Protokoll verschicken" not in items  # done
    assert "Nicht aus der Reihe" not in items  # another meeting's
    assert items.index("Förderantrag einreichen") < items.index("Referenten anfragen")  # by due date, undated last


def test_the_next_meeting_form_is_prefilled_from_the_last_meeting(client, world, manager_x, series_with_history):
    client.force_login(manager_x)
    response = client.get(u("events:series_next", series_with_history.pk))
    assert response.status_code == 200
    form = response.context["form"]
    last_day = timezone.localdate() - timedelta(weeks=7)
    expected_day = last_day + timedelta(weeks=13)  # the series' rhythm, the first step after today
    assert form["title"].value() == "Koordinierungstreffen II"
    assert form["venue_name"].value() == "Rathaus Rheine"
    assert form["starts_at"].value() == datetime.combine(expected_day, time(9))  # local wall-clock time, as the form shows it
    assert form["ends_at"].value() == datetime.combine(expected_day, time(11))
    assert f'value="{expected_day:%Y-%m-%d}T09:00"' in response.text


def test_the_next_meeting_copies_the_programme_and_joins_the_series(client, world, manager_x, series_with_history):
    other = series_create(network=world.network_x, by=manager_x, name="Andere Reihe")
    client.force_login(manager_x)
    day = timezone.localdate() + timedelta(days=30)
    data = {
        "title": "Koordinierungstreffen III",
        "kind": "coordination",
        "status": "planned",
        "series": other.pk,  # the series is fixed
        "starts_at": f"{day:%Y-%m-%d}T09:00",
        "ends_at": f"{day:%Y-%m-%d}T12:00",
    }
    response = client.post(u("events:series_next", series_with_history.pk), data)
    meeting = Meeting.objects.get(title="Koordinierungstreffen III")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.series == series_with_history
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Begrüßung", "Stand der Projekte"]
    page = client.get(u("events:series", series_with_history.pk)).text
    upcoming = page.split('id="upcoming-heading"', 1)[1].split('id="past-heading"', 1)[0]
    assert "Koordinierungstreffen III" in upcoming


def test_the_next_meeting_form_explains_bad_dates(client, world, manager_x, series_with_history):
    client.force_login(manager_x)
    data = {"title": "Falsch", "kind": "coordination", "status": "planned", "starts_at": "2031-03-04T12:00", "ends_at": "2031-03-04T10:00"}
    response = client.post(u("events:series_next", series_with_history.pk), data)
    assert response.status_code == 200 and "nach dem Beginn" in response.text
    assert not Meeting.objects.filter(title="Falsch").exists()


def test_a_meeting_in_year_one_is_refused_and_the_series_still_opens(client, world, manager_x, series_with_history):
    """0001-01-01 00:00 in Berlin is a timestamp before year 1 in UTC: stored, it broke every page listing it (S-2)."""
    client.force_login(manager_x)
    data = {"title": "Antik", "kind": "coordination", "status": "planned", "starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T02:00"}
    response = client.post(u("events:series_next", series_with_history.pk), data)
    assert response.status_code == 200 and "zwischen 1900 und 2999" in response.text
    assert not Meeting.objects.filter(title="Antik").exists()
    assert client.get(u("events:series_next", series_with_history.pk)).status_code == 200


def test_the_next_meeting_of_an_empty_series_starts_from_its_name(client, world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="Neue Reihe")
    client.force_login(manager_x)
    form = client.get(u("events:series_next", series.pk)).context["form"]
    assert form["title"].value() == "Neue Reihe" and form["starts_at"].value() is None


def test_suggested_day_keeps_the_rhythm_and_lies_after_today():
    today = date(2030, 6, 15)
    assert suggested_day([date(2030, 6, 1), date(2030, 5, 4)], today) == date(2030, 6, 29)  # every four weeks
    assert suggested_day([date(2030, 1, 10), date(2029, 10, 10)], today) == date(2030, 7, 13)  # 92 days, twice
    assert suggested_day([date(2030, 6, 10)], today) == date(2030, 7, 8)  # one meeting: four weeks
    assert suggested_day([date(2030, 6, 10), date(2030, 6, 10)], today) == date(2030, 7, 8)  # same day: four weeks


# --- access ---------------------------------------------------------------------------


def test_another_networks_series_is_404_and_untouched(client, world, manager_x):
    theirs = series_create(network=world.network_y, by=world.users["manager_y"], name="Reihe Y")
    client.force_login(manager_x)
    for name in ("events:series", "events:series_edit", "events:series_next"):
        assert client.get(u(name, theirs.pk)).status_code == 404
    assert client.post(u("events:series_edit", theirs.pk), {"name": "Gekapert"}).status_code == 404
    assert client.post(u("events:series_delete", theirs.pk)).status_code == 404
    assert client.post(u("events:series_next", theirs.pk), {"title": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Reihe Y"


def test_outsiders_get_404_for_network_x_calendar_and_series(client, world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="Reihe X")
    for persona in ("manager_y", "member_a_x"):
        client.force_login(world.users[persona])
        assert client.get(u("events:calendar")).status_code == 404
        assert client.get(u("events:series", series.pk)).status_code == 404
        assert client.post(u("events:series_delete", series.pk)).status_code == 404
    assert MeetingSeries.objects.filter(pk=series.pk).exists()


def test_an_observer_reads_but_cannot_change(client, world, manager_x):
    series = series_create(network=world.network_x, by=manager_x, name="Reihe X")
    observer = make_user("observer@example.org")
    ManagerRole.objects.create(user=observer, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    client.force_login(observer)
    page = client.get(u("events:series", series.pk))
    assert page.status_code == 200 and u("events:series_next", series.pk) not in page.text
    assert client.get(u("events:calendar")).status_code == 200
    assert client.get(u("events:series_next", series.pk)).status_code == 403
    assert client.post(u("events:series_create"), {"name": "Neu"}).status_code == 403
    assert client.post(u("events:series_delete", series.pk)).status_code == 403
