"""Issue 15: the manager's meeting page as tabs (Überblick · Programm · Teilnehmende · Protokoll · Dateien).

Each tab has its own address (?tab=…) and works as a plain link; htmx asks for the panel only and gets the tab bar
out of band; a write without JavaScript comes back to the tab it was made in.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events import attachments, services
from events.models import Meeting, MeetingAttachment
from tests.conftest import make_user
from tests.hostile_files import JPEG, pdf
from verbund.models import ManagerRole

HTMX_PANEL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tab-panel"}
PANELS = {
    "overview": "Eckdaten",
    "programme": "Programmpunkt hinzufügen",
    "participants": "Gast anmelden",
    "minutes": "Eintrag hinzufügen",
    "files": "Folien und Dokumente",
}


@pytest.fixture
def meeting(world, manager_x) -> Meeting:
    day = timezone.localdate() + timedelta(days=14)
    return services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={"title": "Transferworkshop", "kind": "workshop", "starts_at": services.meeting_at(day, 9, 30), "ends_at": services.meeting_at(day, 15, 30)},
    )


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


def current_tab(html: str) -> list[str]:
    """The keys of the tab links marked current (there must be exactly one)."""
    return re.findall(r'<a id="tab-([a-z]+)"[^>]*aria-current="page"', html)


def test_each_tab_has_its_own_address_and_shows_only_its_panel(client, manager_x, workshop):
    client.force_login(manager_x)
    for tab, marker in PANELS.items():
        url = workshop.get_absolute_url() + ("" if tab == "overview" else f"?tab={tab}")
        page = client.get(url)
        assert page.status_code == 200
        assert current_tab(page.text) == [tab]
        assert f'data-tab="{tab}"' in page.text and marker in page.text
        for other, other_marker in PANELS.items():
            if other != tab:
                assert other_marker not in page.text, (tab, other)
        # Every tab is a plain link to its own address (no JavaScript needed), with htmx swapping only the panel.
        for key in PANELS:
            href = workshop.get_absolute_url() + ("" if key == "overview" else f"?tab={key}")
            assert f'<a id="tab-{key}" href="{href}" hx-get="{href}" hx-target="#tab-panel" hx-swap="outerHTML" hx-push-url="true"' in page.text


def test_an_unknown_tab_shows_the_overview(client, manager_x, workshop):
    client.force_login(manager_x)
    page = client.get(workshop.get_absolute_url(), {"tab": "<script>"})
    assert page.status_code == 200 and current_tab(page.text) == ["overview"] and "&lt;script&gt;" not in page.text


def test_the_tabs_count_programme_registrations_minutes_and_files(client, manager_x, workshop):
    attachments.attachment_add(meeting=workshop, by=manager_x, kind="photo", upload=SimpleUploadedFile("a.jpg", JPEG, "image/jpeg"), title="Saal")
    client.force_login(manager_x)
    page = client.get(workshop.get_absolute_url()).text
    counts = dict(re.findall(r'<a id="tab-([a-z]+)"[^>]*>[^<]*<span class="count">(\d+)</span>', page))
    assert counts == {"programme": "3", "participants": "2", "minutes": "2", "files": "1"}


def test_htmx_gets_only_the_panel_and_the_tab_bar_out_of_band(client, manager_x, workshop):
    client.force_login(manager_x)
    response = client.get(workshop.get_absolute_url(), {"tab": "minutes"}, **HTMX_PANEL)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "site-header" not in html
    assert html.lstrip().startswith("<title>Protokoll · Cluster")
    assert '<div id="tab-panel" class="tab-panel" data-tab="minutes">' in html
    assert '<nav id="meeting-tabs"' in html and 'hx-swap-oob="true"' in html
    assert current_tab(html) == ["minutes"]
    assert "Welche Indikatoren gibt es für die Erfolgsmessung?" in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_writes_without_javascript_come_back_to_their_tab(client, world, manager_x, meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager_x)
    base = meeting.get_absolute_url()
    response = client.post(u("events:agenda_add", meeting.pk), {"starts_at": "10:00", "ends_at": "10:30", "kind": "talk", "title": "Vortrag"})
    assert response["Location"] == f"{base}?tab=programme#agenda"
    response = client.post(u("events:registration_add", meeting.pk), {"guest": "1", "name": "Gerda Gast"})
    assert response["Location"] == f"{base}?tab=participants#participants"
    response = client.post(u("events:minute_add", meeting.pk), {"kind": "question", "text": "Wie finanziert?"})
    assert response["Location"] == f"{base}?tab=minutes#minutes"
    response = client.post(u("events:action_item_add", meeting.pk), {"title": "Antrag stellen"})
    assert response["Location"] == f"{base}?tab=minutes#action-items"
    talk = meeting.agenda_items.get()
    response = client.post(u("events:agenda_summary", meeting.pk, talk.pk), {"summary": "Kurz gesagt."})
    assert response["Location"] == f"{base}?tab=programme#agenda"
    upload = SimpleUploadedFile("folien.pdf", pdf(1), "application/pdf")
    response = client.post(u("events:attachments", meeting.pk), {"kind": "slides", "file": upload, "title": "Folien", "people_shown": "none"})
    assert response["Location"] == f"{base}?tab=files"
    slides = MeetingAttachment.objects.get()
    response = client.post(u("events:attachment_edit", meeting.pk, slides.pk), {"title": "Folien neu", "kind": "slides", "people_shown": "none"})
    assert response["Location"] == f"{base}?tab=files"
    response = client.post(u("events:attachment_delete", meeting.pk, slides.pk))
    assert response["Location"] == f"{base}?tab=files"


def test_refused_input_without_javascript_shows_the_form_in_its_tab(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(u("events:minute_add", meeting.pk), {"kind": "question", "text": ""})
    assert response.status_code == 200
    assert current_tab(response.text) == ["minutes"] and 'data-tab="minutes"' in response.text and "errorlist" in response.text


def test_a_refused_upload_shows_the_files_tab_with_the_error(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(u("events:attachments", meeting.pk), {"kind": "photo"})
    assert response.status_code == 400
    assert current_tab(response.text) == ["files"] and "errorlist" in response.text


def test_the_attachments_address_still_works_and_shows_the_files_tab(client, manager_x, workshop):
    client.force_login(manager_x)
    page = client.get(u("events:attachments", workshop.pk))
    assert page.status_code == 200 and current_tab(page.text) == ["files"]
    assert "Fotos nicht zugestimmt" in page.text


def test_a_section_swapped_in_place_brings_the_new_counts_along(client, manager_x, meeting):
    client.force_login(manager_x)
    response = client.post(
        u("events:agenda_add", meeting.pk), {"starts_at": "10:00", "ends_at": "10:30", "kind": "talk", "title": "Vortrag"}, HTTP_HX_REQUEST="true"
    )
    html = response.text
    assert html.lstrip().startswith('<section class="card" id="agenda"')
    assert '<nav id="meeting-tabs" aria-label="Bereiche des Treffens" hx-swap-oob="true">' in html
    assert re.search(r'<a id="tab-programme"[^>]*aria-current="page">Programm <span class="count">1</span>', html)


def test_cancel_while_editing_in_place_returns_to_the_tab(client, manager_x, workshop):
    client.force_login(manager_x)
    talk = workshop.agenda_items.first()
    form = client.get(u("events:agenda_edit", workshop.pk, talk.pk), HTTP_HX_REQUEST="true").text
    assert f'href="{workshop.get_absolute_url()}?tab=programme#agenda"' in form
    page = client.get(u("events:agenda_edit", workshop.pk, talk.pk)).text  # without JavaScript: a page of its own
    assert f'href="{workshop.get_absolute_url()}?tab=programme#agenda"' in page


def test_the_overview_names_the_facts_and_the_next_steps(client, world, manager_x, meeting):
    client.force_login(manager_x)
    page = client.get(meeting.get_absolute_url()).text
    assert '<span class="badge badge-info">In Planung</span>' in page
    steps = page[page.index('id="steps-heading"') :]
    assert steps.index("Programm anlegen") < steps.index("Einladung versenden")
    assert f'href="{u("events:invite", meeting.pk)}"' in steps
    assert "noch nicht erstellt" in page  # the documentation
    services.action_item_create(network=world.network_x, meeting=meeting, by=manager_x, data={"title": "Raum buchen"})
    assert "Raum buchen" in client.get(meeting.get_absolute_url()).text


def test_an_observer_sees_the_tabs_but_no_forms_and_no_bulk_actions(client, world, workshop):
    observer = make_user("observer_x@example.org")
    ManagerRole.objects.create(user=observer, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    client.force_login(observer)
    page = client.get(workshop.get_absolute_url(), {"tab": "participants"}).text
    assert current_tab(page) == ["participants"] and "Zimmermann" in page
    assert "participants-bulk" not in page and "Gast anmelden" not in page
    assert "Nächste Schritte" not in client.get(workshop.get_absolute_url()).text


def test_another_networks_manager_gets_404_for_every_tab(client, manager_y, workshop):
    client.force_login(manager_y)
    for tab in PANELS:
        assert client.get(workshop.get_absolute_url(), {"tab": tab}).status_code == 404
