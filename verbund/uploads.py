"""Uploads that cannot exhaust memory or smuggle active content (QUALITY.md S-7).

Images are decoded with a pixel ceiling (decompression bombs are refused before
decoding), re-encoded from their pixels alone (no EXIF, GPS, ICC scripts or
appended payloads survive) as JPEG or PNG, and get a thumbnail. PDFs must start
with the PDF signature, parse with pypdf, stay under a page ceiling and carry no
active content (JavaScript, Launch/SubmitForm/ImportData and other actions,
links other than http(s)/mailto, embedded files, RichMedia, XFA forms), found by
walking every object with pikepdf. Everything else is refused with a message in the
user's language. Names are never taken from the upload: callers store under
names they make up.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # 40 megapixels: any real camera, no bomb
MAX_IMAGE_EDGE = 2400  # stored images are scaled down to this
THUMBNAIL_EDGE = 480
MAX_PDF_BYTES = 25 * 1024 * 1024
MAX_PDF_PAGES = 200

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    extension: str  # "jpg" or "png"
    content_type: str
    width: int
    height: int


def _check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(limit)s.") % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def _encode(image: Image.Image, *, keep_alpha: bool) -> tuple[bytes, str, str]:
    out = io.BytesIO()
    if keep_alpha:
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "png", "image/png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "jpg", "image/jpeg"


def clean_image(upload: UploadedFile) -> CleanImage:
    """Validate an uploaded image and return it re-encoded with a thumbnail; raises ValidationError."""
    _check_size(upload, MAX_IMAGE_BYTES)
    refused = ValidationError(_("Die Datei ist kein lesbares Bild (erlaubt: JPEG, PNG, WebP, GIF)."), code="not_an_image")
    upload.seek(0)
    # WeasyPrint switches Pillow to padding truncated images; an upload must be whole. Processes are
    # single-threaded (gunicorn sync workers, Celery prefork), so the switch back is local to this call.
    truncated_allowed, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _clean_image(upload, refused)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_allowed


def _clean_image(upload: UploadedFile, refused: ValidationError) -> CleanImage:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as probe:
                if probe.format not in ALLOWED_IMAGE_FORMATS:
                    raise refused
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        _("Das Bild hat zu viele Bildpunkte (%(w)s × %(h)s). Erlaubt sind höchstens 40 Megapixel.") % {"w": width, "h": height},
                        code="too_many_pixels",
                    )
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.seek(0)  # first frame of an animation only
                if image.format == "JPEG":
                    image.draft("RGB", (MAX_IMAGE_EDGE, MAX_IMAGE_EDGE))  # decode big photos at a reduced scale: less memory
                image.load()
                upright = ImageOps.exif_transpose(image)  # honour the camera's rotation, then forget EXIF
                keep_alpha = upright.mode in {"RGBA", "LA", "P"} and ("transparency" in upright.info or upright.mode != "P")
                pixels = upright.convert("RGBA" if keep_alpha else "RGB")
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(_("Das Bild hat zu viele Bildpunkte. Erlaubt sind höchstens 40 Megapixel."), code="too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise refused from exc
    pixels.thumbnail((MAX_IMAGE_EDGE, MAX_IMAGE_EDGE))
    content, extension, content_type = _encode(pixels, keep_alpha=keep_alpha)
    thumb = pixels.copy()
    thumb.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    thumbnail, _ext, _ct = _encode(thumb, keep_alpha=keep_alpha)
    return CleanImage(content, thumbnail, extension, content_type, pixels.width, pixels.height)


# Actions that only move within the document or open a web page. Everything else (JavaScript, Launch, SubmitForm,
# ImportData, GoToR/GoToE to other files, RichMediaExecute, Rendition, Movie, Sound, 3D views …) is refused.
SAFE_PDF_ACTIONS = {"/GoTo", "/URI", "/Named", "/Thread", "/SetOCGState", "/Trans", "/Hide"}
SAFE_PDF_URI_SCHEMES = ("http://", "https://", "mailto:")
# Keys that carry scripts, files or XFA wherever they appear; dictionaries under them hold actions.
ACTIVE_PDF_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent", "/RichMediaSettings"}
ACTION_PDF_KEYS = {"/A", "/OpenAction", "/Next", "/PA"}
ACTIVE_PDF_SUBTYPES = {"/RichMedia", "/FileAttachment", "/Screen", "/Movie", "/Sound", "/3D"}
MAX_PDF_OBJECTS = 500_000


def _unsafe_action(action: Any, *, nested: bool = False) -> str:
    """Why an action (a dictionary under /A, /OpenAction, /Next or /AA) is refused; "" when it is harmless."""
    if isinstance(action, pikepdf.Array):  # /Next may be an array of actions; /OpenAction a destination (harmless)
        if nested:  # an array of arrays is no action list (and may point at itself)
            return ""
        return next((reason for item in action if (reason := _unsafe_action(item, nested=True))), "")
    if not isinstance(action, pikepdf.Dictionary) or "/S" not in action:
        return ""
    kind = str(action.get("/S"))
    if kind not in SAFE_PDF_ACTIONS:
        return f"action {kind}"
    if kind == "/URI":
        uri = str(action.get("/URI", "")).strip().lower()
        if not uri.startswith(SAFE_PDF_URI_SCHEMES) or any(ord(c) < 32 for c in uri):
            return f"link {uri[:40]!r}"
    return ""


def _active_parts(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, Any, str]]:
    """Every place in the PDF that holds active content: (container, key or index, reason).

    Walks each object of the file (reachable or not) and its direct children, so the catalog, every page's /AA
    and /Annots, the name trees, /AcroForm and action chains through /Next are all seen. Deleting `container[key]`
    removes the finding.
    """
    seen = 0

    def walk(node: Any, via: str) -> Iterator[tuple[Any, Any, str]]:
        nonlocal seen
        seen += 1
        if seen > MAX_PDF_OBJECTS:
            raise ValueError("too many PDF objects")
        if isinstance(node, pikepdf.Array):
            for index, item in enumerate(node):
                if via == "/Next" and (reason := _unsafe_action(item)):
                    yield node, index, reason
                elif isinstance(item, pikepdf.Dictionary | pikepdf.Stream) and str(item.get("/Subtype", "")) in ACTIVE_PDF_SUBTYPES:
                    yield node, index, f"annotation {item.get('/Subtype')}"
                elif isinstance(item, pikepdf.Array | pikepdf.Dictionary) and not item.is_indirect:
                    yield from walk(item, via)
            return
        if not isinstance(node, pikepdf.Dictionary | pikepdf.Stream):
            return
        if str(node.get("/Type", "")) == "/EmbeddedFile" or (via == "" and str(node.get("/Type", "")) == "/Action" and _unsafe_action(node)):
            yield None, None, "embedded file or action"
        for key in list(node.keys()):
            value = node.get(key)
            if key in ACTIVE_PDF_KEYS:
                yield node, key, f"key {key}"
            elif key in ACTION_PDF_KEYS and (reason := _unsafe_action(value)):
                yield node, key, reason
            elif key == "/AA" and isinstance(value, pikepdf.Dictionary):  # additional actions: page open/close, field keystrokes …
                for event in list(value.keys()):
                    if reason := _unsafe_action(value.get(event)):
                        yield value, event, reason
            elif isinstance(value, pikepdf.Dictionary | pikepdf.Stream) and str(value.get("/Subtype", "")) in ACTIVE_PDF_SUBTYPES:
                yield node, key, f"annotation {value.get('/Subtype')}"
            if isinstance(value, pikepdf.Array | pikepdf.Dictionary) and not value.is_indirect and key not in ACTIVE_PDF_KEYS:
                yield from walk(value, key)

    for obj in pdf.objects:
        yield from walk(obj, "")


def pdf_active_content(pdf: pikepdf.Pdf) -> list[str]:
    """What in an opened PDF could run or fetch something when a reader opens or clicks it; [] for a plain document."""
    return [reason for _container, _key, reason in _active_parts(pdf)]


def pdf_strip_active(pdf: pikepdf.Pdf) -> int:
    """Remove active content from an opened PDF in place (scripts, risky actions and links, embedded files); returns how many places."""
    findings = [(container, key) for container, key, _reason in _active_parts(pdf) if container is not None]
    # Array entries go from the back, so the indices of the ones still to delete stay right.
    for container, key in sorted(findings, key=lambda found: found[1] if isinstance(found[1], int) else -1, reverse=True):
        try:
            del container[key]
        except (KeyError, IndexError):  # already gone with an earlier finding
            continue
    return len(findings)


def clean_pdf(upload: UploadedFile) -> bytes:
    """Validate an uploaded PDF (signature, parses, page ceiling, no active content); returns its bytes."""

    _check_size(upload, MAX_PDF_BYTES)
    upload.seek(0)
    data = upload.read()
    refused = ValidationError(_("Die Datei ist kein lesbares PDF."), code="not_a_pdf")
    if not data.lstrip()[:5] == b"%PDF-":
        raise refused
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("Verschlüsselte PDFs können nicht angehängt werden."), code="encrypted")
        pages = len(reader.pages)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            active = pdf_active_content(pdf)
    except ValidationError:
        raise
    except (PdfReadError, pikepdf.PdfError, pikepdf.PasswordError, KeyError, ValueError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise refused from exc
    if pages == 0:
        raise refused
    if pages > MAX_PDF_PAGES:
        raise ValidationError(
            _("Das PDF hat zu viele Seiten (%(pages)s, erlaubt %(limit)s).") % {"pages": pages, "limit": MAX_PDF_PAGES}, code="too_many_pages"
        )
    if active:
        raise ValidationError(_("PDFs mit JavaScript, Aktionen oder eingebetteten Dateien werden nicht angenommen."), code="active_content")
    return data


def download_name(title: str, pk: int, *, fallback: str, extension: str = "pdf") -> str:
    """A stored file's download name from its title (ASCII, no path, umlauts spelled out), e.g. "handout-fuehrung-12.pdf"."""
    spelled = title.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue").replace("ß", "ss")
    stem = slugify(spelled)[:60] or fallback
    return f"{stem}-{pk}.{extension}"


def serve_stored_file(field: FieldFile, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """Send a stored upload through a view that already checked access: our name, nosniff, and a sandbox CSP."""

    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
