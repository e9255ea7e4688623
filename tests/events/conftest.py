"""Fixtures of the meeting tests."""

from datetime import date, time

import pytest

from events import services
from members.models import Contact
from verbund.celery import app


@pytest.fixture
def eager(settings, tmp_path):
    """Celery tasks run in the test (documents render at once), files go to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def workshop(world, manager_x):
    """The 2013 transfer workshop of the domain document: three programme items, two minutes, two participants."""
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "Cluster – Netzwerke – Verbünde von KMU managen",
            "kind": "workshop",
            "venue_name": "Flughafen Münster/Osnabrück",
            "starts_at": services.meeting_at(date(2013, 7, 10), 9, 30),
            "ends_at": services.meeting_at(date(2013, 7, 10), 15, 30),
        },
    )
    for start, end, kind, title, speaker in [
        (time(10), time(10, 30), "welcome", "Begrüßung und Einführung", "Klaus Ehling"),
        (time(10, 30), time(11, 15), "talk", "Cluster Management – Ein Job wie jeder andere?", "Judith Terstriep"),
        (time(11, 30), time(12, 30), "talk", "Regionale Verbünde für nachhaltige Entwicklung", "Thomas Möller"),
    ]:
        services.agenda_item_save(meeting=meeting, by=manager_x, data={"starts_at": start, "ends_at": end, "kind": kind, "title": title, "speaker": speaker})
    services.minute_add(meeting=meeting, by=manager_x, data={"kind": "question", "text": "Welche Indikatoren gibt es für die Erfolgsmessung?"})
    services.minute_add(meeting=meeting, by=manager_x, data={"kind": "answer", "text": "Zufriedenheit mit dem Clustermanagement."})
    for org, name in [(world.org_b, "Zimmermann"), (world.org_a, "Albers")]:
        contact = Contact.objects.create(organisation=org, first_name="Eva", last_name=name)
        services.registration_register(meeting=meeting, by=manager_x, contact=contact, by_manager=True, consent_participant_list=True)
    return meeting
