"""The office's contact log and acquisition in the browser: a call with a next step due today shows in "Heute zu tun"
on the network's start page and is marked done there; a prospect moves through the stages to member. axe: 0 violations."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Membership, Organisation
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_call_with_a_next_step_due_today_is_in_heute_zu_tun_until_marked_done(page, world):
    log_in(page, "manager_x@example.org")
    page.goto(reverse("directory:organisation", args=["netz-x", world.org_a.pk]))
    page.get_by_role("link", name="Kontakt notieren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha GmbH")
    assert_accessible(page)
    page.get_by_label("Art").select_option("call")
    page.get_by_label("Wann").fill(timezone.localdate().isoformat())
    page.get_by_label("Mit wem").select_option(label="Mia member_a_x")
    page.get_by_label("Was").fill("Telefonat über den Arbeitskreis Ausbildung")
    page.get_by_label("Nächster Schritt", exact=True).fill("Beitrittsunterlagen schicken")
    page.get_by_label("Nächster Schritt bis").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Kontakt notiert.")).to_be_visible()
    expect(page.locator("#contact-log-heading")).to_be_visible()
    assert_accessible(page)

    page.goto("/manage/netz-x/")
    todo = page.locator("#todo")
    expect(todo.get_by_role("heading", name="Nächste Schritte aus dem Kontaktprotokoll")).to_be_visible()
    todo.get_by_role("link", name="Beitrittsunterlagen schicken").click()
    expect(page).to_have_url(re.compile(r"/manage/netz-x/outreach/\?open=on$"))
    assert_accessible(page)
    page.get_by_role("button", name="Erledigt Beitrittsunterlagen schicken").click()
    expect(page.get_by_text("Nächster Schritt erledigt.")).to_be_visible()

    page.goto("/manage/netz-x/")
    expect(page.get_by_role("link", name="Beitrittsunterlagen schicken")).to_have_count(0)
    assert page.csp_violations == []


def test_a_prospect_moves_through_the_stages_to_member(page, world):
    organisation = Organisation.objects.create(name="Delta OHG")
    membership = Membership.objects.create(organisation=organisation, network=world.network_x, status=Membership.Status.PROSPECT)
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/outreach/pipeline/")
    assert_accessible(page)
    page.get_by_role("link", name="Aufnehmen Delta OHG").click()
    page.get_by_label("Quelle").select_option("event")
    page.get_by_role("button", name="Aufnehmen").click()
    expect(page.get_by_text("„Delta OHG“ ist im Akquiseweg.")).to_be_visible()
    for stage in ("first_talk", "offer", "won"):  # Erstgespräch → Angebot/Beitrittsunterlagen → Mitglied
        page.get_by_label("Neue Stufe Delta OHG").select_option(stage)
        page.get_by_role("button", name="Verschieben").click()
        expect(page.get_by_text("Stufe geändert.")).to_be_visible()
        expect(page.locator(f"section:has(#stage-{stage})")).to_contain_text("Delta OHG")
    assert_accessible(page)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert page.csp_violations == []
