"""`make screenshots`: every page a manager and a member reach, at 390, 820 and 1280 px, into var/screenshots/.

Starts the embedded default (a fresh SQLite under a temporary VAR_DIR, demo data, runserver), logs in through the
real login form as the demo manager and the demo member user, walks the links of their pages (breadth first, same
site, no downloads, nothing that changes data: links only, never forms) and saves a full-page PNG per page and
width. var/screenshots/index.html shows them side by side for a reviewer. The folder is not committed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "screenshots"
PASSWORD = "verbund-demo-2026"
WIDTHS = (390, 820, 1280)
PERSONAS = {"manager": ("manager@verbund.example", "/manage/"), "member": ("mitglied@verbund.example", "/portal/")}
MAX_PAGES = int(os.environ.get("SCREENSHOT_PAGES", "80"))  # per persona
# Links that leave the pages (files, calendars, the admin) or that the crawl must not follow.
SKIP = re.compile(r"(\.(ics|pdf|csv|xlsx|json|png|jpe?g|zip)$|/download|/ics/|/export|/admin/|/accounts/logout|/thumbnail|/logo)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "start"


def crawl(page, base: str, start: str, folder: Path) -> list[str]:
    seen: set[str] = set()
    queue = deque([start])
    shots: list[str] = []
    while queue and len(shots) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(folder / f"{slug(path)}-{width}.png"), full_page=True)
        shots.append(path)
        for href in page.eval_on_selector_all("main a[href], aside a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target, _ = urldefrag(href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith(("/manage/", "/portal/")) or SKIP.search(parts.path):
                continue
            if target not in seen:
                queue.append(target)
    return shots


def main() -> int:
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST"}}
    env["VAR_DIR"] = tempfile.mkdtemp(prefix="verbund-screenshots-")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    shutil.rmtree(OUT, ignore_errors=True)
    index: dict[str, list[str]] = {}
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("runserver did not answer")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=["--no-sandbox"])
            for persona, (email, start) in PERSONAS.items():
                folder = OUT / persona
                folder.mkdir(parents=True, exist_ok=True)
                context = browser.new_context(locale="de-DE")
                page = context.new_page()
                page.goto(base + "/accounts/login/")
                page.get_by_label("E-Mail-Adresse", exact=True).fill(email)
                page.get_by_label("Passwort", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Anmelden").click()
                page.wait_for_url(re.compile(re.escape(start) + "$"))
                index[persona] = crawl(page, base, start, folder)
                print(f"screenshots: {persona}: {len(index[persona])} pages × {len(WIDTHS)} widths")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    rows = []
    for persona, paths in index.items():
        for path in paths:
            cells = "".join(
                f'<td><a href="{persona}/{slug(path)}-{w}.png"><img src="{persona}/{slug(path)}-{w}.png" width="{w // 4}" alt=""></a></td>' for w in WIDTHS
            )
            rows.append(f"<tr><th>{persona}<br><code>{html.escape(path)}</code></th>{cells}</tr>")
    header = "".join(f"<th>{w} px</th>" for w in WIDTHS)
    (OUT / "index.html").write_text(
        f'<!DOCTYPE html><html lang="de"><meta charset="utf-8"><title>verbund – Bildschirmfotos</title>'
        f"<table><tr><th>Seite</th>{header}</tr>{''.join(rows)}</table></html>",
        encoding="utf-8",
    )
    print(f"screenshots: {OUT / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
