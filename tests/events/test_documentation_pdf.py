"""The meeting documentation as the domain document shows it, read back from the rendered file (pdftotext, pikepdf).

Every test renders through the real path: events.documents.document_request → the (eager) Celery task →
document_render → WeasyPrint → slides placed with pikepdf.
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import time

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events import attachments, services
from events.documents import document_request
from events.models import AgendaItem, DocumentationSettings, Meeting, MeetingDocument
from verbund.pdf import render_pdf

SLIDE_TEXT = "FOLIENTEXT Clusterpolitik in Europa"


def rendered(meeting: Meeting, callbacks) -> tuple[bytes, str]:
    """The documentation's bytes and its text as `pdftotext -layout` reads it."""
    with callbacks(execute=True):
        document_request(meeting=meeting, kind=MeetingDocument.Kind.DOCUMENTATION)
    document = MeetingDocument.objects.get(meeting=meeting, kind=MeetingDocument.Kind.DOCUMENTATION)
    assert document.status == MeetingDocument.Status.DONE, document.error
    with document.file.open("rb") as handle:
        data = handle.read()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return data, text


def pages_of(text: str) -> list[str]:
    return text.split("\f")


def page_with(text: str, needle: str, *, after: int = 0) -> int:
    """The 1-based number of the first page (from page `after` + 1 on) that contains `needle`."""
    for number, page in enumerate(pages_of(text), start=1):
        if number > after and needle in page:
            return number
    raise AssertionError(f"{needle!r} is on no page after {after}")


def item(meeting: Meeting, title: str) -> AgendaItem:
    return meeting.agenda_items.get(title__startswith=title)


def add_item(meeting: Meeting, by, **data) -> AgendaItem:
    return services.agenda_item_save(meeting=meeting, by=by, data=data)


def slides_pdf() -> bytes:
    """A two-page landscape deck with real text, the way a presenter's export looks."""
    html = f"<style>@page {{ size: 297mm 210mm; }}</style><p>{SLIDE_TEXT}</p><p style='page-break-before: always'>Zweite Folie</p>"
    return render_pdf(html=html)


@pytest.fixture
def programme(workshop, manager_x):
    """The workshop with the rest of the domain document's day: a break, the round of contributions, the excursion."""
    workshop.moderation = "Robert Tschiedel, TAT"
    workshop.save(update_fields=["moderation"])
    add_item(workshop, manager_x, starts_at=time(11, 15), ends_at=time(11, 30), kind="break", title="Pause")
    add_item(
        workshop,
        manager_x,
        starts_at=time(12, 30),
        ends_at=time(13),
        kind="discussion",
        title="Beiträge und Anregungen der Teilnehmerinnen und Teilnehmer",
        moderator="Robert Tschiedel, TAT",
    )
    add_item(
        workshop,
        manager_x,
        starts_at=time(14),
        ends_at=time(15, 30),
        kind="excursion",
        title="Der Bioenergiepark Saerbeck als gebauter Verbund",
        speaker="Wilfried Roos",
    )
    return workshop


def test_moderation_and_the_kind_of_every_programme_line_are_printed(programme, eager, django_capture_on_commit_callbacks):
    _data, text = rendered(programme, django_capture_on_commit_callbacks)
    page = pages_of(text)[page_with(text, "Programmpunkt") - 1]
    assert "Moderation: Robert Tschiedel, TAT" in page  # the meeting's
    assert "Diskussion · Moderation: Robert Tschiedel, TAT" in page  # the item's, with its kind
    lines = page.splitlines()
    pause = next(i for i, line in enumerate(lines) if "11:15–11:30 Uhr" in line)
    assert "Pause" in lines[pause] and "Pause" in lines[pause + 1]  # title, then its kind: a break is not a talk
    talk = next(i for i, line in enumerate(lines) if "10:30–11:15 Uhr" in line)
    assert "Vortrag" in lines[talk + 1]
    assert "Exkursion" in page and "Begrüßung" in page


def test_every_summarised_item_has_a_chapter_listed_in_the_contents_with_its_page(programme, manager_x, eager, django_capture_on_commit_callbacks):
    summaries = {
        "Begrüßung und Einführung": "Herr Ehling stellt die Arbeitsschwerpunkte des Münsterland e.V. vor.",
        "Cluster Management": "Cluster brauchen ein professionelles Management.",
        "Beiträge und Anregungen": "Verbünde managen ist eine Zukunftsaufgabe.",
        "Der Bioenergiepark": "Eine Steuerungsrunde verschiedener Akteure wurde gegründet.",
    }
    for title, summary in summaries.items():
        attachments.agenda_summary_save(item=item(programme, title), by=manager_x, summary=summary)
    _data, text = rendered(programme, django_capture_on_commit_callbacks)
    contents = pages_of(text)[page_with(text, "Inhaltsverzeichnis") - 1]
    for heading in [
        "Begrüßung: Begrüßung und Einführung",
        "Vortrag: Cluster Management – Ein Job wie jeder andere?",
        "Diskussion: Beiträge und Anregungen der Teilnehmerinnen und Teilnehmer",
        "Exkursion: Der Bioenergiepark Saerbeck als gebauter Verbund",
    ]:
        listed = re.search(re.escape(heading) + r" ?\.+ +(\d+)", contents)
        assert listed, f"{heading} is not in the contents"
        page = int(listed.group(1))
        assert heading in " ".join(pages_of(text)[page - 1].split()), f"{heading} is not on page {page}"
    for summary in summaries.values():
        assert summary in text
    assert "Vortrag: Regionale Verbünde" not in contents  # no summary, no chapter


def test_a_break_takes_no_summary_and_offers_no_form(client, programme, manager_x):
    pause, excursion = item(programme, "Pause"), item(programme, "Der Bioenergiepark")
    with pytest.raises(Exception, match="kein Kapitel"):
        attachments.agenda_summary_save(item=pause, by=manager_x, summary="Kaffee")
    client.force_login(manager_x)
    assert client.get(reverse("events:agenda_summary", args=["netz-x", programme.pk, pause.pk])).status_code == 404
    assert client.get(reverse("events:agenda_summary", args=["netz-x", programme.pk, excursion.pk])).status_code == 200
    page = client.get(programme.get_absolute_url()).text
    assert reverse("events:agenda_summary", args=["netz-x", programme.pk, excursion.pk]) in page
    assert reverse("events:agenda_summary", args=["netz-x", programme.pk, pause.pk]) not in page


def test_kurzprotokoll_groups_questions_under_one_heading_per_programme_item(programme, manager_x, eager, django_capture_on_commit_callbacks):
    cluster, excursion = item(programme, "Cluster Management"), item(programme, "Der Bioenergiepark")
    entries = [  # entered out of programme order, as an office types them up
        (excursion, "question", "Wie wurde der Bioenergiepark organisiert?"),
        (excursion, "answer", "Es wurde eine Steuerungsrunde gegründet."),
        (cluster, "question", "Wie werden die Agreements abgeschlossen?"),
        (cluster, "answer", "Der Großteil wird informell abgeschlossen."),
        (cluster, "question", "Sind unternehmensgetriebene Cluster erfolgreicher?"),
        (cluster, "answer", "Die Erfahrung zeigt, dass unternehmensgetriebene Cluster erfolgreicher sind."),
        (cluster, "decision", "Die Folien werden mit der Dokumentation verschickt."),
    ]
    for agenda_item, kind, text in entries:
        services.minute_add(meeting=programme, by=manager_x, data={"kind": kind, "agenda_item": agenda_item, "text": text})
    _data, text = rendered(programme, django_capture_on_commit_callbacks)
    minutes = text[text.index("Kurzprotokoll", text.index("Programmpunkt")) : text.index("Teilnehmer/innen-Liste", text.index("Programmpunkt"))]
    flat = " ".join(minutes.split())
    order = [
        "1. Vortrag von Judith Terstriep: Cluster Management – Ein Job wie jeder andere?",
        "Wie werden die Agreements abgeschlossen?",
        "Der Großteil wird informell abgeschlossen.",
        "Sind unternehmensgetriebene Cluster erfolgreicher?",
        "Die Erfahrung zeigt",
        "Beschluss: Die Folien werden mit der Dokumentation verschickt.",
        "2. Exkursion von Wilfried Roos: Der Bioenergiepark Saerbeck als gebauter Verbund",
        "Wie wurde der Bioenergiepark organisiert?",
        "Es wurde eine Steuerungsrunde gegründet.",
        "3. Allgemein",  # the fixture's entries without a programme item
        "Welche Indikatoren gibt es für die Erfolgsmessung?",
    ]
    positions = [flat.index(s) for s in order]
    assert positions == sorted(positions)
    assert flat.count("Cluster Management – Ein Job wie jeder andere?") == 1  # one heading, not repeated per entry
    assert "Frage" not in flat and "Antwort" not in flat


def test_questions_are_sub_headings_in_the_tagged_structure(programme, manager_x, eager, django_capture_on_commit_callbacks):
    cluster = item(programme, "Cluster Management")
    services.minute_add(meeting=programme, by=manager_x, data={"kind": "question", "agenda_item": cluster, "text": "Wer führt das Clustermanagement aus?"})
    data, _text = rendered(programme, django_capture_on_commit_callbacks)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        kinds = [str(element.S) for element in _struct_elements(pdf.Root.StructTreeRoot)]
    assert kinds.count("/H3") >= 2 and "/H4" in kinds  # group headings and the questions below them


def _struct_elements(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _struct_elements(kid)


def test_times_never_wrap_and_approximate_times_say_ca(programme, manager_x, monkeypatch, eager, django_capture_on_commit_callbacks):
    add_item(programme, manager_x, starts_at=time(15, 30), kind="end", title="Schluss der Veranstaltung")
    # The programme editor's "ca." flag; read with getattr, so this works before and after that field exists.
    monkeypatch.setattr(AgendaItem, "starts_approx", property(lambda self: self.kind == "end"), raising=False)
    _data, text = rendered(programme, django_capture_on_commit_callbacks)
    page = pages_of(text)[page_with(text, "Programmpunkt") - 1]
    for label in ["10:00–10:30 Uhr", "10:30–11:15 Uhr", "11:15–11:30 Uhr", "14:00–15:30 Uhr", "ca. 15:30 Uhr"]:
        assert any(label in line for line in page.splitlines()), f"{label} is broken over lines"


@pytest.mark.parametrize("placement", ["with_item", "appendix"])
def test_slides_follow_their_talk_or_the_last_chapter_as_the_office_chooses(programme, manager_x, placement, eager, django_capture_on_commit_callbacks):
    cluster = item(programme, "Cluster Management")
    attachments.agenda_summary_save(item=cluster, by=manager_x, summary="Kurzfassung des Vortrags.")
    attachments.attachment_add(
        meeting=programme,
        by=manager_x,
        kind="slides",
        agenda_item=cluster,
        title="Folien Terstriep",
        upload=SimpleUploadedFile("s.pdf", slides_pdf(), "application/pdf"),
    )
    DocumentationSettings.objects.create(meeting=programme, slides_placement=placement)
    _data, text = rendered(programme, django_capture_on_commit_callbacks)
    chapter = page_with(text, "Vortrag: Cluster Management", after=page_with(text, "Programmpunkt"))
    slide = page_with(text, SLIDE_TEXT)
    minutes = page_with(text, "Kurzprotokoll", after=chapter)
    participants = page_with(text, "Teilnehmer/innen-Liste", after=chapter)
    if placement == "with_item":
        assert slide == chapter + 1 and slide + 1 < minutes  # both slides between the chapter and the Kurzprotokoll
        assert "Folien Terstriep – Seite 1" in pages_of(text)[slide - 1]
    else:
        assert slide > participants
        assert "Anhang 1: Folien Terstriep" in pages_of(text)[slide - 1]
    assert "Zweite Folie" in pages_of(text)[slide]


def test_the_merged_file_keeps_its_pdf_ua_header_metadata_and_structure(programme, manager_x, eager, django_capture_on_commit_callbacks):
    attachments.attachment_add(
        meeting=programme, by=manager_x, kind="slides", title="Folien", upload=SimpleUploadedFile("s.pdf", slides_pdf(), "application/pdf")
    )
    data, text = rendered(programme, django_capture_on_commit_callbacks)
    assert data.startswith(b"%PDF-1.7")
    assert SLIDE_TEXT in text  # the slide itself, not only its placeholder heading
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.pdf_version == "1.7"
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root and len(list(_struct_elements(pdf.Root.StructTreeRoot))) > 20
        assert str(pdf.Root.Lang) == "de"
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == f"Dokumentation – {programme.title}"
        assert str(pdf.docinfo["/Title"]) == f"Dokumentation – {programme.title}"


def test_the_participant_list_chapter_lists_exactly_those_who_consented(programme, manager_x, eager, django_capture_on_commit_callbacks):
    services.registration_register(
        meeting=programme, by=manager_x, guest={"name": "Gesine Gast", "organisation": "Kreis Steinfurt"}, by_manager=True, consent_participant_list=True
    )
    services.registration_register(meeting=programme, by=manager_x, guest={"name": "Otto Ohnezustimmung"}, by_manager=True)
    _data, text = rendered(programme, django_capture_on_commit_callbacks)
    chapter = pages_of(text)[page_with(text, "Teilnehmer/innen-Liste", after=page_with(text, "Programmpunkt")) - 1]
    assert "Gesine Gast" in chapter and "Kreis Steinfurt" in chapter
    assert "Eva Albers" in chapter
    assert "Ohnezustimmung" not in text
