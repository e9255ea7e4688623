"""The month calendar and meeting series for managers: /manage/<network_slug>/meetings/calendar/… and …/series/…

Series come through `MeetingSeries.objects.filter(network=request.network)`, meetings
through `Meeting.objects.for_network(...)`, so another network's series is a 404.
"""

from __future__ import annotations

from calendar import MONDAY, Calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from events import services
from events.forms.meetings import MeetingForm
from events.models import MEETING_FIELDS, MEETING_OWN_FIELDS, ActionItem, Meeting, MeetingSeries, Registration
from events.services_series import series_create, series_delete, series_rename
from verbund.access import NetworkRequest, network_required
from verbund.forms import CleanTextMixin
from verbund.models import Network

FIRST_YEAR, LAST_YEAR = 2000, 2100


# --- month calendar ---------------------------------------------------------------


@dataclass
class CalendarDay:
    date: date
    in_month: bool
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)


@dataclass
class MonthGrid:
    first: date  # the first of the month shown
    weeks: list[list[CalendarDay]]
    previous: date | None  # the first of the month before, None outside FIRST_YEAR…LAST_YEAR
    next: date | None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_in_range(year: int, month: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12


def _shift_month(first: date, months: int) -> date | None:
    year, month = divmod(first.year * 12 + first.month - 1 + months, 12)
    return date(year, month + 1, 1) if _month_in_range(year, month + 1) else None


def month_grid(*, network: Network, year: int, month: int, today: date) -> MonthGrid:
    """Weeks of a month, Monday first, padded with the neighbouring months' days, with the network's meetings per day.

    One query, however many meetings; a meeting over several days appears on each of them.
    """
    weeks = Calendar(firstweekday=MONDAY).monthdatescalendar(year, month)
    first_shown, last_shown = weeks[0][0], weeks[-1][-1]
    meetings = (
        Meeting.objects.for_network(network)
        .filter(starts_at__lt=_local_midnight(last_shown + timedelta(days=1)), ends_at__gt=_local_midnight(first_shown))
        .select_related("network")  # get_absolute_url
        .order_by("starts_at", "pk")
    )
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        day = max(timezone.localdate(meeting.starts_at), first_shown)
        # A meeting ending at midnight does not reach into the next day.
        last = min(timezone.localdate(meeting.ends_at - timedelta(microseconds=1)), last_shown)
        while day <= last:
            by_day[day].append(meeting)
            day += timedelta(days=1)
    first = date(year, month, 1)
    return MonthGrid(
        first=first,
        weeks=[[CalendarDay(day, day.month == month, day == today, by_day.get(day, [])) for day in week] for week in weeks],
        previous=_shift_month(first, -1),
        next=_shift_month(first, 1),
    )


@network_required()
def calendar_month(request: NetworkRequest, year: int | None = None, month: int | None = None) -> HttpResponse:
    today = timezone.localdate()
    if year is None or month is None:
        year, month = today.year, today.month
    if not _month_in_range(year, month):
        raise Http404("No such month.")
    grid = month_grid(network=request.network, year=year, month=month, today=today)
    is_current = (year, month) == (today.year, today.month)
    return render(request, "events/calendar.html", {"network": request.network, "grid": grid, "is_current": is_current})


# --- series -----------------------------------------------------------------------


class SeriesForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name der Reihe"), max_length=200)


def _series(request: NetworkRequest, pk: int) -> MeetingSeries:
    return get_object_or_404(MeetingSeries.objects.filter(network=request.network), pk=pk)


def _can_manage(request: NetworkRequest) -> bool:
    return request.manager_role.role_enum.can_manage


@network_required()
def series_list(request: NetworkRequest) -> HttpResponse:
    now = timezone.now()
    taking_place = [s for s in Meeting.Status if s != Meeting.Status.CANCELLED]
    series = MeetingSeries.objects.filter(network=request.network).annotate(
        meeting_count=Count("meetings", distinct=True),
        last_meeting=Max("meetings__starts_at", filter=Q(meetings__ends_at__lt=now)),
        next_meeting=Min("meetings__starts_at", filter=Q(meetings__ends_at__gte=now, meetings__status__in=taking_place)),
        open_action_items=Count(
            "meetings__action_items", filter=Q(meetings__action_items__done_at__isnull=True, meetings__action_items__deleted_at__isnull=True), distinct=True
        ),
    )
    return render(request, "events/series_list.html", {"network": request.network, "series_list": series, "can_manage": _can_manage(request)})


@network_required(can_manage=True)
def series_create_view(request: NetworkRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = series_create(network=request.network, by=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Reihe „%(name)s“ angelegt.") % {"name": series.name})
            return redirect("events:series", network_slug=request.network.slug, pk=series.pk)
    return render(request, "events/series_form.html", {"network": request.network, "form": form})


@network_required()
def series_detail(request: NetworkRequest, pk: int) -> HttpResponse:
    series = _series(request, pk)
    meetings = series.meetings.annotate(
        registered=Count("registrations", filter=Q(registrations__status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED]))
    )
    open_items = (
        ActionItem.objects.for_network(request.network)
        .open()
        .filter(meeting__series=series)
        .select_related("owner__organisation", "meeting")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    return render(
        request,
        "events/series_detail.html",
        {
            "network": request.network,
            "series": series,
            "upcoming": meetings.upcoming(),
            "past": meetings.past(),
            "open_items": open_items,
            "can_manage": _can_manage(request),
        },
    )


@network_required(can_manage=True)
def series_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    series = _series(request, pk)
    form = SeriesForm(request.POST or None, initial={"name": series.name})
    if request.method == "POST" and form.is_valid():
        try:
            series_rename(series=series, by=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect("events:series", network_slug=request.network.slug, pk=series.pk)
    return render(request, "events/series_form.html", {"network": request.network, "form": form, "series": series})


@require_POST
@network_required(can_manage=True)
def series_delete_view(request: NetworkRequest, pk: int) -> HttpResponse:
    series = _series(request, pk)
    name = series.name
    count = series_delete(series=series, by=request.user)
    messages.success(
        request,
        ngettext(
            "Reihe „%(name)s“ gelöscht. Ihr %(count)d Treffen bleibt erhalten.",
            "Reihe „%(name)s“ gelöscht. Ihre %(count)d Treffen bleiben erhalten.",
            count,
        )
        % {"name": name, "count": count},
    )
    return redirect("events:series_list", network_slug=request.network.slug)


def suggested_day(dates: list[date], today: date) -> date:
    """The next date of a series: after its last meeting at its rhythm (the gap between the last two, else four weeks), after today.

    `dates` are the series' latest meeting days, newest first (at least one).
    """
    gap = dates[0] - dates[1] if len(dates) > 1 and dates[0] > dates[1] else timedelta(weeks=4)
    day = dates[0] + gap
    if day <= today:
        day += gap * ((today - day) // gap + 1)
    return day


def _next_meeting_initial(series: MeetingSeries, recent: list[Meeting]) -> dict[str, Any]:
    """Title, place and time of day from the series' last meeting; the date at the series' rhythm."""
    if not recent:
        return {"title": series.name, "series": series}
    last = recent[0]
    starts, ends = timezone.localtime(last.starts_at), timezone.localtime(last.ends_at)
    day = suggested_day([timezone.localdate(m.starts_at) for m in recent], timezone.localdate())
    return {
        **MEETING_FIELDS.values(last, MEETING_FIELDS.without(*MEETING_OWN_FIELDS)),
        "series": series,
        "starts_at": timezone.make_aware(datetime.combine(day, starts.time())),
        "ends_at": timezone.make_aware(datetime.combine(day + (ends.date() - starts.date()), ends.time())),
    }


@network_required(can_manage=True)
def series_next(request: NetworkRequest, pk: int) -> HttpResponse:
    """The next meeting of a series, prefilled from the last; `meeting_create` copies the last one's programme."""
    series = _series(request, pk)
    recent = list(series.meetings.order_by("-starts_at", "-pk")[:2])
    form = MeetingForm(request.POST or None, initial=_next_meeting_initial(series, recent), network=request.network)
    form.fields["series"].disabled = True  # this series, whatever is posted
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(network=request.network, by=request.user, data={**form.cleaned_data, "series": series})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Treffen „%(title)s“ angelegt.") % {"title": meeting.title})
            return redirect(meeting)
    return render(request, "events/series_next.html", {"network": request.network, "series": series, "form": form, "last": recent[0] if recent else None})
