"""The office's contact log and acquisition (cooperation.outreach): notes on an organisation, next steps in "Heute zu
tun", the Kümmerer, the pipeline on members' prospect status, the indicators, and DSGVO export and erasure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cooperation import outreach
from cooperation.models import ContactLogEntry, Prospect, ProspectStep
from health.todos import network_todos
from members.models import Contact, Membership, MembershipStatusChange, Organisation
from members.privacy import ERASED_NAME, organisation_data_export, person_erase
from tests.conftest import World

pytestmark = pytest.mark.django_db


def log(world: World, **kwargs) -> ContactLogEntry:
    data = {"kind": "call", "happened_on": timezone.localdate(), "contact": None, "summary": "Anruf", "next_step": "", "next_step_due": None} | kwargs
    return outreach.contact_log_create(network=world.network_x, organisation=world.org_a, by=world.users["manager_x"], data=data)


def prospect_in(world: World, name: str = "Delta OHG", on: date | None = None) -> Prospect:
    organisation = Organisation.objects.create(name=name)
    membership = Membership.objects.create(organisation=organisation, network=world.network_x, status=Membership.Status.PROSPECT)
    return outreach.prospect_start(membership=membership, by=world.users["manager_x"], data={"source": "event", "owner": None, "notes": ""}, on=on)


# --- contact log ---------------------------------------------------------------------------------------------


def test_a_manager_notes_a_call_with_a_next_step_on_the_organisation_page(client, world: World, manager_x):
    contact = world.org_a.contacts.get()
    client.force_login(manager_x)
    url = reverse("outreach:log_create", args=["netz-x", world.org_a.pk])
    today = timezone.localdate().isoformat()
    data = {
        "kind": "call",
        "happened_on": today,
        "contact": contact.pk,
        "summary": "Über den Stammtisch gesprochen",
        "next_step": "Einladung schicken",
        "next_step_due": today,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    entry = ContactLogEntry.objects.get()
    assert (entry.network, entry.organisation, entry.office_user, entry.contact) == (world.network_x, world.org_a, manager_x, contact)
    assert entry.history.first().history_user == manager_x
    page = client.get(reverse("directory:organisation", args=["netz-x", world.org_a.pk]))
    assert "Über den Stammtisch gesprochen" in page.text and "Einladung schicken" in page.text


def test_a_person_of_another_organisation_is_a_form_error(client, world: World, manager_x):
    client.force_login(manager_x)
    other = world.org_b.contacts.get()
    response = client.post(
        reverse("outreach:log_create", args=["netz-x", world.org_a.pk]), {"kind": "call", "happened_on": "2026-03-02", "contact": other.pk, "summary": "x"}
    )
    assert response.status_code == 200 and not ContactLogEntry.objects.exists()


def test_a_due_date_without_a_next_step_is_refused(world: World):
    with pytest.raises(ValidationError):
        log(world, next_step_due=timezone.localdate())


def test_another_networks_manager_gets_404_for_the_entry_and_the_organisation(client, world: World, manager_y):
    entry = log(world, next_step="Anrufen", next_step_due=timezone.localdate())
    client.force_login(manager_y)
    assert client.post(reverse("outreach:step_done", args=["netz-y", entry.pk])).status_code == 404
    assert client.get(reverse("outreach:log_create", args=["netz-y", world.org_a.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.next_step_done_at is None


def test_the_log_filters_by_kind_person_and_open_steps(client, world: World, manager_x):
    log(world, kind="visit", summary="Besuch in der Werkstatt")
    log(world, kind="call", summary="Anruf wegen Termin", next_step="Termin bestätigen", next_step_due=timezone.localdate() + timedelta(days=3))
    client.force_login(manager_x)
    url = reverse("outreach:log", args=["netz-x"])
    assert "Besuch in der Werkstatt" in client.get(url + "?kind=visit").text
    assert "Anruf wegen Termin" not in client.get(url + "?kind=visit").text
    open_only = client.get(url + "?open=on").text
    assert "Anruf wegen Termin" in open_only and "Besuch in der Werkstatt" not in open_only
    assert "Besuch in der Werkstatt" in client.get(url + f"?who={manager_x.pk}").text


def test_a_next_step_due_today_is_in_heute_zu_tun_until_it_is_done(client, world: World, manager_x):
    today = timezone.localdate()
    entry = log(world, next_step="Beitrittsunterlagen schicken", next_step_due=today)
    log(world, next_step="Später nachfassen", next_step_due=today + timedelta(days=5))  # not due yet
    overdue = log(world, next_step="Rückruf", next_step_due=today - timedelta(days=2))
    groups = {g.kind: g for g in network_todos(world.network_x, user=manager_x)}
    labels = [item.label for item in groups["next_steps"].items]
    assert labels == ["Rückruf", "Beitrittsunterlagen schicken"]  # overdue first
    assert groups["next_steps"].items[0].urgency == "overdue"
    assert not any(g.kind == "next_steps" for g in network_todos(world.network_y, user=world.users["manager_y"]))

    client.force_login(manager_x)
    response = client.post(reverse("outreach:step_done", args=["netz-x", entry.pk]))
    assert response.status_code == 302 and response.url.endswith("?open=on")
    outreach.contact_log_step_done(entry=overdue, by=manager_x)
    assert not any(g.kind == "next_steps" for g in network_todos(world.network_x, user=manager_x))


def test_marking_done_twice_keeps_the_first_time(world: World, manager_x):
    entry = log(world, next_step="Anrufen", next_step_due=timezone.localdate())
    first = outreach.contact_log_step_done(entry=entry, by=manager_x).next_step_done_at
    assert outreach.contact_log_step_done(entry=entry, by=manager_x).next_step_done_at == first


# --- Kümmerer ------------------------------------------------------------------------------------------------


def test_a_contact_is_marked_as_kuemmerer_in_the_contact_form_and_shown_on_the_page(client, world: World, manager_x):
    contact = world.org_a.contacts.get()
    client.force_login(manager_x)
    url = reverse("directory:contact_edit", args=["netz-x", contact.pk])
    assert 'name="is_kuemmerer"' in client.get(url).text
    data = {"salutation": "", "title": "", "first_name": contact.first_name, "last_name": contact.last_name, "function": "", "email": contact.email}
    response = client.post(url, data | {"phone": "", "is_primary": "on", "is_kuemmerer": "on"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.is_kuemmerer
    assert "Kümmerer:in" in client.get(reverse("directory:organisation", args=["netz-x", world.org_a.pk])).text


# --- pipeline ------------------------------------------------------------------------------------------------


def test_a_prospect_moves_through_the_stages_and_becomes_a_member_through_members(client, world: World, manager_x):
    organisation = Organisation.objects.create(name="Delta OHG")
    membership = Membership.objects.create(organisation=organisation, network=world.network_x, status=Membership.Status.PROSPECT)
    client.force_login(manager_x)
    assert "Delta OHG" in client.get(reverse("outreach:pipeline", args=["netz-x"])).text  # waiting to be taken in
    response = client.post(reverse("outreach:prospect_start", args=["netz-x", membership.pk]), {"source": "recommendation", "owner": manager_x.pk, "notes": ""})
    assert response.status_code == 302
    prospect = Prospect.objects.get(membership=membership)
    start = timezone.localdate() - timedelta(days=30)
    ProspectStep.objects.filter(prospect=prospect).update(on=start)
    move = reverse("outreach:prospect_move", args=["netz-x", prospect.pk])
    client.post(move, {"to_stage": "first_talk", "on": (start + timedelta(days=10)).isoformat()})
    client.post(move, {"to_stage": "offer", "on": (start + timedelta(days=14)).isoformat()})
    client.post(move, {"to_stage": "won", "on": (start + timedelta(days=20)).isoformat()})

    prospect.refresh_from_db()
    membership.refresh_from_db()
    assert prospect.stage == Prospect.Stage.WON
    assert membership.status == Membership.Status.ACTIVE and membership.joined_on == start + timedelta(days=20)
    assert MembershipStatusChange.objects.filter(membership=membership, to_status="active", changed_by=manager_x).exists()
    assert [s.to_stage for s in prospect.steps.all()] == ["lead", "first_talk", "offer", "won"]
    figures = outreach.pipeline_figures(world.network_x)
    assert figures["conversion_rate"] == 1.0
    assert {stage: days for stage, _label, days in figures["median_days"]} == {"lead": 10, "first_talk": 4, "offer": 6}
    page = client.get(reverse("outreach:pipeline", args=["netz-x"])).text
    assert "100 %" in page


def test_a_won_prospect_moves_no_more_and_a_step_before_the_last_is_refused(world: World, manager_x):
    prospect = prospect_in(world, on=timezone.localdate() - timedelta(days=5))
    with pytest.raises(ValidationError):
        outreach.prospect_move(prospect=prospect, to_stage="first_talk", by=manager_x, on=timezone.localdate() - timedelta(days=9))
    outreach.prospect_move(prospect=prospect, to_stage="won", by=manager_x)
    with pytest.raises(ValidationError):
        outreach.prospect_move(prospect=prospect, to_stage="declined", by=manager_x)


def test_conversion_rate_counts_won_of_closed_and_is_none_without_closed(world: World, manager_x):
    assert outreach.pipeline_figures(world.network_x)["conversion_rate"] is None
    won, lost, _open = prospect_in(world, "Eins"), prospect_in(world, "Zwei"), prospect_in(world, "Drei")
    outreach.prospect_move(prospect=won, to_stage="won", by=manager_x)
    outreach.prospect_move(prospect=lost, to_stage="declined", by=manager_x)
    figures = outreach.pipeline_figures(world.network_x)
    assert figures["conversion_rate"] == 0.5
    assert {stage: n for stage, _label, n in figures["counts"]}["lead"] == 1
    lost.membership.refresh_from_db()
    assert lost.membership.status == Membership.Status.PROSPECT  # declined: never a member, not a former member


def test_only_a_prospect_membership_can_be_taken_in(world: World, manager_x):
    with pytest.raises(ValidationError):
        outreach.prospect_start(membership=world.org_a.memberships.get(), by=manager_x, data={"source": "event", "owner": None, "notes": ""})


# --- indicators ----------------------------------------------------------------------------------------------


def test_indicators_count_the_period_only(world: World, manager_x):
    today = timezone.localdate()
    log(world, kind="first_talk", happened_on=today)
    log(world, kind="call", happened_on=today)
    log(world, kind="first_talk", happened_on=today - timedelta(days=400))  # before the period
    outreach.prospect_move(prospect=prospect_in(world), to_stage="won", by=manager_x)
    for name in ("Epsilon KG", "Zeta GmbH"):
        outreach.prospect_move(prospect=prospect_in(world, name), to_stage="declined", by=manager_x)
    prospect_in(world, "Eta eG")  # still on its way: not in the conversion
    start = today - timedelta(days=30)
    assert outreach.indicators(world.network_x, start, today) == {"contacts_logged": 2, "first_talks": 1, "prospects_won": 1, "prospects_conversion": 33.3}
    assert outreach.indicators(world.network_y, start, today) == {"contacts_logged": 0, "first_talks": 0, "prospects_won": 0, "prospects_conversion": None}


# --- DSGVO ---------------------------------------------------------------------------------------------------


def test_the_log_is_in_the_organisations_data_export(world: World):
    contact = world.org_a.contacts.get()
    log(world, contact=contact, summary="Gespräch über Ausbildung", next_step="Anrufen", next_step_due=timezone.localdate())
    data = organisation_data_export(organisation=world.org_a)
    assert data["contact_log"][0]["person"] == contact.full_name
    assert data["contact_log"][0]["summary"] == "Gespräch über Ausbildung"
    assert "office_user" not in data["contact_log"][0]


def test_erasure_removes_the_persons_name_from_the_log_and_its_history(world: World):
    contact = Contact.objects.create(organisation=world.org_a, first_name="Zora", last_name="Zzcanary", email="zora@example.org", phone="05971 123456")
    entry = log(
        world, contact=contact, summary="Frau Zzcanary (zora@example.org) ruft zurück", next_step="Zora Zzcanary anrufen", next_step_due=timezone.localdate()
    )
    outreach.contact_log_step_done(entry=entry, by=world.users["manager_x"])
    person_erase(contact=contact, by=world.users["staff"])
    entry.refresh_from_db()
    assert "zzcanary" not in entry.summary.lower() and "zora@" not in entry.summary and ERASED_NAME in entry.summary
    assert "zzcanary" not in entry.next_step.lower()
    assert not ContactLogEntry.history.filter(id=entry.pk, summary__icontains="zzcanary").exists()
    assert not ContactLogEntry.history.filter(id=entry.pk, next_step__icontains="zzcanary").exists()
