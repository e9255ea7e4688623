"""Issue 15: actions for several participants at once on the Teilnehmende tab — CSV for German Excel, an e-mail to the
picked people through the usual message page, and marking everyone present with an undo. Ids of other meetings
or networks in the POST are never acted on."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Meeting, MeetingMessage, MeetingMessageRecipient, Registration
from events.tokens import make_token
from events.views.participants import UNDO_ATTENDANCE
from members.models import Contact
from tests.conftest import make_user
from verbund.models import ManagerRole
from verbund.undo import SESSION_KEY


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    """Four people in four states, with and without consent to the participant list, and umlauts in names."""
    day = timezone.localdate() + timedelta(days=14)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Koordinierungstreffen", "starts_at": services.meeting_at(day, 10), "ends_at": services.meeting_at(day, 12), "capacity": 3},
    )
    a = Contact.objects.create(organisation=world.org_a, first_name="Jürgen", last_name="Größe", email="juergen@alpha.example")
    b = Contact.objects.get(organisation=world.org_b)

    def register(**kwargs) -> Registration:
        return services.registration_register(
            meeting=meeting, by=manager_x, by_manager=True, consent_source="email" if kwargs.get("consent_participant_list") else "", **kwargs
        )

    register(contact=a, consent_participant_list=True)
    register(contact=b)
    register(guest={"name": "Åsa Öztürk", "email": "asa@example.org", "organisation": "Stadt Münster"}, consent_participant_list=True)
    register(guest={"name": "Wanda Warteliste", "email": "wanda@example.org"}, consent_participant_list=True)  # full: waitlisted
    return meeting


@pytest.fixture
def other_meeting(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=30)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Anderes Treffen", "starts_at": services.meeting_at(day, 10), "ends_at": services.meeting_at(day, 12)},
    )
    services.registration_register(meeting=meeting, by=manager_x, by_manager=True, guest={"name": "Fremde Person", "email": "fremd@example.org"})
    return meeting


@pytest.fixture
def meeting_y(world) -> Meeting:
    day = timezone.localdate() + timedelta(days=30)
    meeting = Meeting.objects.create(network=world.network_y, title="Y", starts_at=services.meeting_at(day, 10), ends_at=services.meeting_at(day, 12))
    Registration.objects.create(meeting=meeting, contact=Contact.objects.get(organisation=world.org_c))
    return meeting


def bulk(meeting: Meeting) -> str:
    return reverse("events:registrations_bulk", args=[meeting.network.slug, meeting.pk])


def reg(meeting: Meeting, name: str) -> Registration:
    for registration in meeting.registrations.select_related("contact"):
        if name in registration.display_name:
            return registration
    raise AssertionError(name)


def rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: German Excel opens it by double-click with the umlauts right
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_participants_tab_offers_checkboxes_and_the_bulk_actions(client, manager_x, meeting):
    client.force_login(manager_x)
    page = client.get(meeting.get_absolute_url(), {"tab": "participants"}).text
    assert page.count('form="participants-bulk"') == 4
    assert f'action="{bulk(meeting)}"' in page
    for label in ("Alle auswählen", "Alle als anwesend markieren", "Ausgewählte als anwesend markieren", "E-Mail an alle", "E-Mail an Ausgewählte"):
        assert label in page
    assert "checked" not in page.split('id="participants-bulk"')[1].split("</table>")[0]
    # "Alle auswählen" without JavaScript: a link that shows the same tab with every box ticked.
    everyone = client.get(meeting.get_absolute_url(), {"tab": "participants", "select": "all"}).text
    assert everyone.count('form="participants-bulk" id="pick-') == 4 and everyone.count(" checked>") == 4
    assert "Auswahl aufheben" in everyone


def test_export_of_all_is_csv_for_german_excel_with_only_what_the_office_sees(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(bulk(meeting), {"action": "export-all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="teilnehmende-')
    table = rows(response)
    assert table[0] == [
        "Name",
        "Organisation",
        "E-Mail",
        "Status",
        "Einverstanden mit Teilnehmendenliste",
        "Einverstanden mit Fotos",
        "Angemeldet am",
    ]
    by_name = {row[0]: row for row in table[1:]}
    assert set(by_name) == {"Jürgen Größe", "Mia member_b_x", "Åsa Öztürk", "Wanda Warteliste"}
    assert by_name["Åsa Öztürk"][1:5] == ["Stadt Münster", "asa@example.org", "Angemeldet", "ja"]
    assert by_name["Wanda Warteliste"][3] == "Warteliste"
    assert by_name["Mia member_b_x"][4] == "nein"
    assert by_name["Jürgen Größe"][6] == f"{timezone.localdate():%d.%m.%Y}"
    assert manager_x.email not in response.content.decode("utf-8-sig")  # who recorded what is not in the list


def test_export_of_the_selected_has_exactly_those_and_ignores_foreign_ids(client, manager_x, meeting, other_meeting, meeting_y):
    client.force_login(manager_x)
    picked = [reg(meeting, "Größe").pk, reg(other_meeting, "Fremde").pk, meeting_y.registrations.get().pk, "x", "-1"]
    table = rows(client.post(bulk(meeting), {"action": "export", "registration": picked}))
    assert [row[0] for row in table[1:]] == ["Jürgen Größe"]
    # Only foreign ids: nothing is exported, the tab says why.
    response = client.post(bulk(meeting), {"action": "export", "registration": [reg(other_meeting, "Fremde").pk]}, follow=True)
    assert response.redirect_chain[-1][0] == f"{meeting.get_absolute_url()}?tab=participants#participants"
    assert "Bitte zuerst Teilnehmende auswählen" in response.text


def test_the_list_to_pass_on_has_only_people_with_a_seat_who_agreed_and_only_name_and_organisation(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(bulk(meeting), {"action": "export-shared"})
    assert response["Content-Disposition"].startswith('attachment; filename="teilnehmendenliste-')
    table = rows(response)
    assert table == [["Nr.", "Name", "Organisation"], ["1", "Jürgen Größe", "Alpha GmbH"], ["2", "Åsa Öztürk", "Stadt Münster"]]


def test_mark_all_present_marks_the_registered_only_counts_them_and_offers_an_undo(client, manager_x, meeting):
    no_show = Registration.objects.create(meeting=meeting, guest_name="Nils Nichterschienen", status=Registration.Status.NO_SHOW)
    services.registration_cancel(registration=reg(meeting, "member_b_x"), by=manager_x)  # Wanda moves up from the waitlist
    late = services.registration_register(meeting=meeting, by=manager_x, by_manager=True, guest={"name": "Lena Later"})  # full again: waitlisted
    client.force_login(manager_x)
    response = client.post(bulk(meeting), {"action": "present-all"}, follow=True)
    statuses = dict(meeting.registrations.values_list("pk", "status"))
    assert statuses[reg(meeting, "Größe").pk] == statuses[reg(meeting, "Öztürk").pk] == statuses[reg(meeting, "Wanda").pk] == "attended"
    assert statuses[reg(meeting, "member_b_x").pk] == "cancelled" and statuses[no_show.pk] == "no_show" and statuses[late.pk] == "waitlisted"
    assert "3 Personen als anwesend markiert." in response.text
    assert "3 Personen nicht markiert (Warteliste, abgemeldet oder als nicht erschienen eingetragen)." in response.text
    assert 'data-tab="participants"' in response.text
    # The toast offers "Rückgängig"; it takes back exactly the three, nobody else.
    toast = response.text.split('<div class="toast" role="status">')[1].split("</div>")[0]
    undo_url = toast.split('action="')[1].split('"')[0].replace("&amp;", "&")
    assert undo_url.startswith(reverse("events:registrations_attendance_undo", args=["netz-x", meeting.pk]))
    Registration.objects.filter(pk=reg(meeting, "Öztürk").pk).update(status="registered")  # changed by hand meanwhile
    response = client.post(undo_url, follow=True)
    assert "Anwesenheit von 2 Personen zurückgenommen." in response.text
    after = dict(meeting.registrations.values_list("pk", "status"))
    assert after[reg(meeting, "Größe").pk] == after[reg(meeting, "Wanda").pk] == after[reg(meeting, "Öztürk").pk] == "registered"
    assert after[no_show.pk] == "no_show" and after[late.pk] == "waitlisted"


def test_mark_selected_present_touches_only_this_meetings_selected_registrations(client, manager_x, meeting, other_meeting, meeting_y):
    client.force_login(manager_x)
    foreign, foreign_y = reg(other_meeting, "Fremde"), meeting_y.registrations.get()
    picked = [reg(meeting, "Öztürk").pk, reg(meeting, "Wanda").pk, foreign.pk, foreign_y.pk]
    response = client.post(bulk(meeting), {"action": "present", "registration": picked}, follow=True)
    assert "1 Person als anwesend markiert." in response.text and "1 Person nicht markiert" in response.text
    assert reg(meeting, "Öztürk").status == "attended" and reg(meeting, "Wanda").status == "waitlisted"
    assert reg(meeting, "Größe").status == "registered"
    foreign.refresh_from_db()
    foreign_y.refresh_from_db()
    assert foreign.status == "registered" and foreign_y.status == "registered"


def test_nothing_to_mark_says_so_and_offers_no_undo(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(bulk(meeting), {"action": "present", "registration": [reg(meeting, "Wanda").pk]}, follow=True)
    assert "Niemand wurde als anwesend markiert" in response.text and '<div class="toast"' not in response.text
    assert SESSION_KEY not in client.session


def test_an_undo_link_of_another_meeting_or_a_forged_one_changes_nothing(client, manager_x, meeting, other_meeting):
    services.registrations_mark_attended(meeting=meeting, by=manager_x)
    client.force_login(manager_x)
    url = reverse("events:registrations_attendance_undo", args=["netz-x", meeting.pk])
    for token in (make_token(UNDO_ATTENDANCE, {"m": other_meeting.pk, "r": [reg(meeting, "Größe").pk]}), "gefaelscht", ""):
        response = client.post(f"{url}?t={token}", follow=True)
        assert "lässt sich nicht mehr rückgängig machen" in response.text
    assert reg(meeting, "Größe").status == "attended"


def test_mail_to_the_selected_preselects_exactly_those_in_the_message_page(client, manager_x, meeting, other_meeting, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    chosen = [reg(meeting, "Öztürk").pk, reg(meeting, "Wanda").pk]
    response = client.post(bulk(meeting), {"action": "mail", "registration": [*chosen, reg(other_meeting, "Fremde").pk]})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("events:message_send", args=["netz-x", meeting.pk, "message"])
    assert sorted(int(pk) for pk in parse_qs(location.query)["registration"]) == sorted(chosen)
    page = client.get(response["Location"])
    assert "2 Personen bekommen diese Nachricht" in page.text
    assert "asa@example.org" in page.text and "wanda@example.org" in page.text and "juergen@alpha.example" not in page.text
    assert page.text.count('name="registration"') == 2
    asked = client.post(response["Location"], {"subject": "Folien", "body": "Anbei die Folien.", "registration": chosen})
    assert asked.status_code == 200 and "Wirklich an 2 Personen senden?" in asked.text
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(response["Location"], {"subject": "Folien", "body": "Anbei die Folien.", "registration": chosen, "confirm": "1"})
    assert sent.status_code == 302
    assert sorted(MeetingMessageRecipient.objects.values_list("email", flat=True)) == ["asa@example.org", "wanda@example.org"]
    # The same text to another choice of people is a new sending, not a double click.
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(
            response["Location"].split("?")[0], {"subject": "Folien", "body": "Anbei die Folien.", "registration": [reg(meeting, "Größe").pk], "confirm": "1"}
        )
    assert other.status_code == 302 and MeetingMessage.objects.count() == 2


def test_mail_to_all_opens_the_usual_message_to_everyone_registered(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(bulk(meeting), {"action": "mail-all", "registration": [reg(meeting, "Größe").pk]})
    assert response["Location"] == reverse("events:message_send", args=["netz-x", meeting.pk, "message"])
    assert "4 Personen bekommen diese Nachricht" in client.get(response["Location"]).text


def test_bulk_actions_are_post_csrf_protected_scoped_and_for_those_who_may_change(client, world, manager_x, manager_y, meeting):
    client.force_login(manager_y)
    assert client.post(bulk(meeting), {"action": "present-all"}).status_code == 404
    client.force_login(manager_x)
    assert client.get(bulk(meeting)).status_code == 405
    assert client.post(bulk(meeting), {"action": "delete-all"}).status_code == 400
    observer = make_user("observer_x@example.org")
    ManagerRole.objects.create(user=observer, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    client.force_login(observer)
    assert client.post(bulk(meeting), {"action": "export-all"}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager_x)
    assert strict.post(bulk(meeting), {"action": "present-all"}).status_code == 403
    assert not meeting.registrations.filter(status="attended").exists()
