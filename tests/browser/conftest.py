"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against live_server."""

from __future__ import annotations

import pytest

# Chromium itself (CHROMIUM_ARGS, the session's `chromium_browser`) lives in tests/conftest.py: one Playwright per
# test process, also for the browser checks outside this folder (S-3).


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
