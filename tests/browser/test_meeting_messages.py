"""In Chromium: the office sends a reminder now from the meeting page, confirms the number, and reads the log; axe-clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import MeetingMessageRecipient
from members.models import Contact
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_tasks(settings, tmp_path):
    from verbund.celery import app

    mail_dir = tmp_path / "mail"
    settings.MAILERS = {
        "default": {"BACKEND": "verbund.mail.EmlFileBackend", "OPTIONS": {"file_path": str(mail_dir)}},
        "newsletter": {"BACKEND": "verbund.mail.EmlFileBackend", "OPTIONS": {"file_path": str(mail_dir)}},
    }
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield mail_dir
    app.conf.task_always_eager = before


def test_a_reminder_now_is_confirmed_with_its_number_and_logged_per_person(page, world, eager_tasks):
    manager = world.users["manager_x"]
    day = timezone.localdate() + timedelta(days=10)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager,
        data={"title": "Koordinierungstreffen Winter", "starts_at": services.meeting_at(day, 10), "ends_at": services.meeting_at(day, 12)},
    )
    for org in (world.org_a, world.org_b):
        services.registration_register(meeting=meeting, by=manager, contact=Contact.objects.get(organisation=org), by_manager=True)

    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Nachrichten", exact=True).click()
    expect(page.get_by_role("heading", name="Nachrichten zu „Koordinierungstreffen Winter“")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Erinnerung …").click()
    expect(page.get_by_role("heading", name="2 Personen bekommen diese Nachricht")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Weiter").press("Enter")  # keyboard only
    confirm = page.get_by_role("button", name="Jetzt an 2 Personen senden")
    expect(confirm).to_be_visible()
    assert_accessible(page)
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Die Nachricht an 2 Personen wird versendet.")).to_be_visible()
    expect(page.get_by_text("2 von 2 gesendet")).to_be_visible()
    page.get_by_text("Empfänger:innen").click()
    expect(page.get_by_role("cell", name="member_b_x@example.org")).to_be_visible()
    assert_accessible(page)
    assert MeetingMessageRecipient.objects.filter(message__meeting=meeting, sent_at__isnull=False).count() == 2
    assert len(list(eager_tasks.glob("*.eml"))) == 2
    assert page.csp_violations == []
