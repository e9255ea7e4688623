"""Meeting pages for managers and members, and the start pages' meeting figures."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import ActionItem, Meeting, MinuteEntry, Registration
from members.models import Contact


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=14)
    return services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Transferworkshop",
            "kind": "workshop",
            "starts_at": services.meeting_at(day, 9, 30),
            "ends_at": services.meeting_at(day, 15, 30),
            "capacity": 1,
        },
    )


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


def test_manager_creates_a_meeting_and_bad_dates_are_explained(client, world, manager_x):
    client.force_login(manager_x)
    data = {"title": "Koordinierungstreffen", "kind": "coordination", "status": "planned", "starts_at": "2030-03-01T10:00", "ends_at": "2030-03-01T09:00"}
    response = client.post(u("events:meeting_create"), data)
    assert response.status_code == 200 and "nach dem Beginn" in response.text
    assert not Meeting.objects.exists()
    response = client.post(u("events:meeting_create"), {**data, "ends_at": "2030-03-01T16:00"})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert timezone.localtime(meeting.starts_at).hour == 10


def test_agenda_overlap_via_the_page_gets_a_message_and_htmx_swaps_the_programme(client, world, manager_x, meeting):
    client.force_login(manager_x)
    client.post(u("events:agenda_add", meeting.pk), {"starts_at": "10:00", "ends_at": "10:30", "kind": "welcome", "title": "Begrüßung"})
    response = client.post(
        u("events:agenda_add", meeting.pk), {"starts_at": "10:15", "ends_at": "11:00", "kind": "talk", "title": "Cluster"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="agenda"')
    assert "Überschneidet sich mit „Begrüßung“" in response.text
    assert meeting.agenda_items.count() == 1


def test_capacity_waitlist_through_the_pages(client, world, manager_x, meeting):
    client.force_login(manager_x)
    a, b = Contact.objects.get(organisation=world.org_a), Contact.objects.get(organisation=world.org_b)
    client.post(u("events:registration_add", meeting.pk), {"contact": a.pk})
    response = client.post(u("events:registration_add", meeting.pk), {"contact": b.pk}, follow=True)
    assert "steht auf der Warteliste" in response.text
    first = Registration.objects.get(contact=a)
    client.post(u("events:registration_cancel", meeting.pk, first.pk))
    assert Registration.objects.get(contact=b).status == "registered"


def test_manager_cannot_register_another_networks_contact(client, world, manager_x, meeting):
    client.force_login(manager_x)
    client.post(u("events:registration_add", meeting.pk), {"contact": Contact.objects.get(organisation=world.org_c).pk})
    assert not Registration.objects.exists()


def test_minutes_and_action_items(client, world, manager_x, meeting):
    client.force_login(manager_x)
    client.post(u("events:minute_add", meeting.pk), {"kind": "question", "text": "Wie werden Cluster finanziert?"})
    client.post(u("events:minute_add", meeting.pk), {"kind": "answer", "text": "Öffentliche Anschubfinanzierung, dann Eigenmittel."})
    assert list(MinuteEntry.objects.values_list("kind", flat=True)) == ["question", "answer"]
    owner = Contact.objects.get(organisation=world.org_a)
    client.post(u("events:action_item_add", meeting.pk), {"title": "BMBF-Antrag vorbereiten", "owner": owner.pk, "due_on": "2020-01-01"})
    item = ActionItem.objects.get()
    home = client.get(reverse("manage:network_home", args=["netz-x"]))
    assert "BMBF-Antrag vorbereiten" in home.text and "überfällig" in home.text
    client.post(u("events:action_item_done", item.pk))
    item.refresh_from_db()
    assert item.done_at is not None


def test_start_pages_show_the_next_meeting_and_the_cadence_warning(client, world, manager_x, meeting):
    world.network_x.meetings_per_year = 4
    world.network_x.save()
    client.force_login(manager_x)
    home = client.get(reverse("manage:network_home", args=["netz-x"]))
    assert "Transferworkshop" in home.text
    assert "0 von 4 geplanten Treffen" in home.text
    index = client.get(reverse("manage:index"))
    assert index.context["roles"][0].next_meeting_title == "Transferworkshop"


def test_meeting_detail_runs_a_constant_number_of_queries(client, world, manager_x, meeting):
    client.force_login(manager_x)

    tabs = ["overview", "programme", "participants", "minutes", "files"]

    def count(tab: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(u("events:meeting", meeting.pk), {"tab": tab}).status_code == 200
        return len(ctx)

    services.agenda_item_save(meeting=meeting, by=manager_x, data={"starts_at": time(9, 30), "ends_at": time(10), "title": "A"})
    services.registration_register(meeting=meeting, by=manager_x, guest={"name": "Gast 0"}, by_manager=True)
    services.minute_add(meeting=meeting, by=manager_x, data={"kind": "question", "text": "Frage 0"})
    few = {tab: count(tab) for tab in tabs}
    for i in range(1, 15):
        services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.create(organisation=world.org_a, last_name=f"P{i}"))
        services.registration_register(meeting=meeting, by=manager_x, guest={"name": f"Gast {i}", "organisation": "Extern"}, by_manager=True)
        services.minute_add(meeting=meeting, by=manager_x, data={"kind": "answer", "text": f"Antwort {i}"})
    for hour in range(10, 15):
        services.agenda_item_save(meeting=meeting, by=manager_x, data={"starts_at": time(hour), "ends_at": time(hour, 30), "title": f"Punkt {hour}"})
    assert {tab: count(tab) for tab in tabs} == few


def test_member_registers_self_and_colleague_and_cancels(client, world, member_a_x, meeting):
    meeting.capacity = None
    meeting.save()
    colleague = Contact.objects.create(organisation=world.org_a, last_name="Kollegin")
    me = member_a_x.contact
    client.force_login(member_a_x)
    assert "Transferworkshop" in client.get(reverse("portal_events:meeting_list")).text
    response = client.post(
        reverse("portal_events:register", args=[meeting.pk]), {"people": [me.pk, colleague.pk], "consent_participant_list": "on"}, follow=True
    )
    assert "Angemeldet" in response.text
    assert set(Registration.objects.values_list("contact__last_name", flat=True)) == {"member_a_x", "Kollegin"}
    assert Registration.objects.get(contact=me).consent_participant_list
    registration = Registration.objects.get(contact=colleague)
    client.post(reverse("portal_events:cancel", args=[meeting.pk, registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_forged_registration_for_another_companys_contact_is_refused(client, world, member_a_x, meeting):
    client.force_login(member_a_x)
    foreign = Contact.objects.get(organisation=world.org_b)
    response = client.post(reverse("portal_events:register", args=[meeting.pk]), {"people": [foreign.pk]}, follow=True)
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_registration_after_the_deadline_is_refused_in_the_portal(client, world, member_a_x, meeting):
    meeting.registration_deadline = timezone.now() - timedelta(minutes=5)
    meeting.save()
    client.force_login(member_a_x)
    response = client.post(reverse("portal_events:register", args=[meeting.pk]), {"people": [member_a_x.contact.pk]}, follow=True)
    assert "Anmeldung ist geschlossen" in response.text or "Anmeldefrist ist abgelaufen" in response.text
    assert not Registration.objects.exists()


def test_members_of_other_networks_do_not_see_the_meeting(client, world, meeting):
    client.force_login(world.users["member_c_y"])
    assert client.get(reverse("portal_events:meeting", args=[meeting.pk])).status_code == 404
    assert "Transferworkshop" not in client.get(reverse("portal_events:meeting_list")).text


def test_check_in_search_mark_present_and_walk_in(client, world, manager_x, meeting):
    meeting.capacity = None
    meeting.save()
    a = Contact.objects.get(organisation=world.org_a)
    services.registration_register(meeting=meeting, contact=a, by=manager_x)
    services.registration_register(meeting=meeting, contact=Contact.objects.get(organisation=world.org_b), by=manager_x)
    client.force_login(manager_x)
    page = client.get(u("events:check_in", meeting.pk), {"q": "Alpha"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="check-in-list")
    assert page.text.lstrip().startswith('<section id="check-in-list"')
    assert "member_a_x" in page.text and "member_b_x" not in page.text
    registration = Registration.objects.get(contact=a)
    response = client.post(
        u("events:registration_attendance", meeting.pk, registration.pk), {"attended": "1", "next": "check-in", "q": "Alpha"}, HTTP_HX_REQUEST="true"
    )
    assert "1 von 2 anwesend" in response.text
    client.post(u("events:walk_in", meeting.pk), {"guest": "1", "name": "Spontane Besucherin", "organisation": "Kreis Steinfurt"})
    walk_in = Registration.objects.get(guest_name="Spontane Besucherin")
    assert walk_in.status == "attended"


def test_check_in_runs_a_constant_number_of_queries(client, world, manager_x, meeting):
    meeting.capacity = None
    meeting.save()
    client.force_login(manager_x)
    services.registration_register(meeting=meeting, by=manager_x, guest={"name": "Gast 0"}, by_manager=True)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(u("events:check_in", meeting.pk)).status_code == 200
        return len(ctx)

    few = count()
    for i in range(20):
        services.registration_register(meeting=meeting, by=manager_x, contact=Contact.objects.create(organisation=world.org_a, last_name=f"P{i}"))
    assert count() == few


def test_a_long_check_in_list_links_to_the_consent_form_instead_of_carrying_one_per_person(client, world, manager_x, meeting):
    from events.views.meetings import INLINE_CONSENT_FORMS

    meeting.capacity = None
    meeting.save()
    client.force_login(manager_x)
    for i in range(INLINE_CONSENT_FORMS):
        services.registration_register(meeting=meeting, by=manager_x, guest={"name": f"Gast {i}"}, by_manager=True)
    short = client.get(u("events:check_in", meeting.pk)).text
    assert short.count('class="consent-edit') == INLINE_CONSENT_FORMS
    services.registration_register(meeting=meeting, by=manager_x, guest={"name": "Gast zu viel"}, by_manager=True)
    long = client.get(u("events:check_in", meeting.pk)).text
    assert 'class="consent-edit' not in long
    assert long.count("?next=check-in") == INLINE_CONSENT_FORMS + 1
    # Every "Ist da" button posts through the list's one form: 61 people, not 61 forms with a token each.
    assert long.count('form="check-in-marks"') == INLINE_CONSENT_FORMS + 1
    assert long.count('id="check-in-marks"') == 1 and long.count("csrfmiddlewaretoken") < 10


def test_the_overview_tab_counts_the_participants_without_reading_them_or_the_networks_people(client, world, manager_x, meeting):
    """A meeting with hundreds of registrations: the overview shows counts; the list and the people dropdown belong to their tab."""
    meeting.capacity = None
    meeting.save()
    client.force_login(manager_x)
    for i in range(3):
        services.registration_register(meeting=meeting, by=manager_x, guest={"name": f"Gast {i}"}, by_manager=True)
    with CaptureQueriesContext(connection) as ctx:
        overview = client.get(u("events:meeting", meeting.pk))
    assert overview.status_code == 200 and "3" in overview.text
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if 'FROM "members_contact"' in q and '"members_contact"."user_id" =' not in q]  # but the own person
    assert not [q for q in sql if 'FROM "events_registration"' in q and "COUNT(" not in q]
    participants = client.get(u("events:meeting", meeting.pk), {"tab": "participants"})
    assert "Gast 2" in participants.text and 'id="register_contact"' in participants.text
