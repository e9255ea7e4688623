"""Slides, photos and documents of a meeting: hostile uploads (S-7), consent-aware photos, slides in the documentation."""

from __future__ import annotations

import ctypes
import gc
import io
import json
import resource
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from events import attachments
from events.documents import document_request
from events.models import MeetingAttachment, MeetingDocument
from tests.events.test_documents import pdf_text
from tests.hostile_files import JPEG, active_pdfs, hostile_files, jpeg_with_gps, pdf
from verbund.uploads import pdf_active_content

HOSTILE = hostile_files()
# PDFs that could run or fetch something, or hide a file: accepting one as slides counts against S-7.
ACTIVE_PDFS = {h.name for h in active_pdfs()} | {"PDF with JavaScript", "PDF with an embedded file", "PDF that launches a program"}
UPLOAD_FORMS = ("meeting photo", "meeting slides", "Infobrief entry image", "funder logo", "document logo", "course material PDF", "project document PDF")


def reset_peak_rss() -> None:
    """Start the test process's peak RSS afresh at its live size (Linux ≥ 4.0), so the peak is this upload's.

    Memory freed by earlier tests (a 50 MB upload's copies in the test client) goes back to the system first;
    otherwise it would sit in the process and count as this upload's.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # then the peak counts the whole process life: stricter, never laxer


def process_peak_rss_mb() -> float:
    """Peak RSS of this test process since the last reset, the upload through the real view included (ru_maxrss is KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stored_image_has_exif(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as stored:
        return bool(stored.getexif())


def upload_url(meeting) -> str:
    return reverse("events:attachments", args=[meeting.network.slug, meeting.pk])


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "meetings"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.anchor("S-7")
@pytest.mark.parametrize("kind", ["photo", "slides"])
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_uploads_are_refused_or_stored_clean_never_a_500(client, workshop, manager_x, hostile, kind, anchor):
    client.force_login(manager_x)
    upload = SimpleUploadedFile(hostile.filename, hostile.data, content_type=hostile.content_type)
    reset_peak_rss()
    response = client.post(upload_url(workshop), {"kind": kind, "file": upload, "people_shown": "none"})
    accepted = hostile.accepted_as_photo if kind == "photo" else hostile.accepted_as_pdf
    stored = MeetingAttachment.objects.first()
    exif_left = 0
    if stored is not None and kind == "photo":
        with stored.file.open("rb") as fh:
            exif_left = int(stored_image_has_exif(fh.read()))
    anchor(
        errors=int(response.status_code >= 500),
        exif_left=exif_left,
        active_pdfs_accepted=int(kind == "slides" and hostile.name in ACTIVE_PDFS and stored is not None),
        peak_rss_mb=round(process_peak_rss_mb()),
    )
    assert process_peak_rss_mb() < 512
    if not accepted:
        assert response.status_code == 400
        assert 'class="errorlist' in response.text or "errorlist" in response.text
        if kind == "slides" and hostile.name in ACTIVE_PDFS:
            assert "PDFs mit JavaScript, Aktionen oder eingebetteten Dateien werden nicht angenommen." in response.text
        assert not MeetingAttachment.objects.exists()
        assert stored_files() == []  # nothing half-written
        return
    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get()
    # The stored name is ours: meetings/<id>/<uuid>.<ext>, whatever the upload was called.
    assert attachment.file.name.startswith(f"meetings/{workshop.pk}/") and ".." not in attachment.file.name
    assert "passwd" not in attachment.file.name and "script" not in attachment.file.name
    with attachment.file.open("rb") as fh:
        data = fh.read()
    if kind == "photo":
        assert data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<script>" not in data and b"PK\x03\x04" not in data  # polyglot payloads do not survive re-encoding
        with Image.open(io.BytesIO(data)) as stored:
            assert not stored.getexif()  # no EXIF, no GPS
        assert attachment.thumbnail and attachment.thumbnail.size < attachment.file.size + 1
    else:
        assert data.startswith(b"%PDF")


@pytest.mark.anchor("S-7")
def test_every_hostile_file_goes_through_every_upload_form(anchor):
    """The count of the S-7 line: each hostile file is posted to each upload form (the parametrized tests here)."""
    anchor(files=len(HOSTILE), forms=len(UPLOAD_FORMS))
    assert len(HOSTILE) >= 25 and len(ACTIVE_PDFS) >= 15


def _post_to_other_form(client, world, form: str, upload) -> tuple:
    """Post one upload through a form's real view; returns the response and the stored file field (None when nothing stored)."""
    from newsletters.models import Entry
    from qualification.models import CourseFile
    from tests.qualification.matrix_qualification import course

    if form == "funder logo":
        response = client.post(
            reverse("verbund:funding_source_add", args=["netz-x"]),
            {"year": 2026, "kind": "public_programme", "funder": "Land", "amount": "5", "logo_upload": upload},
        )
        stored = world.network_x.funding_sources.first()
        return response, stored.logo if stored else None
    if form == "document logo":
        response = client.post(reverse("verbund:network_logo_add", args=["netz-x"]), {"role": "funder", "name": "Land NRW", "logo_upload": upload})
        logo = world.network_x.logos.first()
        return response, logo.logo if logo else None
    if form == "project document PDF":
        from tests.cooperation.matrix_projects import project

        target = project(world)
        response = client.post(reverse("projects:link_add", args=["netz-x", target.pk]), {"title": "Antrag", "url": "", "note": "", "upload": upload})
        item = target.links.exclude(file="").first()
        return response, item.file if item else None
    if form == "course material PDF":
        target = course(world)  # comes with a handout of its own
        before = list(CourseFile.objects.filter(course=target).values_list("pk", flat=True))
        response = client.post(reverse("qualification:file_add", args=["netz-x", target.pk]), {"title": "Handout", "upload": upload})
        item = CourseFile.objects.filter(course=target).exclude(pk__in=before).first()
        return response, item.file if item else None
    response = client.post(
        reverse("newsletters:entry_create", args=["netz-x"]), {"kind": "member_news", "title": "Richtfest", "image_alt": "Richtkranz", "image_upload": upload}
    )
    entry = Entry.objects.filter(network=world.network_x).first()
    return response, entry.image if entry else None


OTHER_FORMS = [form for form in UPLOAD_FORMS if not form.startswith("meeting")]


@pytest.mark.anchor("S-7")
@pytest.mark.parametrize("form", OTHER_FORMS)
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_files_in_the_other_upload_forms_are_refused_or_stored_clean(client, world, manager_x, hostile, form, anchor):
    client.force_login(manager_x)
    upload = SimpleUploadedFile(hostile.filename, hostile.data, content_type=hostile.content_type)
    reset_peak_rss()
    response, field = _post_to_other_form(client, world, form, upload)
    is_pdf_form = form.endswith("PDF")
    data = b""
    if field:
        with field.open("rb") as fh:
            data = fh.read()
    exif_left = int(bool(data) and not is_pdf_form and stored_image_has_exif(data))
    anchor(
        errors=int(response.status_code >= 500),
        exif_left=exif_left,
        active_pdfs_accepted=int(is_pdf_form and hostile.name in ACTIVE_PDFS and bool(field)),
        peak_rss_mb=round(process_peak_rss_mb()),
    )
    assert response.status_code in {200, 302, 400}
    assert process_peak_rss_mb() < 512
    if not (hostile.accepted_as_pdf if is_pdf_form else hostile.accepted_as_photo):
        assert not field, f"{hostile.name} was stored"
        return
    assert field, f"{hostile.name} was refused"
    if is_pdf_form:
        assert data.startswith(b"%PDF")
        return
    assert data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<script>" not in data and b"PK\x03\x04" not in data and not exif_left


def test_gps_and_camera_data_are_gone_after_upload(client, workshop, manager_x):
    original = jpeg_with_gps()
    assert b"SecretCam" in original
    client.force_login(manager_x)
    client.post(upload_url(workshop), {"kind": "photo", "file": SimpleUploadedFile("gps.jpg", original, "image/jpeg"), "people_shown": "none"})
    attachment = MeetingAttachment.objects.get()
    with attachment.file.open("rb") as fh:
        assert b"SecretCam" not in fh.read()


@pytest.mark.anchor("S-7")
def test_decoding_hostile_images_stays_under_512_mb(tmp_path, anchor):
    """Peak memory of a fresh process that runs every hostile image through the cleaner (S-7: < 512 MB)."""
    for index, hostile in enumerate(HOSTILE):
        (tmp_path / f"{index}.bin").write_bytes(hostile.data)
    script = f"""
import os, resource, sys, json
sys.path.insert(0, {str(Path(settings.BASE_DIR))!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "verbund.settings"
import django; django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from verbund.uploads import clean_image, clean_pdf
results = []
for name in sorted(os.listdir({str(tmp_path)!r})):
    data = open(os.path.join({str(tmp_path)!r}, name), "rb").read()
    for cleaner in (clean_image, clean_pdf):
        try:
            cleaner(SimpleUploadedFile(name, data)); results.append("ok")
        except ValidationError:
            results.append("refused")
# VmHWM is this process's own peak: ru_maxrss also counts the parent's peak when the child was started by vfork + exec.
with open("/proc/self/status") as status:
    peak = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), None)
print(json.dumps({{"rss_kb": peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "n": len(results)}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["n"] == 2 * len(HOSTILE)
    peak_mb = figures["rss_kb"] / 1024
    anchor(peak_rss_mb=round(peak_mb))
    assert peak_mb < 512, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.anchor("S-7")
def test_downloads_are_attachments_with_nosniff_and_scoped(client, workshop, manager_x, manager_y, anchor):
    attachment = attachments.attachment_add(
        meeting=workshop, by=manager_x, kind="slides", upload=SimpleUploadedFile("f.pdf", pdf(), "application/pdf"), title="Folien Terstriep"
    )
    url = reverse("events:attachment_download", args=["netz-x", workshop.pk, attachment.pk])
    client.force_login(manager_x)
    response = client.get(url)
    assert response.status_code == 200
    anchor(inline_served=int(not response["Content-Disposition"].startswith("attachment;")))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(manager_y)
    assert client.get(url).status_code == 404
    assert client.get(reverse("events:attachment_download", args=["netz-y", workshop.pk, attachment.pk])).status_code == 404


def test_attachment_page_names_participants_without_photo_consent(client, workshop, manager_x):
    client.force_login(manager_x)
    response = client.get(upload_url(workshop))
    assert response.status_code == 200
    assert "Fotos nicht zugestimmt" in response.text and "Zimmermann" in response.text and "Albers" in response.text


def test_documentation_has_consented_photos_only_and_the_slides_on_numbered_pages(workshop, manager_x, eager, django_capture_on_commit_callbacks):
    talk = workshop.agenda_items.get(title__startswith="Cluster Management")
    attachments.attachment_add(
        meeting=workshop, by=manager_x, kind="photo", upload=SimpleUploadedFile("a.jpg", JPEG, "image/jpeg"), title="Saal ohne Personen", people_shown="none"
    )
    attachments.attachment_add(
        meeting=workshop,
        by=manager_x,
        kind="photo",
        upload=SimpleUploadedFile("b.jpg", JPEG, "image/jpeg"),
        title="Gruppenbild ungeklärt",
        people_shown="unclear",
    )
    attachments.attachment_add(
        meeting=workshop,
        by=manager_x,
        kind="slides",
        agenda_item=talk,
        title="Folien Clustermanagement",
        upload=SimpleUploadedFile("s.pdf", pdf(3), "application/pdf"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="documentation")
    document = MeetingDocument.objects.get(kind="documentation")
    assert document.status == "done", document.error
    text = pdf_text(document)
    assert "Saal ohne Personen" in text and "Gruppenbild ungeklärt" not in text
    assert "Anhang 1: Folien Clustermanagement" in text
    with document.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    pages = [page.extract_text() for page in reader.pages]
    slide_pages = [i for i, t in enumerate(pages) if "Anhang 1: Folien Clustermanagement" in t and "Seite" in t and "Inhaltsverzeichnis" not in t]
    assert len(slide_pages) == 3  # one reserved page per slide, each carrying the footer
    assert f"Seite {len(pages)} von {len(pages)}" in pages[-1]
    assert len(distinct_images(reader)) == 1  # the one publishable photo; the unclear one is left out


def _hostile_slides_in_the_resources() -> bytes:
    """A deck whose slide resources reach a script and a javascript: link: copied along with the slide's drawing."""
    with pikepdf.new() as deck:
        deck.add_blank_page(page_size=(842, 595))
        script = deck.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
        link = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("javascript:app.alert(2)"))
        marked = pikepdf.Dictionary(A=script, Link=pikepdf.Dictionary(A=link), AA=pikepdf.Dictionary(O=script))
        deck.pages[0].obj.Resources = pikepdf.Dictionary(Properties=pikepdf.Dictionary(MC0=deck.make_indirect(marked)))
        deck.pages[0].obj.Contents = deck.make_stream(b"/OC /MC0 BDC 0 0 m 10 10 l S EMC")
        out = io.BytesIO()
        deck.save(out)
    return out.getvalue()


def test_documentation_from_slides_stored_before_the_check_carries_no_script_or_javascript_link(workshop, manager_x, eager, django_capture_on_commit_callbacks):
    """Decks stored before the upload check knew about them: the documentation sent to members must not carry their actions."""
    talk = workshop.agenda_items.get(title__startswith="Cluster Management")
    hostile = [h.data for h in active_pdfs()[:8]] + [_hostile_slides_in_the_resources()]
    for index, data in enumerate(hostile):
        deck = attachments.attachment_add(
            meeting=workshop,
            by=manager_x,
            kind="slides",
            agenda_item=talk,
            title=f"Folien {index}",
            upload=SimpleUploadedFile("s.pdf", pdf(1), "application/pdf"),
        )
        with deck.file.storage.open(deck.file.name, "wb") as fh:  # what an older version let through
            fh.write(data)
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="documentation")
    document = MeetingDocument.objects.get(kind="documentation")
    assert document.status == "done", document.error
    with document.file.open("rb") as fh, pikepdf.open(io.BytesIO(fh.read())) as documentation:
        assert pdf_active_content(documentation) == []
        uris = [str(a.get("/URI", "")) for o in documentation.objects if isinstance(o, pikepdf.Dictionary) and (a := o.get("/A")) is not None]
        assert not [u for u in uris if "javascript" in u.lower()]
        assert "Anhang 1: Folien 0" in "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document.file.open("rb").read())).pages)


def test_changing_an_attachment_renders_the_documentation_again(workshop, manager_x, eager, django_capture_on_commit_callbacks):
    photo = attachments.attachment_add(
        meeting=workshop, by=manager_x, kind="photo", upload=SimpleUploadedFile("a.jpg", JPEG, "image/jpeg"), people_shown="unclear"
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = document_request(meeting=workshop, kind="documentation")
    attachments.attachment_update(attachment=photo, by=manager_x, data={"people_shown": "consented"})
    with django_capture_on_commit_callbacks(execute=True):
        second = document_request(meeting=workshop, kind="documentation")
    second.refresh_from_db()
    assert second.input_hash != first.input_hash and second.status == "done"


def test_participant_list_carries_the_funding_line_and_logo(workshop, manager_x, eager, django_capture_on_commit_callbacks):
    from verbund.forms import FundingSourceForm
    from verbund.services import funding_source_create

    network = workshop.network
    network.funding_note = "Gefördert vom Land NRW im Programm Regionale Verbünde"
    network.save()
    logo = SimpleUploadedFile("logo.png", hostile_png_logo(), "image/png")
    form = FundingSourceForm({"year": workshop.starts_at.year, "kind": "public_programme", "funder": "Land NRW", "amount": "1000"}, {"logo_upload": logo})
    assert form.is_valid(), form.errors
    source = funding_source_create(network=network, by=manager_x, data=form.cleaned_data)
    assert source.logo.name.startswith("funders/") and source.logo.name.endswith(".png")
    with django_capture_on_commit_callbacks(execute=True):
        document_request(meeting=workshop, kind="participant_list")
    document = MeetingDocument.objects.get(kind="participant_list")
    assert "Gefördert vom Land NRW" in pdf_text(document)
    with document.file.open("rb") as fh:
        assert len(distinct_images(PdfReader(io.BytesIO(fh.read())))) == 1


def distinct_images(reader: PdfReader) -> set[bytes]:
    """Images drawn in the PDF, each once (WeasyPrint shares one resource dictionary across pages)."""
    import hashlib

    return {hashlib.sha256(image.data).digest() for page in reader.pages for image in page.images}


def hostile_png_logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 80, 160, 255)).save(out, "PNG")
    return out.getvalue()


def test_a_funder_logo_that_is_not_an_image_is_refused_with_a_message(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(
        reverse("verbund:funding_source_add", args=["netz-x"]),
        {"year": 2026, "kind": "public_programme", "amount": "5", "logo_upload": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", "image/png")},
        follow=True,
    )
    assert "kein lesbares Bild" in response.text
    assert not world.network_x.funding_sources.exists()


def test_summaries_are_markdown_and_sanitised(client, workshop, manager_x):
    talk = workshop.agenda_items.get(title__startswith="Cluster Management")
    url = reverse("events:agenda_summary", args=["netz-x", workshop.pk, talk.pk])
    client.force_login(manager_x)
    text = "**Kernaussage:** Netzwerke brauchen Management.\n\n- Vertrauen\n- Spielregeln\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    preview = client.post(url, {"summary": text, "preview": "1"})
    assert preview.status_code == 200 and "<strong>Kernaussage:</strong>" in preview.text
    talk.refresh_from_db()
    assert talk.summary == ""  # a preview stores nothing
    assert client.post(url, {"summary": text}).status_code == 302
    talk.refresh_from_db()
    assert talk.summary == text
    page = client.get(workshop.get_absolute_url(), {"tab": "programme"})
    assert "<script>alert(1)</script>" not in page.text and 'href="javascript' not in page.text
    assert client.post(url, {"summary": "x" * 50_001}).status_code == 400


def test_upload_to_another_networks_meeting_is_404_and_stores_nothing(client, workshop, manager_y):
    client.force_login(manager_y)
    response = client.post(upload_url(workshop), {"kind": "photo", "file": SimpleUploadedFile("a.jpg", JPEG, "image/jpeg")})
    assert response.status_code == 404
    assert not MeetingAttachment.objects.exists() and stored_files() == []


def test_deleting_an_attachment_removes_its_files(client, workshop, manager_x, django_capture_on_commit_callbacks):
    photo = attachments.attachment_add(meeting=workshop, by=manager_x, kind="photo", upload=SimpleUploadedFile("a.jpg", JPEG, "image/jpeg"))
    assert len(stored_files()) == 2
    client.force_login(manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:attachment_delete", args=["netz-x", workshop.pk, photo.pk]))
    assert response.status_code == 302
    assert not MeetingAttachment.objects.exists() and stored_files() == []
