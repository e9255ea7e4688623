"""Participant list and meeting documentation as PDFs, rendered by the (eager) Celery task and read back."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from events import services
from events.documents import document_request
from events.models import MeetingDocument


def pdf_text(document: MeetingDocument) -> str:
    with document.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_participant_list_has_names_in_order_and_page_numbers(workshop, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="participant_list")
    document = MeetingDocument.objects.get()
    assert document.status == "done"
    text = pdf_text(document)
    assert text.index("Albers") < text.index("Zimmermann")
    assert "Unterschrift" in text and "Seite 1 von 1" in text
    assert "Alpha GmbH" in text


def test_documentation_has_programme_talks_minutes_in_order(workshop, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="documentation")
    text = pdf_text(MeetingDocument.objects.get())
    assert "Inhaltsverzeichnis" in text
    text = text[text.index("Zeit") :]  # past the cover and the table of contents
    positions = [
        text.index(s)
        for s in [
            "10:00–10:30",
            "Cluster Management – Ein Job wie jeder andere?",
            "Kurzprotokoll",
            "Welche Indikatoren",
            "Zufriedenheit mit dem Clustermanagement",
            "Teilnehmer/innen-Liste",
        ]
    ]
    assert positions == sorted(positions)
    assert "Judith Terstriep" in text


def test_fresh_document_is_reused_and_a_stale_one_rendered_again(workshop, eager, manager_x, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = document_request(meeting=workshop, kind="participant_list")
    first.refresh_from_db()
    rendered_at = first.rendered_at
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document_request(meeting=workshop, kind="participant_list")
    assert callbacks == []  # nothing enqueued: the inputs did not change
    services.registration_register(meeting=workshop, by=manager_x, guest={"name": "Neuer Gast"}, by_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="participant_list")
    document = MeetingDocument.objects.get()
    assert document.rendered_at > rendered_at
    assert "Neuer Gast" in pdf_text(document)


def test_user_text_is_escaped_in_the_pdf(workshop, eager, manager_x, django_capture_on_commit_callbacks):
    services.minute_add(meeting=workshop, by=manager_x, data={"kind": "information", "text": '<img src="http://127.0.0.1:9/x"><b>fett</b>'})
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="documentation")
    assert "<b>fett</b>" in pdf_text(MeetingDocument.objects.get())


def test_pages_poll_until_done_and_download_is_an_attachment(client, world, manager_x, workshop, eager, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    url = reverse("events:document", args=["netz-x", workshop.pk, "participant_list"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:document_request", args=["netz-x", workshop.pk, "participant_list"]))
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 286
    response = client.get(reverse("events:document_download", args=["netz-x", workshop.pk, "participant_list"]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("events:document", args=["netz-x", workshop.pk, "unbekannt"])).status_code == 404
    client.force_login(world.users["manager_y"])
    assert client.get(reverse("events:document_download", args=["netz-x", workshop.pk, "participant_list"])).status_code == 404
