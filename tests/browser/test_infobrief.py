"""Issue 5 in Chromium: a manager composes an Infobrief, fills the dates from meetings, previews, test-sends, sends,
and watches the progress reach 100 %."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from events import services as event_services
from newsletters import sending
from newsletters.models import Delivery, Infobrief
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.newsletters import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued_tasks(settings):
    """Tasks go to an in-memory broker nobody reads: the test plays the worker, so the page can watch the progress."""
    from verbund.celery import app

    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, "memory://"
    settings.NEWSLETTER_RATE_PER_SECOND = 8
    settings.REDIS_URL = ""
    yield
    app.conf.task_always_eager, app.conf.broker_url = before


def test_compose_preview_test_send_and_watch_the_progress(page, world, mailoutbox_files, queued_tasks):
    factories.recipients(world.network_x, 16)
    manager = world.users["manager_x"]
    day = timezone.localdate() + timedelta(days=9)
    event_services.meeting_create(
        network=world.network_x,
        by=manager,
        data={
            "title": "Koordinierungstreffen Winter",
            "starts_at": event_services.meeting_at(day, 14),
            "ends_at": event_services.meeting_at(day, 17),
        },
    )
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/infobrief/")
    assert_accessible(page)
    page.get_by_label("Betreff").fill("Infobrief Dezember")
    page.get_by_label("Einleitung").fill("Liebe Mitglieder, hier das **Neueste**.")
    page.get_by_role("button", name="Anlegen").click()
    page.get_by_role("heading", name="Infobrief Dezember").wait_for()
    page.get_by_text("16 Empfänger:innen").wait_for()
    page.get_by_role("button", name="Weiter: Inhalt").click()
    expect(page.locator('.stepper [aria-current="step"]')).to_contain_text("Inhalt")
    page.get_by_role("button", name="Termine aus Treffen übernehmen").click()
    page.get_by_text("1 Termin aus den Treffen übernommen.").wait_for()
    expect(page.locator(".placements strong", has_text="Koordinierungstreffen Winter")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Weiter: Vorschau und Test").click()
    expect(page.locator(".mail-text")).to_contain_text("Koordinierungstreffen Winter", use_inner_text=True)
    expect(page.frame_locator("iframe.mail-preview").locator("body")).to_contain_text("Koordinierungstreffen Winter")
    assert_accessible(page)

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="HTML-Fassung in neuem Tab öffnen").click()
    preview = opened.value
    # A new tab starts as about:blank: wait for the mail's text instead of reading the document once.
    expect(preview.locator("body")).to_contain_text("Koordinierungstreffen Winter")
    expect(preview.get_by_role("link", name="Infobrief abbestellen")).to_be_visible()
    preview.close()

    page.get_by_role("button", name=re.compile("Testversand an mich")).click()
    page.get_by_text("Test an manager_x@example.org gesendet").wait_for()

    page.get_by_role("link", name="Weiter: Versand").click()
    page.get_by_role("button", name="Jetzt senden …").click()
    page.get_by_role("heading", name="An 16 Empfänger:innen senden?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, jetzt senden").click()
    page.get_by_role("heading", name="Wird versendet", level=2).wait_for()
    assert_accessible(page)
    letter = Infobrief.objects.get(subject="Infobrief Dezember")
    assert Delivery.objects.filter(infobrief=letter).count() == 16

    def worker() -> None:  # the Celery worker's job, in a thread of this process (rate limit: 8 per second)
        try:
            sending.send_batches(infobrief_id=letter.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    page.get_by_text("100 % erledigt").wait_for(timeout=30_000)  # htmx polls every 2 s; no reload
    thread.join(timeout=30)
    assert not thread.is_alive()
    expect(page.get_by_text("16 von 16 Empfänger:innen haben den Infobrief erhalten.")).to_be_visible()
    assert len([m for m in mailoutbox_files() if "Infobrief Dezember" in m]) == 16
    assert page.csp_violations == []


def test_infobrief_pages_for_readers_are_accessible(page, world):
    from newsletters.models import Infobrief
    from newsletters.services import newsletter_settings, unsubscribe_url

    letter = factories.infobrief(world.network_x, subject="Infobrief November")
    Infobrief.objects.filter(pk=letter.pk).update(status="sent", sent_at=timezone.now())
    settings_row = newsletter_settings(world.network_x)
    settings_row.public_archive = True
    settings_row.save()
    for path in [
        "/n/netz-x/infobrief/",
        "/n/netz-x/infobrief/archive/",
        f"/n/netz-x/infobrief/archive/{letter.pk}/",
        "/" + unsubscribe_url(world.network_x, "leser@example.org").split("://", 1)[1].split("/", 1)[1],
    ]:
        page.goto(path)
        assert_accessible(page)
    log_in(page, "manager_x@example.org")
    for path in ["/manage/netz-x/infobrief/entries/", "/manage/netz-x/infobrief/entries/new/", "/manage/netz-x/infobrief/settings/"]:
        page.goto(path)
        assert_accessible(page)
    assert page.csp_violations == []
