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
from django.utils import dateformat, timezone
from PIL import Image

from events import attachments, services
from events.documents import document_request, inputs_hash
from events.models import AgendaItem, DocumentationSettings, Meeting, MeetingDocument, MeetingLogo
from verbund.models import NetworkLogo
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
    page = client.get(programme.get_absolute_url(), {"tab": "programme"}).text
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


def test_times_never_wrap_and_approximate_times_say_ca(programme, manager_x, eager, django_capture_on_commit_callbacks):
    add_item(programme, manager_x, starts_at=time(15, 30), kind="end", title="Schluss der Veranstaltung", starts_approx=True)
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


# --- imprint and logos: the network's defaults, a meeting's own ------------------------------------------------


def logo_png(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 100), colour).save(out, "PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), "image/png")


def alt_texts(data: bytes) -> list[str]:
    """The alternative texts of the figures in the tagged structure: what a screen reader says for each logo."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [str(element.Alt) for element in _struct_elements(pdf.Root.StructTreeRoot) if "/Alt" in element]


def add_logo(client, url: str, role: str, name: str, colour: tuple[int, int, int]) -> None:
    response = client.post(url, {"role": role, "name": name, "logo_upload": logo_png(colour)})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_network_imprint_and_logos_print_and_a_meeting_overrides_them(client, programme, manager_x, eager, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    response = client.post(
        reverse("verbund:network_documentation", args=["netz-x"]),
        {
            "publisher_name": "TAT Technik Arbeit Transfer GmbH",
            "publisher_address": "Hovesaatstraße 6\n48432 Rheine",
            "copyright_line": "Copyright – Alle Rechte vorbehalten",
            "funding_line": "aufgrund eines Beschlusses des Deutschen Bundestages",
        },
    )
    assert response.status_code == 302
    network_logos = reverse("verbund:network_logo_add", args=["netz-x"])
    add_logo(client, network_logos, "funder", "Bundesministerium für Arbeit und Soziales", (0, 0, 0))
    add_logo(client, network_logos, "partner", "Akademie Überlingen", (200, 0, 0))
    add_logo(client, network_logos, "initiative", "Initiative Neue Qualität der Arbeit", (0, 200, 0))
    data, text = rendered(programme, django_capture_on_commit_callbacks)
    cover = " ".join(pages_of(text)[0].split())
    for expected in [
        "In Zusammenarbeit mit:",
        "Gefördert durch:",
        "aufgrund eines Beschlusses des Deutschen Bundestages",
        "Im Rahmen der Initiative:",
        "Herausgeber: TAT Technik Arbeit Transfer GmbH Hovesaatstraße 6 48432 Rheine",
        "Copyright – Alle Rechte vorbehalten",
        f"Erschienen: {dateformat.format(timezone.localdate(), 'F Y')}",  # no date set: the day of rendering
    ]:
        assert expected in cover, expected
    assert {"Bundesministerium für Arbeit und Soziales", "Akademie Überlingen", "Initiative Neue Qualität der Arbeit"} <= set(alt_texts(data))

    settings_url = reverse("events:documentation_settings", args=["netz-x", programme.pk])
    response = client.post(
        settings_url,
        {"slides_placement": "appendix", "published_on": "2014-01-15", "network_logos": "on", "publisher_name": "Kreis Steinfurt", "funding_line": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    add_logo(client, reverse("events:meeting_logo_add", args=["netz-x", programme.pk]), "funder", "Land Nordrhein-Westfalen", (0, 0, 200))
    data, text = rendered(programme, django_capture_on_commit_callbacks)
    cover = " ".join(pages_of(text)[0].split())
    assert "Herausgeber: Kreis Steinfurt Hovesaatstraße 6" in cover  # the meeting's name, the network's address
    assert "aufgrund eines Beschlusses" in cover and "Erschienen: Januar 2014" in cover
    alts = alt_texts(data)
    assert "Land Nordrhein-Westfalen" in alts and "Bundesministerium für Arbeit und Soziales" not in alts  # the role's logos replaced
    assert "Akademie Überlingen" in alts  # other roles keep the network's

    client.post(settings_url, {"slides_placement": "appendix", "publisher_name": "Kreis Steinfurt"})  # network logos unticked
    data, _text = rendered(programme, django_capture_on_commit_callbacks)
    assert "Akademie Überlingen" not in alt_texts(data) and "Land Nordrhein-Westfalen" in alt_texts(data)


@pytest.mark.anchor("S-4")
def test_logos_and_imprint_of_another_network_never_appear(client, world, programme, manager_x, eager, django_capture_on_commit_callbacks, anchor):
    client.force_login(world.users["manager_y"])
    add_logo(client, reverse("verbund:network_logo_add", args=["netz-y"]), "funder", "Geheimer Förderer Y", (0, 0, 0))
    client.post(reverse("verbund:network_documentation", args=["netz-y"]), {"publisher_name": "Herausgeber Y"})
    assert client.post(reverse("events:meeting_logo_add", args=["netz-x", programme.pk]), {"role": "funder", "name": "Y"}).status_code == 404
    assert client.post(reverse("events:meeting_logo_add", args=["netz-y", programme.pk]), {"role": "funder", "name": "Y"}).status_code == 404
    data, text = rendered(programme, django_capture_on_commit_callbacks)
    anchor(foreign_images=int("Geheimer Förderer Y" in alt_texts(data)))
    assert "Geheimer Förderer Y" not in alt_texts(data) and "Herausgeber Y" not in text
    assert "Gefördert durch" not in text  # X has no funder at all


@pytest.mark.anchor("S-4")
def test_ssrf_payloads_in_minutes_and_programme_reach_nothing_through_the_real_render_path(
    programme, manager_x, eager, django_capture_on_commit_callbacks, anchor, tmp_path
):
    """The office's own text (Markdown minutes, programme items) carries the payloads; the documentation task renders them."""
    from tests.verbund.test_pdf import CanaryServer

    secret = tmp_path / "geheim.css"
    secret.write_text("h1::after { content: 'LOCAL-FILE-CANARY'; }")
    with CanaryServer() as canary:
        payloads = [
            f"![Bild]({canary.url}/markdown-image.png)",
            f"[Anhang]({canary.url}/markdown-link)",
            f"<img src='{canary.url}/raw-img'>",
            f"<link rel='stylesheet' href='{canary.url}/raw.css'>",
            f"<style>@import url('{canary.url}/import.css');</style>",
            f"<object data='{canary.url}/object'></object>",
            f"<iframe src='{canary.url}/iframe'></iframe>",
            f"<svg><image href='{canary.url}/svg'/></svg>",
            f"![Datei]({secret.as_uri()})",
            f"<link rel='attachment' href='{secret.as_uri()}'>",
            "![passwd](file:///etc/passwd)",
            "<img src='/media/../../etc/passwd'>",
        ]
        talk = item(programme, "Cluster Management")
        for payload in payloads:
            services.minute_add(meeting=programme, by=manager_x, data={"text": f"Notiz {payload}", "agenda_item": talk})
        add_item(
            programme,
            manager_x,
            starts_at=time(15, 0),
            ends_at=time(15, 15),
            kind="talk",
            parallel=True,
            title=f"Punkt <img src='{canary.url}/title'>",
            summary=f"![x]({canary.url}/summary.png)",
        )
        data, text = rendered(programme, django_capture_on_commit_callbacks)
        hits = list(canary.hits)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        attachments_found = len(pdf.attachments)
    anchor(
        payloads=len(payloads) + 2, canary_hits=len(hits), file_bytes=text.count("LOCAL-FILE-CANARY") + data.count(b"root:x:"), attachments=attachments_found
    )
    assert hits == [] and attachments_found == 0 and "LOCAL-FILE-CANARY" not in text and b"root:x:" not in data
    assert "Notiz" in text  # the entries themselves did render


def test_a_hostile_logo_is_refused_with_a_message_and_nothing_is_stored(client, world, programme, manager_x, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager_x)
    svg = SimpleUploadedFile("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png")
    response = client.post(reverse("verbund:network_logo_add", args=["netz-x"]), {"role": "funder", "name": "Böse", "logo_upload": svg})
    assert response.status_code == 400 and "kein lesbares Bild" in response.text
    svg.seek(0)
    response = client.post(reverse("events:meeting_logo_add", args=["netz-x", programme.pk]), {"role": "funder", "name": "Böse", "logo_upload": svg})
    assert response.status_code == 400 and "kein lesbares Bild" in response.text
    assert not NetworkLogo.objects.exists() and not MeetingLogo.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_a_stored_logo_is_re_encoded_without_what_came_with_the_upload(client, world, manager_x, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager_x)
    upload = logo_png((10, 20, 30))
    upload = SimpleUploadedFile("../../evil.png", upload.read() + b"<script>alert(1)</script>", "image/png")
    add_logo_response = client.post(reverse("verbund:network_logo_add", args=["netz-x"]), {"role": "partner", "name": "Partner", "logo_upload": upload})
    assert add_logo_response.status_code == 302
    logo = NetworkLogo.objects.get()
    assert logo.logo.name.startswith("logos/") and "evil" not in logo.logo.name
    with logo.logo.open("rb") as handle:
        assert b"<script>" not in handle.read()


def test_every_imprint_setting_and_logo_makes_the_stored_documentation_stale(client, programme, manager_x):
    client.force_login(manager_x)
    kind = MeetingDocument.Kind.DOCUMENTATION
    before = inputs_hash(programme, kind)
    steps = [
        (reverse("verbund:network_documentation", args=["netz-x"]), {"publisher_name": "TAT"}),
        (reverse("verbund:network_documentation", args=["netz-x"]), {"publisher_name": "TAT", "funding_line": "Beschluss"}),
        (reverse("events:documentation_settings", args=["netz-x", programme.pk]), {"slides_placement": "with_item", "network_logos": "on"}),
        (
            reverse("events:documentation_settings", args=["netz-x", programme.pk]),
            {"slides_placement": "with_item", "network_logos": "on", "published_on": "2014-01-15"},
        ),
        (reverse("events:documentation_settings", args=["netz-x", programme.pk]), {"slides_placement": "with_item", "published_on": "2014-01-15"}),
        (reverse("events:documentation_settings", args=["netz-x", programme.pk]), {"slides_placement": "with_item", "copyright_line": "©"}),
    ]
    for url, data in steps:
        assert client.post(url, data).status_code == 302
        after = inputs_hash(programme, kind)
        assert after != before, data
        before = after
    add_logo(client, reverse("events:meeting_logo_add", args=["netz-x", programme.pk]), "partner", "Partner", (1, 2, 3))
    assert inputs_hash(programme, kind) != before
    before = inputs_hash(programme, kind)
    client.post(reverse("events:meeting_logo_remove", args=["netz-x", programme.pk, MeetingLogo.objects.get().pk]))
    assert inputs_hash(programme, kind) != before
    assert inputs_hash(programme, MeetingDocument.Kind.PARTICIPANT_LIST)  # the participant list reads the same logos


def test_placed_slides_are_artifacts_without_the_decks_own_tags(programme, manager_x, eager, django_capture_on_commit_callbacks):
    """A tagged deck (WeasyPrint's own) brings marked content that would dangle in our structure tree: it is dropped."""
    attachments.attachment_add(
        meeting=programme, by=manager_x, kind="slides", title="Folien", upload=SimpleUploadedFile("s.pdf", slides_pdf(), "application/pdf")
    )
    data, _text = rendered(programme, django_capture_on_commit_callbacks)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        forms = [x for page in pdf.pages for _name, x in page.Resources.get("/XObject", {}).items() if x.get("/Subtype") == "/Form"]
        assert forms
        for form in forms:
            assert not [op for _operands, op in pikepdf.parse_content_stream(form) if str(op) in {"BDC", "BMC", "EMC"}]
        drawn = b"".join(
            page.Contents.read_bytes() if isinstance(page.Contents, pikepdf.Stream) else b"".join(c.read_bytes() for c in page.Contents) for page in pdf.pages
        )
        assert drawn.count(b"/Artifact BMC") == 2  # one per slide page
