"""Markdown for text people write in the portal (minutes, talk summaries, descriptions, Infobrief entries).

markdown-it-py with raw HTML off turns the text into HTML; nh3 then keeps only a
fixed allow-list of tags and attributes (no script, style, iframe, event
handlers, `javascript:` links). Links get `rel="noopener noreferrer nofollow"`.

`safe_url` does the same for a URL field put into an `href` (an organisation's website, an Infobrief entry's link):
the forms and the import only accept web addresses, but a value that came in another way must not become a
`javascript:` link either.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# commonmark + tables + strikethrough; raw HTML is text, never markup; no linkify (no external data files needed).
_parser = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


def _shift_headings(html: str) -> str:
    """Headings in user text start at h3: the page owns h1 and h2."""
    for level in (6, 5, 4, 3, 2, 1):
        target = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return html


def render_markdown(text: str) -> SafeString:
    """Markdown → sanitised HTML, safe to put into a page, a PDF or an email."""
    if not text:
        return mark_safe("")
    html = _shift_headings(_parser.render(text))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def safe_url(value: str) -> str:
    """The URL when it is an absolute http(s), mailto or tel address; "" for anything a browser might run or misread.

    Browsers drop leading whitespace and tabs/newlines inside a scheme (`\tjava\nscript:`), so a URL with control
    characters or spaces anywhere is refused rather than cleaned.
    """
    value = str(value or "")
    if not value or _CONTROL_OR_SPACE.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_URL_SCHEMES:
        return ""
    if scheme in ("http", "https") and not parts.netloc:
        return ""
    return value
