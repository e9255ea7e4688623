"""Invitations to audiences: who is chosen, sending once, the reply link and cancellation by link."""

from __future__ import annotations

import email
import re
from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events import invitations, services
from events.models import (
    InvitationRecipient,
    Meeting,
    MeetingInvitation,
    MeetingSeries,
    Registration,
)
from events.tokens import make_token
from members.models import Contact, GovernancePosition, Membership, Organisation
from tests.conftest import mail_text


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=21)
    return services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Koordinierungstreffen",
            "kind": "coordination",
            "starts_at": services.meeting_at(day, 14),
            "ends_at": services.meeting_at(day, 17),
            "capacity": 1,
        },
    )


@pytest.fixture
def people(world):
    """Contacts with addresses: two more at A (not primary), one at B (board member), one at C (network Y), one at a former member."""
    a1 = Contact.objects.create(organisation=world.org_a, first_name="Anna", last_name="Alt", email="anna@alpha.example")
    a2 = Contact.objects.create(organisation=world.org_a, first_name="Arno", last_name="Acker", email="arno@alpha.example")
    b1 = Contact.objects.create(organisation=world.org_b, first_name="Bea", last_name="Berg", email="bea@beta.example")
    c1 = Contact.objects.create(organisation=world.org_c, first_name="Carl", last_name="Clau", email="carl@gamma.example")
    former = Organisation.objects.create(name="Ehemals GmbH")
    Membership.objects.create(organisation=former, network=world.network_x, status=Membership.Status.LEFT)
    f1 = Contact.objects.create(organisation=former, first_name="Fritz", last_name="Fort", email="fritz@ehemals.example")
    Contact.objects.create(organisation=world.org_b, first_name="Ohne", last_name="Adresse", email="")
    GovernancePosition.objects.create(network=world.network_x, contact=b1, function="board")
    Membership.objects.filter(network=world.network_x, organisation=world.org_b).update(role="manufacturer")
    return {"a1": a1, "a2": a2, "b1": b1, "c1": c1, "f1": f1}


def emails(qs) -> set[str]:
    return {c.email for c in qs}


def test_audiences_choose_only_current_members_of_the_network(meeting, people):
    everyone = emails(invitations.audience_contacts(meeting=meeting, audience="all"))
    assert {"anna@alpha.example", "arno@alpha.example", "bea@beta.example"} <= everyone
    assert "carl@gamma.example" not in everyone and "fritz@ehemals.example" not in everyone and "" not in everyone
    primary = invitations.audience_contacts(meeting=meeting, audience="primary")
    assert primary and all(c.is_primary for c in primary)
    assert not {"anna@alpha.example", "arno@alpha.example"} & emails(primary)
    manufacturers = emails(invitations.audience_contacts(meeting=meeting, audience="membership_role", membership_role="manufacturer"))
    assert "bea@beta.example" in manufacturers and "anna@alpha.example" not in manufacturers
    assert emails(invitations.audience_contacts(meeting=meeting, audience="governance", governance_function="board")) == {"bea@beta.example"}
    picked = invitations.audience_contacts(meeting=meeting, audience="selected", contact_ids=[people["a2"].pk, people["c1"].pk, people["f1"].pk, "x"])
    assert emails(picked) == {"arno@alpha.example"}  # foreign and former contacts drop out


def test_invitation_is_sent_once_with_ics_and_a_reply_link_that_registers(client, meeting, people, mailoutbox_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invitation_create(
            meeting=meeting, by=None, audience="selected", contact_ids=[people["a1"].pk, people["b1"].pk], message="Bitte Zahlen mitbringen."
        )
    assert invitations.invitation_send(invitation_id=invitation.pk) == 0  # a redelivered task finds every row marked
    mails = mailoutbox_files()
    assert len(mails) == 2
    meeting.refresh_from_db()
    assert meeting.status == "invited"
    anna = next(m for m in mails if "To: anna@alpha.example" in m)
    text = mail_text(anna)
    assert "Bitte Zahlen mitbringen." in text and "Einladung: Koordinierungstreffen" in anna
    ics = next(p for p in email.message_from_string(anna).walk() if p.get_content_type() == "text/calendar")
    assert str(icalendar.Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]["SUMMARY"]) == "Koordinierungstreffen"
    link = re.search(r"https?://\S+/reply/\S+/", text).group(0)
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    assert not Registration.objects.exists()  # opening the link registers nobody
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"consent_participant_list": "on"})
    assert response.status_code == 200 and "Sie sind angemeldet" in response.text
    registration = Registration.objects.get()
    assert registration.contact == people["a1"] and registration.consent_participant_list and not registration.consent_photos
    # A second invitation leaves out the registered and the already invited.
    preview = invitations.invitation_preview(meeting=meeting, audience="all")
    assert people["a1"] in preview.already_registered and people["b1"] in preview.already_invited


def test_cancel_link_asks_on_get_and_cancels_on_post_promoting_the_waitlist(client, meeting, people, mailoutbox_files, django_capture_on_commit_callbacks):
    first = services.registration_register(meeting=meeting, by=None, contact=people["a1"])
    second = services.registration_register(meeting=meeting, by=None, contact=people["b1"])
    assert second.status == "waitlisted"
    path = invitations.cancel_url(first).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200 and "Wirklich abmelden?" in response.text
    first.refresh_from_db()
    assert first.status == "registered"  # a GET (a mail scanner) changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/" + path).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "cancelled" and second.status == "registered"
    mails = mailoutbox_files()
    assert len(mails) == 2  # the cancellation is confirmed to her, and the next one moves up
    withdrawn = next(m for m in mails if "Abgemeldet:" in m)
    promoted = [m for m in mails if m is not withdrawn]
    assert "METHOD:CANCEL" in withdrawn
    assert "To: bea@beta.example" in promoted[0]
    assert "/cancel/" in mail_text(promoted[0])  # the promoted person can cancel by link too
    assert "Sie sind abgemeldet" in client.post("/" + path).text  # twice is harmless


def test_forged_and_other_purpose_tokens_are_404(client, meeting, people):
    registration = services.registration_register(meeting=meeting, by=None, contact=people["a1"])
    base = ["netz-x", meeting.pk]
    assert client.get(reverse("public_events:cancel", args=[*base, "x" * 40])).status_code == 404
    assert client.get(reverse("public_events:cancel", args=[*base, make_token("invitation-reply", {"m": meeting.pk, "r": registration.pk})])).status_code == 404
    assert (
        client.get(reverse("public_events:reply", args=[*base, make_token("registration-cancel", {"m": meeting.pk, "c": people["a2"].pk})])).status_code == 404
    )
    assert (
        client.get(
            reverse("public_events:reply", args=["netz-y", meeting.pk, make_token("invitation-reply", {"m": meeting.pk, "c": people["a2"].pk})])
        ).status_code
        == 404
    )


def test_invitation_refuses_past_cancelled_and_empty(meeting, people, manager_x):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="selected", contact_ids=[people["c1"].pk])
    Meeting.objects.filter(pk=meeting.pk).update(status="cancelled")
    with pytest.raises(ValidationError):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="all")
    assert not MeetingInvitation.objects.exists() and not InvitationRecipient.objects.exists()


def test_invite_page_previews_then_sends_and_lists_counts(client, meeting, people, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    url = reverse("events:invite", args=["netz-x", meeting.pk])
    preview = client.post(url, {"audience": "membership_role", "membership_role": "manufacturer", "preview": "1"})
    # B is the manufacturer: Bea and B's existing contact (the member login) have addresses; "Ohne Adresse" is counted as left out.
    assert preview.status_code == 200 and "Einladung an 2 Personen senden" in preview.text
    assert "ohne E-Mail-Adresse" in preview.text
    assert not MeetingInvitation.objects.exists()
    missing = client.post(url, {"audience": "membership_role", "preview": "1"})
    assert missing.status_code == 400 and "Bitte eine Rolle wählen." in missing.text
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"audience": "membership_role", "membership_role": "manufacturer", "confirm": "1"}, follow=True)
    assert "Die Einladung an 2 Personen wird versendet." in sent.text
    assert InvitationRecipient.objects.filter(sent_at__isnull=False).count() == 2
    assert "2 / 2" in client.get(url).text


def test_a_series_meeting_starts_from_the_series_audience(client, world, meeting, people, manager_x, django_capture_on_commit_callbacks):
    series = MeetingSeries.objects.create(network=world.network_x, name="Koordinierungskreis")
    Meeting.objects.filter(pk=meeting.pk).update(series=series)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(meeting=meeting, by=manager_x, audience="governance", governance_function="board")
    day = timezone.localdate() + timedelta(days=60)
    later = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Koordinierungstreffen 2", "series": series, "starts_at": services.meeting_at(day, 14), "ends_at": services.meeting_at(day, 16)},
    )
    client.force_login(manager_x)
    page = client.get(reverse("events:invite", args=["netz-x", later.pk]))
    assert re.search(r'value="governance"[^>]*checked', page.text)
    assert re.search(r'<option value="board" selected', page.text)
