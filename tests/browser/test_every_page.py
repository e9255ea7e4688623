"""Every page a manager, a member and an anonymous visitor reach, in Chromium at 390 px and at 1280 px.

The pages come from the URL × persona matrix (tests/test_url_persona_matrix.py): every GET that the persona is
expected to open with 200, so a new URL pattern joins by its matrix entry; downloads (CSV, PDF, ICS, JSON) are left
out by their content type; the 404 page joins them. On each page: axe (WCAG 2.1 A/AA) finds nothing, and at 390 px the
page as a whole does not scroll sideways (a table scrolls in its own box). At 1280 px each page is checked once more in
the dark colour scheme (Playwright's emulated prefers-color-scheme, as a context with color_scheme="dark" sets it),
for the contrast: the page need not be loaded again for that.
A run collects every failing page and rule, so that one failure message shows the whole picture.
"""

from __future__ import annotations

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.test_start_pages import WCAG_21_AA
from tests.test_html_validator import page_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_checks(db) -> None:
    """A transactional test before this one may have flushed the check templates the data migration installed."""
    from qualification import defaults
    from qualification.models import CheckArea, CheckQuestion, CheckTemplate

    defaults.install(CheckTemplate, CheckArea, CheckQuestion)


PHONE, DESKTOP = 390, 1280
ERROR_PAGES = [("/gibt-es-nicht/", 404)]  # the error page everyone may meet
CONTRAST_ONLY = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]}

# The elements that stick out on the right of the viewport and are not inside a box that scrolls or clips them;
# of those, the outermost ones (their parent fits): the element that makes the page scroll sideways.
WIDEST = """() => {
  const vw = document.documentElement.clientWidth;
  const moved = (s) => s.position === 'absolute' || s.position === 'fixed';
  const clipped = (el) => {  // a box that scrolls or clips it, in its chain of containing blocks, fits the viewport
    let free = moved(getComputedStyle(el));
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (free && s.position === 'static') continue;  // an absolute box escapes the overflow of static ancestors
      if (s.overflowX !== 'visible') return a.getBoundingClientRect().right <= vw + 1;
      free = moved(s);
    }
    return false;
  };
  const out = (el) => el && el.getBoundingClientRect().right > vw + 1 && !clipped(el);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || !out(el) || out(el.parentElement)) continue;
    found.push(`${name(el)} (right edge ${Math.round(r.right)} px, "${(el.innerText || '').trim().slice(0, 40)}")`);
  }
  return found.slice(0, 5);
}"""


def logged_in_context(browser, live_server, user, *, width: int):
    """A browser context of one width, logged in as `user` (a session made by Django's test client, not the form)."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE", viewport={"width": width, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def check_pages(browser, live_server, world, persona: str, *, width: int) -> tuple[int, list[str]]:
    """axe on every page; at 390 px nothing scrolls sideways; at 1280 px the same pages once more in the dark scheme
    (contrast only: the rest of axe's rules do not depend on the colours). Every page also loads without a CSP
    violation (S-8). Returns the number of pages and the CSP violations."""
    context = logged_in_context(browser, live_server, world.users[persona], width=width)
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None)
    axe = Axe()
    failures: list[str] = []
    checked = 0
    started = time.monotonic()
    try:
        for url, status in [*((u, 200) for u in page_urls(world, persona)), *ERROR_PAGES]:
            answer = context.request.get(url, max_redirects=0)
            if answer.status != status or not answer.headers.get("content-type", "").startswith("text/html"):
                continue  # a download (CSV, PDF, ICS) or JSON: no page to look at
            page.goto(url)
            try:
                page.wait_for_load_state("networkidle", timeout=5_000)  # htmx fragments loaded on page load
            except PlaywrightTimeout:  # a page that polls never idles; it has loaded: check what it shows
                pass
            checked += 1
            failures += axe_failures(axe, page, url, WCAG_21_AA)
            if width == PHONE:
                scroll_width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll_width > inner:
                    failures.append(f"{url} scrolls sideways at {width} px ({scroll_width} > {inner}): {'; '.join(page.evaluate(WIDEST))}")
            else:
                page.emulate_media(color_scheme="dark")
                failures += axe_failures(axe, page, url, CONTRAST_ONLY, scheme="dark")
                page.emulate_media(color_scheme="light")
    finally:
        context.close()
    print(f"{persona} at {width} px: {checked} pages in {time.monotonic() - started:.0f} s, {len(csp)} CSP violations")
    assert checked >= 5, f"only {checked} HTML pages found for {persona}"
    failures += [f"CSP: {line}" for line in csp]
    assert not failures, f"{len(failures)} failures for {persona} at {width} px:\n" + "\n".join(failures)
    return checked, csp


def axe_failures(axe: Axe, page, url: str, options: dict, scheme: str = "light") -> list[str]:
    found = []
    for violation in axe.run(page, options=options).response["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        found.append(f"{url} axe{' (dark)' if scheme == 'dark' else ''} {violation['id']} ({len(violation['nodes'])}×: {targets})")
    return found


@pytest.mark.anchor("S-8")
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("persona", ["manager_x", "member_a_x", "anonymous"])
def test_every_page_is_accessible_and_fits(chromium_browser, live_server, world, persona, width, anchor):
    checked, csp = check_pages(chromium_browser, live_server, world, persona, width=width)
    if width == DESKTOP:  # S-8 counts each role's crawl once
        anchor(crawled_pages=checked, roles=1, csp_violations=len(csp))


@pytest.mark.anchor("S-8")
def test_staff_pages_and_the_admin_load_without_csp_violations(chromium_browser, live_server, world, anchor):
    """The fourth role of S-8: staff, on every page it opens, the Django admin included (CSP only; axe covers our pages)."""
    from tests.test_url_persona_matrix import MATRIX

    urls: list[str] = []
    for case in MATRIX.values():
        for target in case.targets:
            if target.method == "get" and target.expected["staff"] == 200 and (url := target.url(world)) not in urls:
                urls.append(url)
    context = logged_in_context(chromium_browser, live_server, world.users["staff"], width=DESKTOP)
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None)
    checked = 0
    try:
        for url in urls:
            answer = context.request.get(url, max_redirects=0)
            if answer.status != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
                continue
            page.goto(url, wait_until="load")
            checked += 1
    finally:
        context.close()
    anchor(crawled_pages=checked, roles=1, csp_violations=len(csp))
    assert checked >= 20, f"only {checked} pages for staff"
    assert csp == [], "\n".join(csp[:20])


# --- the members area on a phone and on a desk ------------------------------------------------------------------


def test_directory_filters_fold_on_phones_and_say_how_many_are_set(chromium_browser, live_server, world):
    context = logged_in_context(chromium_browser, live_server, world.users["manager_x"], width=PHONE)
    page = context.new_page()
    page.goto("/manage/netz-x/organisations/?status=active&municipality=Rheine")
    panel = page.locator("details.filter-panel")
    summary = panel.locator("summary")
    expect(summary).to_have_text("Filter (2)")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.get_by_label("Suche", exact=True)).to_be_hidden()
    expect(page.locator("#directory-results").get_by_role("link", name="Alpha GmbH")).to_be_visible()  # the results stay in view
    summary.click()
    expect(page.get_by_label("Suche", exact=True)).to_be_visible()
    # A third filter, applied by htmx without a page load: the folded panel's count follows it.
    page.get_by_label("Art", exact=True).select_option("company")
    page.wait_for_url("**kind=company**")
    expect(summary).to_have_text("Filter (3)")
    context.close()

    context = logged_in_context(chromium_browser, live_server, world.users["manager_x"], width=DESKTOP)
    page = context.new_page()
    page.goto("/manage/netz-x/organisations/?status=active&municipality=Rheine")
    expect(page.get_by_label("Suche", exact=True)).to_be_visible()  # open without a click
    expect(page.get_by_label("Status", exact=True)).to_have_value("active")
    expect(page.locator("details.filter-panel > summary")).to_be_hidden()
    context.close()


def test_history_tab_is_the_current_one_after_the_switch(chromium_browser, live_server, world):
    context = logged_in_context(chromium_browser, live_server, world.users["manager_x"], width=DESKTOP)
    page = context.new_page()
    page.goto(f"/manage/netz-x/organisations/{world.org_a.pk}/")
    tabs = page.get_by_role("navigation", name="Ansicht")
    expect(tabs.get_by_role("link", name="Profil")).to_have_attribute("aria-current", "page")
    page.evaluate("window.__sameDocument = true")
    tabs.get_by_role("link", name="Verlauf").click()
    expect(page.get_by_role("heading", name="Verlauf: wer hat was wann geändert")).to_be_visible()
    expect(tabs.get_by_role("link", name="Verlauf")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Profil")).not_to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Bearbeiten", exact=True)).to_be_visible()  # the page's actions stay
    assert page.evaluate("window.__sameDocument") is True  # switched by htmx, not by a page load
    context.close()
