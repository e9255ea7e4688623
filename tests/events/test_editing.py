"""Issue 14: what was entered on the meeting page is edited in place and deleted with undo; the programme orders itself
by time; the office records consent on every registration path; form errors appear at the form."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events import services
from events.documents import TEMPLATES, document_context
from events.models import ActionItem, AgendaItem, Meeting, MeetingDocument, MinuteEntry, Registration
from members.models import Contact

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=14)
    return services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Transferworkshop", "kind": "workshop", "starts_at": services.meeting_at(day, 9, 30), "ends_at": services.meeting_at(day, 15, 30)},
    )


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


def add(meeting, manager, start, end=None, title="Vortrag", **extra) -> AgendaItem:
    return services.agenda_item_save(meeting=meeting, by=manager, data={"starts_at": start, "ends_at": end, "title": title, **extra})


def titles(meeting) -> list[str]:
    return list(meeting.agenda_items.values_list("title", flat=True))


# --- the programme ------------------------------------------------------------------------


def test_three_talks_in_one_slot_are_no_overlap_but_a_real_overlap_still_is(meeting, manager_x):
    for n in (1, 2, 3):
        add(meeting, manager_x, time(11, 30), time(12, 30), f"Erfahrungen ({n})")
    for n in (1, 2, 3):
        add(meeting, manager_x, time(14), None, f"Ohne Ende ({n})")
    assert meeting.agenda_items.count() == 6
    with pytest.raises(ValidationError, match="Überschneidet sich mit „Erfahrungen"):
        add(meeting, manager_x, time(12), time(13), "Mittendrin")
    add(meeting, manager_x, time(12), time(13), "Parallel", parallel=True)


def test_an_item_added_later_lands_in_its_time_slot(meeting, manager_x):
    add(meeting, manager_x, time(10), time(10, 30), "Begrüßung")
    add(meeting, manager_x, time(13), time(14), "Exkursion")
    add(meeting, manager_x, time(11, 15), time(11, 30), "Pause")
    assert titles(meeting) == ["Begrüßung", "Pause", "Exkursion"]


def test_a_programme_item_is_edited_in_place_with_all_fields(client, meeting, manager_x):
    item = add(meeting, manager_x, time(15, 30), None, "Schluss", kind="end")
    client.force_login(manager_x)
    url = u("events:agenda_edit", meeting.pk, item.pk)
    form = client.get(url, **HTMX)
    assert form.status_code == 200 and form.text.lstrip().startswith('<section class="card" id="agenda"')
    assert f'id="agenda{item.pk}_title"' in form.text
    data = {
        "starts_at": "15:30",
        "starts_approx": "on",
        "kind": "talk",
        "title": "Schluss der Veranstaltung",
        "speaker": "Klaus Ehling",
        "speaker_function": "Vorstandsvorsitzender",
        "speaker_organisation": "Münsterland e.V.",
        "moderator": "Robert Tschiedel",
    }
    saved = client.post(url, data, **HTMX)
    assert saved.status_code == 200
    item.refresh_from_db()
    assert (item.title, item.speaker_function, item.starts_approx, item.moderator) == (
        "Schluss der Veranstaltung",
        "Vorstandsvorsitzender",
        True,
        "Robert Tschiedel",
    )
    assert "ca. 15:30 Uhr" in saved.text and "Vorstandsvorsitzender, Münsterland e.V." in saved.text


def test_without_javascript_the_edit_form_is_a_page_and_errors_keep_the_input(client, meeting, manager_x):
    item = add(meeting, manager_x, time(10), time(10, 30), "Begrüßung")
    add(meeting, manager_x, time(11), time(12), "Vortrag")
    client.force_login(manager_x)
    url = u("events:agenda_edit", meeting.pk, item.pk)
    assert "<html" in client.get(url).text
    refused = client.post(url, {"starts_at": "10:00", "ends_at": "11:30", "kind": "welcome", "title": "Begrüßung neu"})
    assert refused.status_code == 200 and "Überschneidet sich mit „Vortrag“" in refused.text and 'value="Begrüßung neu"' in refused.text
    item.refresh_from_db()
    assert item.title == "Begrüßung"
    assert client.post(url, {"starts_at": "10:00", "ends_at": "10:45", "kind": "welcome", "title": "Begrüßung neu"}).status_code == 302
    item.refresh_from_db()
    assert item.title == "Begrüßung neu"


def test_deleting_a_programme_item_is_undone_with_its_summary_and_minutes(client, meeting, manager_x):
    talk = add(meeting, manager_x, time(10, 30), time(11, 15), "Cluster Management", kind="talk", summary="Netzwerke brauchen Management.")
    question = services.minute_add(meeting=meeting, by=manager_x, data={"kind": "question", "text": "Wie finanziert?", "agenda_item": talk})
    client.force_login(manager_x)
    gone = client.post(u("events:agenda_delete", meeting.pk, talk.pk), **HTMX)
    assert "„10:30 Cluster Management“ entfernt." in gone.text and "Rückgängig" in gone.text
    assert not meeting.agenda_items.exists()
    question.refresh_from_db()
    assert question.agenda_item is None  # the documentation never shows minutes under a deleted item
    assert "Cluster Management" not in render_to_string(
        TEMPLATES[MeetingDocument.Kind.DOCUMENTATION], document_context(meeting, MeetingDocument.Kind.DOCUMENTATION)
    )
    back = client.post(u("events:agenda_restore", meeting.pk, talk.pk))
    assert back.status_code == 302
    talk = meeting.agenda_items.get()
    question.refresh_from_db()
    assert talk.summary == "Netzwerke brauchen Management." and question.agenda_item == talk
    assert "Rückgängig" not in client.get(meeting.get_absolute_url(), {"tab": "programme"}).text


def test_slot_neighbours_only_get_arrows(client, meeting, manager_x):
    add(meeting, manager_x, time(10), time(10, 30), "Begrüßung")
    first = add(meeting, manager_x, time(11, 30), time(12, 30), "Talk 1")
    second = add(meeting, manager_x, time(11, 30), time(12, 30), "Talk 2")
    client.force_login(manager_x)
    page = client.get(meeting.get_absolute_url(), {"tab": "programme"}).text
    assert "Begrüßung nach oben" not in page and "Begrüßung nach unten" not in page
    assert "Talk 1 nach unten" in page and "Talk 2 nach oben" in page
    client.post(u("events:agenda_move", meeting.pk, second.pk, "up"))
    assert titles(meeting) == ["Begrüßung", "Talk 2", "Talk 1"]
    assert first.pk


# --- minutes -----------------------------------------------------------------------------


def test_a_minute_is_edited_moved_to_another_item_reordered_deleted_and_restored(client, meeting, manager_x):
    talk = add(meeting, manager_x, time(10), time(11), "Vortrag 1")
    other = add(meeting, manager_x, time(11), time(12), "Vortrag 2")
    first = services.minute_add(meeting=meeting, by=manager_x, data={"kind": "question", "text": "Frage eins", "agenda_item": talk})
    second = services.minute_add(meeting=meeting, by=manager_x, data={"kind": "answer", "text": "Antwort", "agenda_item": talk})
    client.force_login(manager_x)
    edited = client.post(u("events:minute_edit", meeting.pk, first.pk), {"kind": "question", "text": "Frage eins, genauer", "agenda_item": other.pk}, **HTMX)
    assert edited.status_code == 200 and edited.text.lstrip().startswith('<section class="card" id="minutes"')
    first.refresh_from_db()
    assert (first.text, first.agenda_item) == ("Frage eins, genauer", other)
    client.post(u("events:minute_move", meeting.pk, second.pk, "up"), **HTMX)
    assert list(meeting.minutes.values_list("text", flat=True)) == ["Antwort", "Frage eins, genauer"]
    gone = client.post(u("events:minute_delete", meeting.pk, second.pk), **HTMX)
    assert "Rückgängig" in gone.text and list(meeting.minutes.values_list("pk", flat=True)) == [first.pk]
    client.post(u("events:minute_restore", meeting.pk, second.pk), **HTMX)
    assert list(meeting.minutes.values_list("text", flat=True)) == ["Antwort", "Frage eins, genauer"]


def test_an_empty_minute_shows_its_error_at_the_form(client, meeting, manager_x):
    client.force_login(manager_x)
    response = client.post(u("events:minute_add", meeting.pk), {"kind": "question", "text": ""}, **HTMX)
    assert response.status_code == 200 and response.text.lstrip().startswith('<section class="card" id="minutes"')
    assert "field-error" in response.text
    assert not MinuteEntry.objects.exists()


# --- action items ------------------------------------------------------------------------


def test_an_action_item_is_edited_deleted_and_restored(client, world, meeting, manager_x):
    owner = Contact.objects.get(organisation=world.org_a)
    item = services.action_item_create(network=world.network_x, meeting=meeting, by=manager_x, data={"title": "Antrag stellen"})
    client.force_login(manager_x)
    due = timezone.localdate() + timedelta(days=30)
    url = u("events:action_item_edit", meeting.pk, item.pk)
    assert f'id="action{item.pk}_title"' in client.get(url, **HTMX).text
    client.post(url, {"title": "Antrag schreiben", "owner": owner.pk, "due_on": due.isoformat()}, **HTMX)
    item.refresh_from_db()
    assert (item.title, item.owner, item.due_on) == ("Antrag schreiben", owner, due)
    gone = client.post(u("events:action_item_delete", meeting.pk, item.pk), **HTMX)
    assert "„Antrag schreiben“ entfernt." in gone.text
    assert not ActionItem.objects.for_network(world.network_x).exists()
    client.post(u("events:action_item_restore", meeting.pk, item.pk), **HTMX)
    assert ActionItem.objects.for_network(world.network_x).get() == item


def test_a_due_date_in_the_past_is_saved_with_a_visible_warning(client, meeting, manager_x):
    client.force_login(manager_x)
    response = client.post(u("events:action_item_add", meeting.pk), {"title": "Bericht", "due_on": "2020-03-01"}, **HTMX)
    assert response.status_code == 200
    assert "Das Datum liegt in der Vergangenheit (01.03.2020)" in response.text
    assert ActionItem.objects.get().due_on == date(2020, 3, 1)


# --- consent and registration forms ------------------------------------------------------


def test_an_empty_guest_form_shows_its_error_in_the_form_and_not_on_the_next_page(client, meeting, manager_x):
    client.force_login(manager_x)
    response = client.post(u("events:registration_add", meeting.pk), {"guest": "1", "name": "", "email": "gast@example.org"}, **HTMX)
    assert response.status_code == 200 and response.text.lstrip().startswith('<section class="card" id="participants"')
    assert "field-error" in response.text and 'value="gast@example.org"' in response.text
    assert "Name des Gastes" not in client.get(u("events:meeting_list")).text  # no message left over for another page
    without_js = client.post(u("events:registration_add", meeting.pk), {"guest": "1", "name": "", "email": "gast@example.org"})
    assert without_js.status_code == 200 and "<html" in without_js.text and 'value="gast@example.org"' in without_js.text
    assert not Registration.objects.exists()


def test_a_guest_registered_by_the_office_with_consent_is_listed_in_the_documentation(client, meeting, manager_x):
    client.force_login(manager_x)
    data = {"guest": "1", "name": "Gerda Gast", "organisation": "Kreis Steinfurt", "consent_participant_list": "on", "consent_photos": "on"}
    refused = client.post(u("events:registration_add", meeting.pk), data, **HTMX)
    assert "Bitte angeben, wie das Einverständnis gegeben wurde." in refused.text and not Registration.objects.exists()
    response = client.post(u("events:registration_add", meeting.pk), {**data, "consent_source": "email", "consent_recorded_at": "2013-07-01"}, **HTMX)
    registration = Registration.objects.get()
    assert registration.consent_participant_list and registration.consent_photos
    assert (registration.consent_source, registration.consent_recorded_at, registration.consent_recorded_by) == ("email", date(2013, 7, 1), manager_x)
    assert "Liste: ja" in response.text and "E-Mail, 01.07.2013" in response.text
    html = render_to_string(TEMPLATES[MeetingDocument.Kind.DOCUMENTATION], document_context(meeting, MeetingDocument.Kind.DOCUMENTATION))
    assert "Gerda Gast" in html


def test_consent_is_recorded_at_the_door_and_can_be_withdrawn(client, world, meeting, manager_x):
    contact = Contact.objects.get(organisation=world.org_b)
    registration = services.registration_register(meeting=meeting, by=manager_x, contact=contact, by_manager=True)
    assert (registration.consent_participant_list, registration.consent_source) == (False, "")
    client.force_login(manager_x)
    check_in = client.get(u("events:check_in", meeting.pk))
    assert "Liste: nein" in check_in.text and "Einverständnis ändern" in check_in.text
    url = u("events:registration_consent", meeting.pk, registration.pk)
    said_yes = client.post(url, {"next": "check-in", "consent_participant_list": "on", "consent_source": "oral"}, **HTMX)
    assert said_yes.text.lstrip().startswith('<section id="check-in-list"') and "Liste: ja" in said_yes.text
    registration.refresh_from_db()
    assert registration.consent_participant_list and registration.consent_source == "oral"
    assert registration.consent_recorded_at == timezone.localdate() and registration.consent_recorded_by == manager_x
    client.post(url, {"consent_source": "email"})  # withdrawn by mail
    registration.refresh_from_db()
    assert not registration.consent_participant_list and registration.consent_recorded_at == timezone.localdate()
    assert registration.history.filter(consent_participant_list=True).exists()


def test_a_walk_in_with_consent_is_present_and_consenting(client, meeting, manager_x):
    client.force_login(manager_x)
    data = {"guest": "1", "name": "Spontan Gast", "consent_participant_list": "on", "consent_source": "signature_list"}
    assert client.post(u("events:walk_in", meeting.pk), data).status_code == 302
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.ATTENDED
    assert registration.consent_participant_list and registration.consent_source == "signature_list"
    empty = client.post(u("events:walk_in", meeting.pk), {"guest": "1", "name": ""})
    assert empty.status_code == 200 and "field-error" in empty.text


def test_self_registration_records_its_source(world, meeting, member_a_x):
    contact = Contact.objects.get(organisation=world.org_a)
    [registration] = services.registration_register_many(meeting=meeting, contacts=[contact], by=member_a_x, consent_participant_list=True)
    assert (registration.consent_source, registration.consent_recorded_at) == ("portal", timezone.localdate())


# --- the invite page ---------------------------------------------------------------------


def test_the_invite_page_shows_the_contact_picker_only_for_hand_picked_audiences_with_a_search(client, world, meeting, manager_x):
    for n in range(3):
        Contact.objects.create(organisation=world.org_a, first_name="Anna", last_name=f"Alt{n}", email=f"anna{n}@alpha.example")
    client.force_login(manager_x)
    url = reverse("events:invite", args=["netz-x", meeting.pk])
    assert 'name="contacts"' not in client.get(url).text
    picked = client.post(url, {"audience": "selected", "preview": "1"})
    assert picked.status_code == 400 and picked.text.count('name="contacts"') == 5  # 3 + the two members' contacts
    searched = client.post(url, {"audience": "selected", "q": "alt1", "search": "1", "message": "Hallo"})
    assert searched.status_code == 200 and searched.text.count('name="contacts"') == 1 and "Alt1" in searched.text
    assert "Hallo" in searched.text and "field-error" not in searched.text


def test_a_meeting_that_has_begun_offers_no_invitation(client, world, manager_x):
    now = timezone.now()
    meeting = Meeting.objects.create(network=world.network_x, title="Läuft schon", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    client.force_login(manager_x)
    url = reverse("events:invite", args=["netz-x", meeting.pk])
    page = client.get(url)
    assert "Das Treffen hat schon begonnen – Einladungen sind nicht mehr möglich." in page.text
    assert "senden" not in page.text and "Empfänger anzeigen" not in page.text
    assert client.post(url, {"audience": "all", "confirm": "1"}).status_code == 400


def test_an_item_added_with_htmx_is_offered_in_the_minutes_form_at_once(client, meeting, manager_x):
    """Found in the browser: the minutes' form kept the programme of the page load, so a new talk could not get minutes.

    Since issue 15 the minutes live in their own tab, which htmx loads fresh when it is opened (no form to update out of band).
    """
    client.force_login(manager_x)
    response = client.post(u("events:agenda_add", meeting.pk), {"starts_at": "11:30", "ends_at": "12:30", "kind": "talk", "title": "Erfahrungen"}, **HTMX)
    assert "Erfahrungen" in response.text and "minute_agenda_item" not in response.text
    tab = client.get(meeting.get_absolute_url(), {"tab": "minutes"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel")
    assert 'id="minute_agenda_item"' in tab.text and "11:30 Erfahrungen</option>" in tab.text


def test_after_the_meeting_moved_an_item_outside_can_still_be_corrected_and_restored(world, manager_x):
    """Found in review: moving the meeting left its 14:00 items outside; a typo fix and an undo were refused."""
    clock = time
    day = timezone.localdate() + timedelta(days=12)
    meeting = services.meeting_create(
        network=world.network_x, by=manager_x, data={"title": "AG", "starts_at": services.meeting_at(day, 14), "ends_at": services.meeting_at(day, 17)}
    )
    item = services.agenda_item_save(
        meeting=meeting, by=manager_x, data={"starts_at": clock(14), "ends_at": clock(14, 15), "title": "Begrüsung", "kind": "welcome"}
    )
    services.meeting_update(meeting=meeting, by=manager_x, data={"starts_at": services.meeting_at(day, 15), "ends_at": services.meeting_at(day, 18)})
    meeting.refresh_from_db()
    services.agenda_item_save(meeting=meeting, by=manager_x, item=AgendaItem.objects.get(pk=item.pk), data={"title": "Begrüßung"})
    assert AgendaItem.objects.get(pk=item.pk).title == "Begrüßung"
    services.agenda_item_delete(item=AgendaItem.objects.get(pk=item.pk), by=manager_x)
    services.agenda_item_restore(item=AgendaItem.with_deleted.get(pk=item.pk), by=manager_x)
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    with pytest.raises(ValidationError):  # a new time is still checked
        services.agenda_item_save(meeting=meeting, by=manager_x, item=AgendaItem.objects.get(pk=item.pk), data={"starts_at": clock(13)})


def test_implausible_consent_and_due_dates_are_refused_at_the_form(world):
    """Found in review: a consent dated 2999 or 1900 and an action item due 0001-01-01 were stored."""
    from events.forms.meetings import ActionItemForm, ConsentFields

    for day in ("2999-01-01", "1900-01-01"):
        form = ConsentFields({"consent_participant_list": "on", "consent_source": "oral", "consent_recorded_at": day})
        assert not form.is_valid() and "consent_recorded_at" in form.errors
    assert ConsentFields({"consent_participant_list": "on", "consent_source": "oral", "consent_recorded_at": str(timezone.localdate())}).is_valid()
    form = ActionItemForm({"title": "Antrag", "due_on": "0001-01-01"}, network=world.network_x)
    assert not form.is_valid() and "due_on" in form.errors


def test_what_was_removed_from_a_meeting_page_is_deleted_for_good_after_the_trash_period(world, manager_x):
    """Found in review: soft-deleted items (speaker names, summaries, minutes) stayed forever, their undo links working."""
    day = timezone.localdate() + timedelta(days=3)
    meeting = services.meeting_create(
        network=world.network_x, by=manager_x, data={"title": "AG", "starts_at": services.meeting_at(day, 9), "ends_at": services.meeting_at(day, 12)}
    )
    item = services.agenda_item_save(
        meeting=meeting, by=manager_x, data={"starts_at": time(9), "ends_at": time(10), "title": "Vortrag", "speaker": "Erika Muster"}
    )
    services.agenda_item_delete(item=item, by=manager_x)
    now = timezone.now()
    assert services.meeting_content_purge(now=now + timedelta(days=29)) == 0
    assert AgendaItem.with_deleted.filter(pk=item.pk).exists()
    assert services.meeting_content_purge(now=now + timedelta(days=31)) == 1
    assert not AgendaItem.with_deleted.filter(pk=item.pk).exists()
