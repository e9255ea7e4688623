"""D-3: writes that bypass `save()` (queryset updates, a delete's SET NULL) still leave a history entry naming who acted.

The URL × persona matrix watches every request (tests/test_url_persona_matrix.py); these are the service writes it
found without an entry, and controls that show the watch (tests/audit.py) does catch a write without one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events import services as event_services
from events.models import Meeting
from events.services_series import series_create, series_delete
from members.models import Contact
from newsletters import sending
from newsletters.models import Infobrief
from tests.audit import audit_watch, protected_models
from tests.newsletters import factories

pytestmark = [pytest.mark.django_db, pytest.mark.anchor("D-3")]


def test_the_watch_sees_an_update_without_history_and_a_save_without_the_user(world, manager_x):
    contact = Contact.objects.filter(organisation=world.org_a).first()
    with audit_watch(manager_x.pk) as watch:
        Contact.objects.filter(pk=contact.pk).update(last_name="Ohne Spur")
        contact.refresh_from_db()
        contact.function = "Ohne Autor"
        contact.save()  # neither a request nor `_history_user`: an entry without the acting user
    assert watch.unaudited() == ["members.Contact.update(last_name) of 1 rows"]
    assert watch.without_user == [f"members.Contact #{contact.pk} ~"]
    assert len(protected_models()) >= 25


def test_deleting_a_series_records_who_took_each_meeting_out_of_it(world, manager_x, anchor):
    series = series_create(network=world.network_x, by=manager_x, name="AG Energie")
    day = timezone.localdate() + timedelta(days=10)
    meeting = Meeting.objects.create(
        network=world.network_x, series=series, title="AG Energie 1", starts_at=event_services.meeting_at(day, 9), ends_at=event_services.meeting_at(day, 11)
    )
    with audit_watch(manager_x.pk) as watch:
        assert series_delete(series=series, by=manager_x) == 1
    anchor(writes=watch.write_count, unaudited=len(watch.unaudited()), without_user=len(watch.without_user))
    assert watch.unaudited() == [] and watch.without_user == []
    last = meeting.history.order_by("-history_date").first()
    assert last.series_id is None and last.history_user == manager_x


def test_pausing_and_resuming_a_sending_is_in_the_infobriefs_history(world, manager_x, anchor, settings):
    settings.REDIS_URL = ""
    letter = factories.infobrief(world.network_x)
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENDING)
    with audit_watch(manager_x.pk) as watch:
        sending.send_pause(infobrief=letter, by=manager_x)
        sending.send_resume(infobrief=letter, by=manager_x)
    anchor(writes=watch.write_count, unaudited=len(watch.unaudited()), without_user=len(watch.without_user))
    assert watch.unaudited() == [] and watch.without_user == []
    statuses = [(h.status, h.history_user) for h in letter.history.order_by("history_date")][-2:]
    assert statuses == [("paused", manager_x), ("sending", manager_x)]


def test_a_test_send_is_bookkeeping_outside_the_history(world, manager_x, anchor, settings):
    letter = factories.infobrief(world.network_x)
    # The network's Infobrief settings are made with their defaults on first use; in a request the history middleware
    # names the user (the matrix covers that), outside one there is nobody to name: made here, before the watch.
    from newsletters import services

    services.newsletter_settings(world.network_x)
    entries = letter.history.count()
    with audit_watch(manager_x.pk) as watch:
        sending.send_test(infobrief=letter, by=manager_x)
    anchor(writes=watch.write_count, unaudited=len(watch.unaudited()), without_user=len(watch.without_user))
    assert watch.unaudited() == [] and watch.without_user == [] and letter.history.count() == entries
    assert Infobrief.objects.get(pk=letter.pk).test_sent_at is not None
