"""Uploads that cannot exhaust memory or smuggle active content (QUALITY.md S-7).

Images are decoded with a pixel ceiling (decompression bombs are refused before
decoding), re-encoded from their pixels alone (no EXIF, GPS, ICC scripts or
appended payloads survive) as JPEG or PNG, and get a thumbnail. PDFs must start
with the PDF signature, parse with pypdf, carry no JavaScript or embedded files
and stay under a page ceiling. Everything else is refused with a message in the
user's language. Names are never taken from the upload: callers store under
names they make up.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
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


def clean_pdf(upload: UploadedFile) -> bytes:
    """Validate an uploaded PDF (signature, parses, no JavaScript/embedded files, page ceiling); returns its bytes."""

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
        # Any PDF object: the checks below are duck-typed, and a TypeError or AttributeError refuses the file.
        root: Any = reader.trailer["/Root"]
        names = root.get("/Names", {}) if hasattr(root, "get") else {}
        open_action: Any = root.get("/OpenAction") if hasattr(root, "get") else None
        open_action = open_action.get_object() if open_action is not None else None
        runs_something = hasattr(open_action, "get") and open_action.get("/S") in {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}
        active = "/JavaScript" in names or "/EmbeddedFiles" in names or "/AA" in root or runs_something
    except ValidationError:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, OSError, RecursionError) as exc:
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
