"""Meeting rules: times, programme overlaps, capacity with waitlist and promotion, scoping of registrations."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import AgendaItem, Meeting, MeetingSeries, Registration
from members.models import Contact


@pytest.fixture
def meeting(world, manager_x):
    day = timezone.localdate() + timedelta(days=30)
    return services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Koordinierungstreffen",
            "kind": "coordination",
            "starts_at": services.meeting_at(day, 9, 30),
            "ends_at": services.meeting_at(day, 15, 30),
            "capacity": 2,
        },
    )


def item(meeting, manager, start, end, title="Vortrag", **extra):
    return services.agenda_item_save(meeting=meeting, by=manager, data={"starts_at": start, "ends_at": end, "title": title, **extra})


def test_end_before_start_is_refused(world, manager_x):
    day = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            network=world.network_x, by=manager_x, data={"title": "X", "starts_at": services.meeting_at(day, 12), "ends_at": services.meeting_at(day, 10)}
        )
    assert "nach dem Beginn" in str(exc.value)


def test_programme_items_may_not_overlap_unless_parallel(meeting, manager_x):
    item(meeting, manager_x, time(10, 0), time(10, 30), "Begrüßung")
    with pytest.raises(ValidationError) as exc:
        item(meeting, manager_x, time(10, 15), time(11, 0), "Cluster Management")
    assert "Überschneidet sich mit „Begrüßung“" in str(exc.value)
    item(meeting, manager_x, time(10, 15), time(11, 0), "Parallelsession", parallel=True)
    assert meeting.agenda_items.count() == 2


def test_programme_items_stay_inside_the_meeting(meeting, manager_x):
    with pytest.raises(ValidationError):
        item(meeting, manager_x, time(8, 0), time(9, 0))
    with pytest.raises(ValidationError):
        item(meeting, manager_x, time(15, 0), time(16, 0))
    with pytest.raises(ValidationError):
        item(meeting, manager_x, time(11, 0), time(10, 0))


def test_items_of_one_slot_move_up_and_down_but_the_time_orders_the_rest(meeting, manager_x):
    first = item(meeting, manager_x, time(11, 30), time(12, 30), "A")
    second = item(meeting, manager_x, time(11, 30), time(12, 30), "B")
    later = item(meeting, manager_x, time(12, 30), None, "C")
    services.agenda_item_move(item=second, by=manager_x, direction="up")
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["B", "A", "C"]
    services.agenda_item_move(item=first, by=manager_x, direction="up")
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["A", "B", "C"]
    with pytest.raises(ValidationError, match="ergibt sich aus der Uhrzeit"):
        services.agenda_item_move(item=later, by=manager_x, direction="up")


def test_capacity_waitlist_and_promotion(world, meeting, manager_x):
    a = Contact.objects.get(organisation=world.org_a)
    b = Contact.objects.get(organisation=world.org_b)
    extra = Contact.objects.create(organisation=world.org_a, last_name="Dritte")
    first = services.registration_register(meeting=meeting, contact=a, by=manager_x)
    services.registration_register(meeting=meeting, contact=b, by=manager_x)
    third = services.registration_register(meeting=meeting, contact=extra, by=manager_x)
    assert third.status == Registration.Status.WAITLISTED
    promoted = services.registration_cancel(registration=first, by=manager_x)
    assert promoted == third
    third.refresh_from_db()
    assert third.status == Registration.Status.REGISTERED


def test_registering_twice_returns_the_same_registration(world, meeting, manager_x):
    a = Contact.objects.get(organisation=world.org_a)
    assert services.registration_register(meeting=meeting, contact=a, by=manager_x) == services.registration_register(meeting=meeting, contact=a, by=manager_x)


def test_a_contact_of_another_network_cannot_be_registered(world, meeting, manager_x):
    with pytest.raises(ValidationError):
        services.registration_register(meeting=meeting, contact=Contact.objects.get(organisation=world.org_c), by=manager_x)


def test_only_a_round_table_takes_a_guest_from_another_network_and_only_from_the_office(world, meeting, manager_x, member_a_x):
    guest = Contact.objects.get(organisation=world.org_c)
    with pytest.raises(ValidationError):  # any other meeting keeps the membership rule, flag or not
        services.registration_register(meeting=meeting, contact=guest, by=manager_x, by_manager=True, round_table_guest=True)
    meeting.kind = Meeting.Kind.ROUND_TABLE
    meeting.save()
    with pytest.raises(ValidationError):  # a round table, too, without the caller vouching for the guest
        services.registration_register(meeting=meeting, contact=guest, by=manager_x, by_manager=True)
    with pytest.raises(ValidationError):  # and not from the portal
        services.registration_register(meeting=meeting, contact=guest, by=member_a_x, round_table_guest=True)
    registration = services.registration_register(meeting=meeting, contact=guest, by=manager_x, by_manager=True, round_table_guest=True)
    assert registration.status == Registration.Status.REGISTERED and registration.contact == guest


def test_registration_after_the_deadline_is_refused_for_members_but_not_managers(world, meeting, manager_x, member_a_x):
    meeting.registration_deadline = timezone.now() - timedelta(hours=1)
    meeting.save()
    a = Contact.objects.get(organisation=world.org_a)
    with pytest.raises(ValidationError):
        services.registration_register(meeting=meeting, contact=a, by=member_a_x)
    assert services.registration_register(meeting=meeting, contact=a, by=manager_x, by_manager=True).status == "registered"


def test_a_new_meeting_of_a_series_starts_from_the_last_programme(world, manager_x):
    series = MeetingSeries.objects.create(network=world.network_x, name="Koordinierungstreffen")
    day = date.today() + timedelta(days=10)
    first = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "KT 1", "series": series, "starts_at": services.meeting_at(day, 9), "ends_at": services.meeting_at(day, 12)},
    )
    item(first, manager_x, time(9, 0), time(9, 30), "Begrüßung", kind="welcome")
    second = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "KT 2",
            "series": series,
            "starts_at": services.meeting_at(day + timedelta(days=90), 9),
            "ends_at": services.meeting_at(day + timedelta(days=90), 12),
        },
    )
    assert list(second.agenda_items.values_list("title", flat=True)) == ["Begrüßung"]
    assert AgendaItem.objects.count() == 2


def test_action_item_owner_must_belong_to_the_network(world, manager_x):
    with pytest.raises(ValidationError):
        services.action_item_create(
            network=world.network_x, by=manager_x, data={"title": "Antrag schreiben", "owner": Contact.objects.get(organisation=world.org_c)}
        )
    item_ = services.action_item_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Antrag schreiben", "owner": Contact.objects.get(organisation=world.org_a), "due_on": date.today() - timedelta(days=1)},
    )
    assert item_.is_overdue
    services.action_item_complete(item=item_, by=manager_x)
    assert not item_.is_overdue
