"""S-4: PDF rendering reaches nothing but the portal's own static files (verbund/pdf.py)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from verbund.pdf import RefusedURL, StaticOnlyURLFetcher, render_pdf

pytestmark = pytest.mark.anchor("S-4")


class CanaryServer:
    """A loopback HTTP server that counts every request it gets (and would serve anything)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                body = b"h1::after { content: 'FROM-CANARY-SERVER'; }"
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CanaryServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def canary() -> Iterator[CanaryServer]:
    with CanaryServer() as server:
        yield server


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.css"
    path.write_text("h1::after { content: 'LOCAL-FILE-CANARY'; } /* root:x:0:0 */")
    return path


@pytest.fixture
def test_static(settings, tmp_path: Path) -> Path:
    """An extra static directory with a stylesheet whose effect shows up in the PDF text."""
    static_dir = tmp_path / "static"
    static_dir.mkdir()
    (static_dir / "pdf-test.css").write_text("h1::after { content: ' STATIC-CSS-LOADED'; }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    return static_dir


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded_files(pdf: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(pdf)).attachments)


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body><h1>Titel</h1>{body}</body></html>"


def test_a_pdf_is_a_pdf_with_the_text():
    pdf = render_pdf(html=page(body="<p>Alpha GmbH</p>"))
    assert pdf.startswith(b"%PDF")
    assert "Alpha GmbH" in pdf_text(pdf)


def ssrf_payloads(url: str) -> list[tuple[str, str]]:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'><image xlink:href='{url}/svg-image' width='10' height='10'/></svg>"
    )
    return [
        ("", f"<img src='{url}/img'>"),
        ("", f"<img src='{url.replace('http:', 'https:')}/img-https'>"),
        (f"<link rel='stylesheet' href='{url}/link.css'>", ""),
        (f"<style>@import url('{url}/import.css');</style>", ""),
        (f"<style>body {{ background: url('{url}/background.png'); }}</style>", ""),
        (f"<style>@font-face {{ font-family: x; src: url('{url}/font.woff'); }} body {{ font-family: x; }}</style>", ""),
        (f"<base href='{url}/base/'>", "<img src='relative.png'><link rel='stylesheet' href='relative.css'>"),
        (f"<link rel='attachment' href='{url}/attachment'>", f"<a rel='attachment' href='{url}/a-attachment'>Anhang</a>"),
        ("", f"<object data='{url}/object'></object><embed src='{url}/embed'><iframe src='{url}/iframe'></iframe>"),
        ("", f"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><image href='{url}/inline-svg' width='10' height='10'/></svg>"),
        ("", '<img src="data:image/svg+xml;utf8,' + svg.replace("<", "%3C").replace(">", "%3E") + '">'),
        (f"<link rel='stylesheet' href='data:text/css,@import url(\"{url}/data-import.css\");'>", ""),
        ("", f"<img src='{url}/static/css/verbund.css'>"),  # a static path on a foreign origin
    ]


def test_no_request_reaches_a_server_on_loopback(canary, anchor):
    payloads = ssrf_payloads(canary.url)
    attachments = 0
    for head, body in payloads:
        pdf = render_pdf(html=page(head, body))
        assert pdf.startswith(b"%PDF")
        assert "FROM-CANARY-SERVER" not in pdf_text(pdf)
        attachments += len(embedded_files(pdf))
    # The base URL a caller passes does not open the door either.
    render_pdf(html=page(body="<img src='/x.png'>"), base_url=canary.url + "/")
    anchor(payloads=len(payloads) + 1, canary_hits=len(canary.hits), attachments=attachments)
    assert canary.hits == [] and attachments == 0


def test_the_canary_server_would_notice_weasyprints_default_fetcher(canary):
    """Control: the same payload without our fetcher does reach the server, so 0 hits above means something."""
    HTML(string=page(body=f"<img src='{canary.url}/img'>")).write_pdf()
    assert canary.hits == ["/img"]


@pytest.mark.parametrize(
    "src",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "/static/../../etc/passwd",
        "/static/..%2f..%2f..%2fetc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/....//....//etc/passwd",
        "/etc/passwd",
        "../../../../etc/passwd",
        "ftp://127.0.0.1/etc/passwd",
    ],
)
def test_local_files_are_not_embedded(src, anchor):
    pdf = render_pdf(
        html=page(
            f"<link rel='stylesheet' href='{src}'><link rel='attachment' href='{src}'>",
            f"<img src='{src}'><a rel='attachment' href='{src}'>Anhang</a><object data='{src}'></object>",
        )
    )
    anchor(payloads=1, file_bytes=pdf.count(b"root:"), attachments=len(embedded_files(pdf)))
    assert "root:" not in pdf_text(pdf)
    assert b"root:" not in pdf
    assert embedded_files(pdf) == {}
    assert b"/EmbeddedFile" not in pdf


def test_a_local_file_is_neither_read_nor_attached(secret_file, anchor):
    url = secret_file.as_uri()
    pdf = render_pdf(html=page(f"<link rel='stylesheet' href='{url}'><link rel='attachment' href='{url}'>", f"<a rel='attachment' href='{url}'>Anhang</a>"))
    anchor(payloads=1, file_bytes=pdf_text(pdf).count("LOCAL-FILE-CANARY"), attachments=len(embedded_files(pdf)))
    assert "LOCAL-FILE-CANARY" not in pdf_text(pdf)
    assert embedded_files(pdf) == {}
    assert b"/EmbeddedFile" not in pdf


def test_control_weasyprints_default_would_read_and_attach_the_file(secret_file):
    """Control for the checks above: without our fetcher the file's content and attachment do show."""
    url = secret_file.as_uri()
    pdf = HTML(string=page(f"<link rel='stylesheet' href='{url}'><link rel='attachment' href='{url}'>")).write_pdf()
    assert "LOCAL-FILE-CANARY" in pdf_text(pdf)
    assert embedded_files(pdf) != {}


def test_static_files_of_the_project_are_allowed(test_static):
    pdf = render_pdf(html=page("<link rel='stylesheet' href='/static/pdf-test.css'>"))
    assert "STATIC-CSS-LOADED" in pdf_text(pdf)


def test_the_real_stylesheet_is_served_from_disk():
    response = StaticOnlyURLFetcher().fetch("https://verbund.invalid/static/css/verbund.css")
    assert response.content_type == "text/css"
    assert b".visually-hidden" in response.read()


def test_a_static_file_is_not_attached_even_when_asked(test_static):
    pdf = render_pdf(html=page("<link rel='attachment' href='/static/pdf-test.css'>", "<a rel='attachment' href='/static/pdf-test.css'>Anhang</a>"))
    assert embedded_files(pdf) == {}
    assert b"/EmbeddedFile" not in pdf


def test_the_same_static_file_by_file_url_is_refused(test_static):
    url = (test_static / "pdf-test.css").as_uri()
    assert "STATIC-CSS-LOADED" not in pdf_text(render_pdf(html=page(f"<link rel='stylesheet' href='{url}'>")))


def test_data_urls_are_allowed():
    pdf = render_pdf(html=page("<link rel='stylesheet' href=\"data:text/css,h1::after{content:' DATA-CSS-LOADED'}\">"))
    assert "DATA-CSS-LOADED" in pdf_text(pdf)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/static/css/verbund.css",
        "https://example.org/static/css/verbund.css",
        "https://verbund.invalid/media/secret.pdf",
        "https://verbund.invalid/static/../settings.py",
        "https://verbund.invalid/static/css/../../verbund/settings.py",
        "https://verbund.invalid/static/%2e%2e/verbund/settings.py",
        "https://verbund.invalid/static/css%5c..%5c..%5cverbund%5csettings.py",
        "https://verbund.invalid/static/gibt-es-nicht.css",
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_everything_else(url, anchor):
    with pytest.raises(RefusedURL):
        StaticOnlyURLFetcher().fetch(url)
    anchor(payloads=1)


@pytest.mark.parametrize(
    "body",
    [
        "<img src=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='100000' height='100000'%3E%3Crect width='100000' height='100000'/%3E%3C/svg%3E\">",
        "<div style='width: 1e9px; height: 1e9px'>groß</div>",
        "<p>" + "Verbund " * 60_000 + "</p>",
        "<table>" + "<tr><td>Zelle</td></tr>" * 3000 + "</table>",
        "<div>" * 2000 + "tief" + "</div>" * 2000,
    ],
    ids=["huge-svg", "huge-box", "long-text", "long-table", "deep-nesting"],
)
def test_oversized_inputs_end_cleanly(body, anchor):
    """An oversized input renders or fails with an ordinary exception (the task records it), never hangs or kills the worker."""
    import resource
    import time

    started = time.monotonic()
    try:
        pdf = render_pdf(html=page(body=body))
        assert pdf.startswith(b"%PDF")
    except (ValueError, RecursionError, MemoryError, OverflowError):
        pass
    elapsed = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The render task's soft time limit is 270 s (events/tasks.py); the worker's memory stays bounded.
    assert elapsed < 270 and peak_mb < 2048, (elapsed, peak_mb)
    anchor(payloads=1, oversized_clean=1)
