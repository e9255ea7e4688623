"""The pulse after a meeting: asked once by mail, answered by a signed link, shown without names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.feedback import PURPOSE, feedback_requests_send, feedback_summary
from events.models import Meeting, Registration, SatisfactionResponse
from events.tokens import make_token
from members.models import Contact
from tests.conftest import mail_text


@pytest.fixture
def held(world, manager_x) -> Meeting:
    day = timezone.localdate() - timedelta(days=1)
    meeting = Meeting.objects.create(
        network=world.network_x, title="Koordinierungstreffen Q3", starts_at=services.meeting_at(day, 9), ends_at=services.meeting_at(day, 12), status="held"
    )
    for org, name in [(world.org_a, "Albers"), (world.org_b, "Berg")]:
        contact = Contact.objects.create(organisation=org, first_name="Eva", last_name=name, email=f"{name.lower()}@example.org")
        Registration.objects.create(meeting=meeting, contact=contact, status=Registration.Status.ATTENDED)
    Registration.objects.create(meeting=meeting, guest_name="Nicht da", guest_email="no-show@example.org", status=Registration.Status.NO_SHOW)
    return meeting


def test_attendees_are_asked_once_and_the_link_works(client, held, mailoutbox_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_requests_send() == 2
        assert feedback_requests_send() == 0  # each registration is asked once
    mails = mailoutbox_files()
    assert sorted(re.search(r"^To: (.+)$", m, re.M).group(1) for m in mails) == ["albers@example.org", "berg@example.org"]
    text = mail_text(mails[0])
    link = re.search(r"https?://\S+/feedback/\S+/", text).group(0)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path + "?score=5")
    assert page.status_code == 200 and "Wie hilfreich" in page.text
    assert not SatisfactionResponse.objects.exists()  # a GET (a mail scanner following the link) stores nothing
    assert client.post(path, {"score": "4", "comment": "Mehr Zeit für Austausch"}).status_code == 200
    assert client.post(path, {"score": "5"}).status_code == 200  # answering again changes the answer
    response = SatisfactionResponse.objects.get()
    assert response.score == 5 and response.comment == ""


def test_meetings_without_pulse_or_too_old_or_upcoming_are_not_asked(world, held, mailoutbox_files):
    held.ask_for_feedback = False
    held.save()
    assert feedback_requests_send() == 0
    held.ask_for_feedback = True
    held.save()
    assert feedback_requests_send(now=held.ends_at + timedelta(days=15)) == 0
    assert feedback_requests_send(now=held.ends_at - timedelta(hours=1)) == 0
    assert feedback_requests_send(now=held.ends_at + timedelta(hours=3)) == 2


def test_bad_scores_and_forged_links(client, held):
    registration = held.registrations.filter(status="attended").first()
    url = reverse("feedback:answer", args=[make_token(PURPOSE, registration.pk)])
    for bad in ["0", "6", "x", ""]:
        response = client.post(url, {"score": bad})
        assert response.status_code == 400 and "errorlist" in response.text
    assert not SatisfactionResponse.objects.exists()
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.get(reverse("feedback:answer", args=[make_token("registration-cancel", registration.pk)])).status_code == 404


def test_managers_see_the_distribution_without_names(client, held, manager_x):
    for registration, score, comment in zip(held.registrations.filter(status="attended"), [5, 3], ["Sehr hilfreich", ""], strict=True):
        SatisfactionResponse.objects.create(meeting=held, registration=registration, score=score, comment=comment)
    summary = feedback_summary(held)
    assert summary["count"] == 2 and summary["average"] == 4
    assert summary["distribution"] == [(5, 1), (4, 0), (3, 1), (2, 0), (1, 0)]
    client.force_login(manager_x)
    page = client.get(held.get_absolute_url())
    section = page.text.split('id="feedback"', 1)[1].split("</section>", 1)[0]
    assert "Sehr hilfreich" in section and "4,0 von 5" in section
    assert "Albers" not in section and "Berg" not in section
