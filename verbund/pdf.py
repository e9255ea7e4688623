"""The one WeasyPrint call site (S-4): a PDF reaches nothing but the portal's own static files.

Templates rendered to PDF may contain user text. Whatever it smuggles in
(`<img src="http://169.254.169.254/…">`, `file:///etc/passwd`, `<link
rel="attachment">`, `@import`, `<base href>`), the URL fetcher below refuses
everything except `data:` URLs and files the staticfiles finders (or the
collected static storage) know. WeasyPrint skips a resource whose fetch raises,
so a refused URL costs a warning in the log, never a request or a file read.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs (`/static/css/x.css`) resolve against this origin, which no
# resolver will ever answer (RFC 2606 reserves .invalid); the fetcher maps it
# to files on disk.
INTERNAL_BASE_URL = "https://verbund.invalid/"

# Static files are small; anything bigger is not one of ours.
MAX_STATIC_FILE_BYTES = 10 * 1024 * 1024


class RefusedURL(ValueError):
    """A PDF tried to load something outside the allow-list."""


def _own_origins() -> set[tuple[str, str]]:
    origins = {("https", "verbund.invalid")}
    site = urlsplit(settings.SITE_URL)
    origins.add((site.scheme.lower(), site.netloc.lower()))
    return origins


def _static_name(url: str) -> str:
    """The static file name (`css/verbund.css`) a URL of our own origin points to; raises RefusedURL otherwise."""
    parts = urlsplit(url)
    if (parts.scheme.lower(), parts.netloc.lower()) not in _own_origins():
        raise RefusedURL(f"PDF rendering refuses {url!r}: not the portal's own origin")
    path = unquote(parts.path)
    prefix = urlsplit(settings.STATIC_URL).path
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    if not path.startswith(prefix):
        raise RefusedURL(f"PDF rendering refuses {url!r}: not a static file")
    name = path[len(prefix) :]
    segments = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(segment in {"", ".", ".."} for segment in segments):
        raise RefusedURL(f"PDF rendering refuses {url!r}: not a plain static path")
    return name


def _static_file(name: str) -> Path:
    """Find a static file by name through the finders, else in the collected storage; raises RefusedURL."""
    try:
        found = finders.find(name)
        if not found and staticfiles_storage.exists(name):
            found = staticfiles_storage.path(name)
    except (SuspiciousFileOperation, NotImplementedError, ValueError) as exc:
        raise RefusedURL(f"PDF rendering refuses static name {name!r}") from exc
    if not found:
        raise RefusedURL(f"PDF rendering: no static file {name!r}")
    path = Path(found if isinstance(found, str) else found[0])
    if not path.is_file() or path.stat().st_size > MAX_STATIC_FILE_BYTES:
        raise RefusedURL(f"PDF rendering refuses static name {name!r}")
    return path


class StaticOnlyURLFetcher(URLFetcher):
    """Serves `data:` URLs and the project's static files; refuses everything else (network, file:, other paths)."""

    def __init__(self) -> None:
        # No redirects, no errors that stop rendering: a refused resource is simply left out.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False, timeout=1)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            # urllib's DataHandler decodes it; no handler for any other scheme is reached.
            return super().fetch(url, headers)
        if scheme not in {"http", "https"}:
            raise RefusedURL(f"PDF rendering refuses {url[:200]!r}")
        path = _static_file(_static_name(url))
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def render_pdf(*, html: str, base_url: str | None = None, pdf_variant: str | None = None, anchor_pages: dict[str, int] | None = None) -> bytes:
    """Render HTML to PDF bytes with the static-only URL fetcher and without embedded files.

    `base_url` defaults to an internal origin under which `/static/…` resolves to
    the project's static files; any other base only changes which URLs get refused.
    When `anchor_pages` is given it receives, for every element id, the index of
    the page it landed on (callers use it to place pages of other PDFs).
    Raises whatever WeasyPrint raises for HTML it cannot lay out.
    """
    document = HTML(string=html, base_url=base_url or INTERNAL_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()
    if anchor_pages is not None:
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                anchor_pages.setdefault(anchor, index)
    # No embedded files: neither `<link rel="attachment">` nor `<a rel="attachment">` end up in the PDF.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    return document.write_pdf(attachments=None, pdf_forms=False, pdf_variant=pdf_variant)
