"""Heute zu tun in the browser: the manager sees a to-do on the start page, follows it, resolves it, and it is gone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from events.models import ActionItem, Meeting
from newsletters.models import Infobrief
from tests.browser.test_every_page import CONTRAST_ONLY, DESKTOP, PHONE, WIDEST, axe_failures, logged_in_context
from tests.browser.test_start_pages import WCAG_21_AA, assert_accessible, log_in
from tests.health.test_todos import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_follows_an_overdue_action_item_marks_it_done_and_it_is_gone(page, world):
    starts = timezone.now() - timedelta(days=10)
    meeting = Meeting.objects.create(network=world.network_x, title="Arbeitstreffen Juni", starts_at=starts, ends_at=starts + timedelta(hours=2), status="held")
    ActionItem.objects.create(network=world.network_x, meeting=meeting, title="Förderantrag einreichen", due_on=timezone.localdate() - timedelta(days=2))
    Infobrief.objects.create(network=world.network_y, subject="Y-Entwurf")  # another network's: never on manager_x's list

    log_in(page, "manager_x@example.org")
    expect(page).to_have_url(re.compile(r"/manage/$"))
    todo = page.locator("#todo")
    expect(todo.get_by_role("heading", name="Heute zu tun")).to_be_visible()
    link = todo.get_by_role("link", name="Förderantrag einreichen")
    expect(link).to_be_visible()
    expect(todo).to_contain_text("Netzwerk X")  # the manager's start page names each item's network
    expect(todo).to_contain_text("überfällig")
    expect(page.get_by_text("Y-Entwurf")).to_have_count(0)
    assert_accessible(page)

    link.click()
    expect(page).to_have_url(re.compile(rf"/manage/netz-x/meetings/{meeting.pk}/\?tab=minutes#action-item-\d+$"))
    page.locator("#action-items").get_by_role("button", name="Erledigt Förderantrag einreichen").click()
    expect(page.locator("#action-items del", has_text="Förderantrag einreichen")).to_be_visible()  # struck through: done

    page.goto("/manage/")
    expect(page.locator("#todo").get_by_text("Heute ist nichts offen")).to_be_visible()
    expect(page.get_by_role("link", name="Förderantrag einreichen")).to_have_count(0)
    assert page.csp_violations == []


def test_network_start_page_shows_its_to_dos_first_and_links_them(page, world):
    draft = Infobrief.objects.create(network=world.network_x, subject="Infobrief Juli")
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/")
    todo = page.locator("#todo")
    expect(todo.get_by_role("heading", name="Entwürfe")).to_be_visible()
    todo.get_by_role("link", name="Infobrief „Infobrief Juli“").click()
    expect(page).to_have_url(re.compile(rf"/manage/netz-x/infobrief/{draft.pk}/"))  # the Infobrief opens at its next step
    assert page.csp_violations == []


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_start_pages_full_of_to_dos_are_accessible_and_fit(chromium_browser, live_server, world, manager_x, width):
    """With a to-do of every kind (the matrix-driven page test sees the start pages only with nothing to do): axe finds
    nothing, at 390 px nothing scrolls sideways, at 1280 px the dark scheme keeps its contrast."""
    populate(world.network_x, 3, manager_x)
    context = logged_in_context(chromium_browser, live_server, manager_x, width=width)
    page = context.new_page()
    axe = Axe()
    failures: list[str] = []
    try:
        for url in ["/manage/", "/manage/netz-x/"]:
            page.goto(url)
            expect(page.locator("#todo .todo-group")).to_have_count(14)
            failures += axe_failures(axe, page, url, WCAG_21_AA)
            if width == PHONE:
                scroll_width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll_width > inner:
                    failures.append(f"{url} scrolls sideways ({scroll_width} > {inner}): {'; '.join(page.evaluate(WIDEST))}")
            else:
                page.emulate_media(color_scheme="dark")
                failures += axe_failures(axe, page, url, CONTRAST_ONLY, scheme="dark")
                page.emulate_media(color_scheme="light")
            page.screenshot(path=f"/tmp/todo-{width}-{url.strip('/').replace('/', '-')}.png", full_page=True)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
