"""Issue 14 in Chromium: a small workshop entered on the meeting page — three talks in one slot, an item added later
that sorts itself by time, edited in place, deleted and undone, minutes moved between talks, a guest with the consent
the office was given — and both the meeting page and the check-in list pass axe."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import AgendaItem, MinuteEntry, Registration
from tests.browser.test_meetings import eager_tasks  # noqa: F401  # fixture: documents render in the request's on_commit
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_item(page, start: str, end: str, title: str, kind: str) -> None:
    agenda = page.locator("#agenda")
    agenda.locator("#agenda_starts_at").fill(start)
    agenda.locator("#agenda_ends_at").fill(end)
    agenda.locator("#agenda_kind").select_option(kind)
    agenda.locator("#agenda_title").fill(title)
    agenda.get_by_role("button", name="Hinzufügen").click()
    # The swapped section shows the new row; the form is empty again before the next item is typed.
    expect(page.locator("#agenda tbody")).to_contain_text(title)
    expect(page.locator("#agenda_title")).to_have_value("")


def test_a_workshop_is_entered_edited_and_undone_on_the_meeting_page(page, world, manager_x, eager_tasks, tmp_path):  # noqa: F811
    day = timezone.localdate() + timedelta(days=7)
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Transferworkshop", "kind": "workshop", "starts_at": services.meeting_at(day, 9, 30), "ends_at": services.meeting_at(day, 15, 30)},
    )
    log_in(page, "manager_x@example.org")
    page.goto(meeting.get_absolute_url())
    page.wait_for_load_state()
    page.evaluate("window.__sameDocument = true")
    page.locator("#tab-programme").click()  # the tabs swap in place too
    expect(page.locator("#agenda")).to_be_visible()

    # Programme: three talks in the 11:30 slot, and a talk added last that lands in its time slot.
    add_item(page, "10:00", "10:30", "Begrüßung und Einführung", "welcome")
    for n in (1, 2, 3):
        add_item(page, "11:30", "12:30", f"Erfahrungen ({n})", "talk")
    add_item(page, "14:00", "15:00", "Bioenergiepark Saerbeck", "excursion")
    add_item(page, "10:30", "11:15", "Cluster Management", "talk")
    titles = page.locator("#agenda tbody tr td:nth-child(2)")
    expect(titles).to_contain_text(
        ["Begrüßung und Einführung", "Cluster Management", "Erfahrungen (1)", "Erfahrungen (2)", "Erfahrungen (3)", "Bioenergiepark Saerbeck"]
    )

    # Edited in place: the row becomes a form, saved without leaving the page.
    cluster = AgendaItem.objects.get(title="Cluster Management")
    page.locator("#agenda").get_by_role("link", name="Bearbeiten Cluster Management").click()
    page.locator(f"#agenda{cluster.pk}_speaker").fill("Judith Terstriep")
    page.locator(f"#agenda{cluster.pk}_speaker_function").fill("Senior Researcher")
    page.locator(f"#agenda{cluster.pk}_speaker_organisation").fill("Institut Arbeit und Technik")
    page.locator(f"#agenda-item-{cluster.pk}").get_by_role("button", name="Speichern").click()
    expect(page.locator("#agenda tbody")).to_contain_text("Senior Researcher, Institut Arbeit und Technik")

    # Deleted without a question, brought back with "Rückgängig".
    page.locator("#agenda").get_by_role("button", name="Entfernen Erfahrungen (3)").click()
    expect(page.locator("#agenda")).to_contain_text("„11:30 Erfahrungen (3)“ entfernt.")
    expect(titles).to_have_count(5)
    page.locator("#agenda").get_by_role("button", name="Rückgängig").click()
    expect(titles).to_have_count(6)
    expect(titles.nth(4)).to_contain_text("Erfahrungen (3)")

    # Minutes to a talk (its tab offers the programme as it is now); one is moved to another talk in place.
    page.locator("#tab-minutes").click()
    expect(page.locator("#tab-minutes")).to_have_attribute("aria-current", "page")
    minutes = page.locator("#minutes")
    for kind, text in [("question", "Welche Indikatoren gibt es?"), ("answer", "Zufriedenheit mit dem Management.")]:
        minutes.locator("#minute_kind").select_option(kind)
        minutes.locator("#minute_agenda_item").select_option(label="11:30 Erfahrungen (1)")
        minutes.locator("#minute_text").fill(text)
        minutes.get_by_role("button", name="Hinzufügen").click()
        expect(page.locator("#minutes ol")).to_contain_text(text)
        expect(page.locator("#minute_text")).to_have_value("")
    answer = MinuteEntry.objects.get(kind="answer")
    page.locator(f"#minute-{answer.pk}").get_by_role("link", name="Bearbeiten").click()
    page.locator(f"#minute{answer.pk}_agenda_item").select_option(label="11:30 Erfahrungen (2)")
    page.locator(f"#minute-{answer.pk}").get_by_role("button", name="Speichern").click()
    expect(page.locator(f"#minute-{answer.pk}")).to_contain_text("(Erfahrungen (2))")

    # A guest whose consent the office was given by phone.
    page.locator("#tab-participants").click()
    expect(page.locator("#tab-participants")).to_have_attribute("aria-current", "page")
    participants = page.locator("#participants")
    participants.locator("#guest_name").fill("Gerda Gast")
    participants.locator("#guest_organisation").fill("Kreis Steinfurt")
    participants.locator("#guest_consent_participant_list").check()
    participants.locator("#guest_consent_source").select_option("oral")
    participants.get_by_role("button", name="Gast anmelden").click()
    expect(page.locator("#participants tbody")).to_contain_text("Gerda Gast")
    expect(page.locator("#participants tbody")).to_contain_text("Liste: ja")
    # Everything above was swapped in place: the document was never reloaded.
    assert page.evaluate("window.__sameDocument") is True
    assert Registration.objects.get().consent_source == "oral"
    assert list(meeting.agenda_items.values_list("title", flat=True))[1] == "Cluster Management"

    page.reload()  # the address of the tab last opened
    expect(page.locator("#participants tbody")).to_contain_text("Gerda Gast")
    assert_accessible(page)
    page.goto(f"{meeting.get_absolute_url()}?tab=programme")
    expect(page.locator("#agenda tbody tr")).to_have_count(6)
    assert_accessible(page)
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/check-in/")
    expect(page.locator("#check-in-list")).to_contain_text("Gerda Gast")
    assert_accessible(page)

    # The documentation, as the domain document shows it: moderation, a chapter for the welcome and the excursion
    # as well as the talks, the minutes grouped under their talk, and the guest who consented.
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/edit/")
    page.locator("#id_moderation").fill("Robert Tschiedel, TAT")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Änderungen gespeichert.")).to_be_visible()
    summaries = {
        "Begrüßung und Einführung": "Herr Ehling stellt die Arbeitsschwerpunkte vor.",
        "Cluster Management": "Cluster brauchen Zeit und Personen.",
        "Bioenergiepark Saerbeck": "Eine Steuerungsrunde verschiedener Akteure wurde gegründet.",
    }
    for title, summary in summaries.items():
        item = AgendaItem.objects.get(title=title)
        page.goto(f"/manage/netz-x/meetings/{meeting.pk}/agenda/{item.pk}/summary/")
        page.get_by_label("Zusammenfassung").fill(summary)
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_text("Zusammenfassung gespeichert.")).to_be_visible()
    page.goto(f"/manage/netz-x/meetings/{meeting.pk}/documents/documentation/")
    page.get_by_role("button", name="Aktuelle Fassung erstellen").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF herunterladen").click()
    target = tmp_path / "dokumentation.pdf"
    download_info.value.save_as(target)
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "Robert Tschiedel, TAT" in flat  # the meeting's moderation
    for summary in summaries.values():
        assert summary in flat
    assert "Begrüßung: Begrüßung und Einführung" in flat and "Exkursion: Bioenergiepark Saerbeck" in flat  # chapters of every kind
    # Kurzprotokoll: the question under the first talk of the slot, the moved answer under the second.
    protocol = flat[flat.rindex("Kurzprotokoll") :]
    first, second = protocol.index("Erfahrungen (1)"), protocol.index("Erfahrungen (2)")
    assert first < protocol.index("Welche Indikatoren gibt es?") < second < protocol.index("Zufriedenheit mit dem Management.")
    assert "Gerda Gast" in flat and "Kreis Steinfurt" in flat  # the guest the office recorded with consent
    assert page.csp_violations == []
