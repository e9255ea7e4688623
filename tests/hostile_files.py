"""Hostile uploads (QUALITY.md S-7), built in memory: every upload form is tested with all of them.

Each entry: a name, the bytes, the upload's file name and content type, and
whether a photo upload must accept it (re-encoded) or refuse it.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

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
    ]
