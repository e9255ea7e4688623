"""Questions to the office and topic suggestions in Chromium, with axe on every new page on the way.

Question: member A asks → the manager routes it to B → B answers → both consent → the manager closes and publishes →
the knowledge entry is found by search. Suggestion: A proposes → B supports → the manager takes it into a meeting's
programme → A sees what became of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services as event_services
from events.models import Meeting
from members.models import Tag
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch(page, email: str) -> None:
    page.context.clear_cookies()
    log_in(page, email)


def test_question_routed_answered_published_and_found(page, world):
    world.org_b.competency_tags.add(Tag.objects.create(name="Wasserstoff"))

    log_in(page, "member_a_x@example.org")
    page.goto("/portal/questions/")
    expect(page.get_by_role("heading", name="Fachfragen", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Frage stellen").click()
    page.get_by_label("Titel").fill("Brandschutz für Wasserstoff")
    page.get_by_label("Frage", exact=True).fill("Welche Auflagen gelten für ein Wasserstofflager?")
    page.get_by_label("Themen (Schlagwörter)").fill("Wasserstoff")
    assert_accessible(page)
    page.get_by_role("button", name="Absenden").click()
    expect(page.get_by_role("heading", name="Brandschutz für Wasserstoff")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Veröffentlichung im Wissensspeicher zustimmen").click()
    expect(page.get_by_text("Sie haben der Veröffentlichung im Wissensspeicher")).to_be_visible()

    switch(page, "manager_x@example.org")
    page.goto("/manage/netz-x/questions/")
    assert_accessible(page)
    page.get_by_role("link", name="Brandschutz für Wasserstoff").click()
    expect(page.get_by_text("Schlagwörter: Wasserstoff")).to_be_visible()  # B suggested by its competency
    assert_accessible(page)
    page.get_by_label("Beta KG").check()
    page.get_by_role("button", name="Weiterleiten").click()
    expect(page.locator("#routing-heading + ul")).to_contain_text("Beta KG")

    switch(page, "member_b_x@example.org")
    page.goto("/portal/questions/")
    page.get_by_role("link", name="Brandschutz für Wasserstoff").click()
    page.get_by_label("Ihre Antwort").fill("Wir haben ein Konzept nach TRGS 510.")
    page.get_by_role("button", name="Antwort senden").click()
    page.get_by_role("button", name="Veröffentlichung dieser Antwort zustimmen").click()
    expect(page.get_by_text("Veröffentlichung zugestimmt.")).to_be_visible()
    assert_accessible(page)

    switch(page, "manager_x@example.org")
    page.goto("/manage/netz-x/questions/")
    page.get_by_role("link", name="Brandschutz für Wasserstoff").click()
    page.get_by_role("button", name="Frage abschließen").click()
    page.get_by_label("Beta KG: Wir haben ein Konzept").check()
    page.get_by_role("button", name="Im Wissensspeicher veröffentlichen").click()
    expect(page.get_by_text("TRGS 510")).to_be_visible()
    assert_accessible(page)

    switch(page, "member_b_x@example.org")
    page.goto("/portal/questions/knowledge/")
    page.get_by_label("Suchbegriffe").fill("TRGS")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("link", name="Brandschutz für Wasserstoff")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []


def test_suggestion_supported_and_taken_into_a_meeting_programme(page, world):
    day = timezone.localdate() + timedelta(days=30)
    Meeting.objects.create(
        network=world.network_x, title="Herbsttreffen", starts_at=event_services.meeting_at(day, 9), ends_at=event_services.meeting_at(day, 17)
    )

    log_in(page, "member_a_x@example.org")
    page.goto("/portal/questions/suggestions/new/")
    page.get_by_label("Thema", exact=True).fill("KI in der Fertigung")
    page.get_by_label("Treffen").check()
    assert_accessible(page)
    page.get_by_role("button", name="Absenden").click()
    expect(page.get_by_role("heading", name="Themenvorschläge", level=1)).to_be_visible()
    assert_accessible(page)

    switch(page, "member_b_x@example.org")
    page.goto("/portal/questions/suggestions/")
    expect(page.get_by_role("heading", name="Themenvorschläge", level=1)).to_be_visible()
    page.get_by_role("listitem").filter(has_text="KI in der Fertigung").get_by_role("button", name="Unterstützen").click()
    expect(page.get_by_text("1 Unterstützung", exact=False)).to_be_visible()

    switch(page, "manager_x@example.org")
    page.goto("/manage/netz-x/questions/suggestions/")
    assert_accessible(page)
    page.get_by_role("link", name="KI in der Fertigung").click()
    page.get_by_label("Treffen für das Programm").select_option(label="Herbsttreffen")
    assert_accessible(page)
    page.get_by_role("button", name="Aufnehmen").click()
    expect(page.get_by_role("link", name="ins Programm von „Herbsttreffen“", exact=False)).to_be_visible()

    switch(page, "member_a_x@example.org")
    page.goto("/portal/questions/suggestions/")
    expect(page.get_by_role("link", name="ins Programm von „Herbsttreffen“", exact=False)).to_be_visible()
    assert page.csp_violations == []
