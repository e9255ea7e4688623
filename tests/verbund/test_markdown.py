"""Markdown people type becomes HTML from a fixed allow-list: no script, no handlers, no javascript: links."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from verbund.markdown import ALLOWED_TAGS, render_markdown


def test_the_usual_markup_is_kept():
    html = render_markdown("# Ergebnis\n\n**fett** und *kursiv*\n\n- eins\n- zwei\n\n[Programm](https://example.org/p)")
    assert "<h3>Ergebnis</h3>" in html  # headings start below the page's own
    assert "<strong>fett</strong>" in html and "<em>kursiv</em>" in html
    assert "<li>eins</li>" in html
    assert '<a href="https://example.org/p" rel="noopener noreferrer nofollow">Programm</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klick](javascript:alert(1))",
        "[klick](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![bild](https://tracker.example/pixel.gif)",
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<a href="https://x" onclick="steal()">x</a>',
        "[a](<javascript:alert(1)>)",
        "[a](&#106;avascript:alert(1))",
    ],
)
def test_active_content_never_survives(hostile):
    """Parsed as a browser would: only allowed tags, no event handlers, only http(s)/mailto/tel links. Escaped text is fine."""
    tags, attributes = parse(render_markdown(hostile))
    assert tags <= ALLOWED_TAGS
    assert not {"script", "img", "iframe", "style"} & tags
    for name, value in attributes:
        assert not name.startswith("on")
        if name == "href":
            assert value.split(":", 1)[0].lower() in {"http", "https", "mailto", "tel"}


def parse(html: str) -> tuple[set[str], list[tuple[str, str]]]:
    class Collector(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags: set[str] = set()
            self.attributes: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            self.attributes += [(name, value or "") for name, value in attrs]

    collector = Collector()
    collector.feed(html)
    return collector.tags, collector.attributes


def test_empty_text_is_empty():
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
     "vbscript:msgbox(1)", "//evil.example", "https:evil.example", "/relative", "https://example.org/a b"],
)  # fmt: skip
def test_safe_url_refuses_what_is_not_a_plain_web_mail_or_phone_address(value):
    """S-3: a URL field shown as a link (website, Infobrief link) never becomes a script link, however it was stored."""
    from verbund.markdown import safe_url

    assert safe_url(value) == ""


@pytest.mark.parametrize("value", ["https://example.org/p?a=1&b=2", "http://example.org", "mailto:info@example.org", "tel:+495971123456"])
def test_safe_url_keeps_web_mail_and_phone_addresses(value):
    from verbund.markdown import safe_url

    assert safe_url(value) == value
