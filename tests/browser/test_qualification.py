"""Issue 6 in Chromium: a member fills in its matrix row; the manager sees the aggregation, edits a cell in the heat map,
turns the proposal into a course; the member enrols two employees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from members.models import Contact, Membership, Organisation
from qualification import matrix
from qualification.models import Course, Enrolment, Need, Topic
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_matrix_row_alignment_course_and_enrolment(page, world):
    topic = Topic.objects.create(network=world.network_x, title="Führung für Meister", description="Vom Kollegen zur Führungskraft")
    Topic.objects.create(network=world.network_x, title="Gesundheit", position=1)
    delta = Organisation.objects.create(name="Delta OHG", municipality="Emsdetten")
    Membership.objects.create(organisation=delta, network=world.network_x)
    for org in (world.org_b, delta):
        matrix.need_save(
            network=world.network_x,
            organisation=org,
            topic=topic,
            by=world.users["manager_x"],
            data={"priority": 2, "head_count": 2, "preferred_format": "in_house"},
        )
    Contact.objects.create(organisation=world.org_a, first_name="Ben", last_name="Kaya")

    # The member company states its need, cell by cell, without leaving the page.
    log_in(page, "member_a_x@example.org")
    page.get_by_role("link", name="Qualifizierung").first.click()
    expect(page.get_by_role("heading", name="Qualifizierung", level=1)).to_be_visible()
    page.get_by_role("link", name="Unser Qualifizierungsbedarf").click()
    expect(page.get_by_role("heading", name="Unser Qualifizierungsbedarf", level=1)).to_be_visible()
    assert_accessible(page)  # waits for the load event too: htmx has taken over the links before the flag is set
    page.evaluate("window.__sameDocument = true")
    edit_link = page.get_by_role("link", name="Bearbeiten Führung für Meister")
    edit_link.click()
    editor = page.locator("#cell-editor")  # a row right below the topic's row
    expect(editor).to_be_visible()
    # Waited for, not read once: the swapped row settles into the table after htmx has inserted it.
    page.wait_for_function(
        """([editor, row]) => {
            const e = document.querySelector(editor), r = document.querySelector(row);
            if (!e || !r) return false;
            const gap = e.getBoundingClientRect().top - r.getBoundingClientRect().bottom;
            return gap >= 0 && gap <= 12;
        }""",
        arg=["#cell-editor", f"#topic-{topic.pk}"],
    )
    editor.get_by_label("dringend").check()
    editor.get_by_label("Anzahl Personen").fill("3")
    editor.get_by_label("Zielgruppe").fill("Vorarbeiter")
    assert_accessible(page)
    editor.get_by_role("button", name="Speichern").click()
    expect(page.locator("#matrix-status")).to_contain_text("Gespeichert")
    expect(page.locator("#cell-editor-row")).to_have_count(0)
    expect(edit_link).to_be_focused()
    row = page.locator(f"#topic-{topic.pk}")
    expect(row).to_contain_text("dringend", use_inner_text=True)
    expect(row).to_contain_text("3", use_inner_text=True)
    # Read after the swapped row is shown: a full page load would already have cleared the flag, it cannot come back.
    assert page.evaluate("window.__sameDocument") is True
    assert Need.objects.get(organisation=world.org_a).priority == 3
    # Three organisations stand behind the topic now: members see the network's number.
    page.reload()
    expect(page.get_by_role("row", name="Führung für Meister 3 7")).to_contain_text("7", use_inner_text=True)

    # The manager sees the heat map, corrects a cell in place, and turns the proposal into a course.
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/matrix/")
    assert_accessible(page)
    # A pattern, not a string, keeps the tabs between the cells (strings are compared with whitespace collapsed).
    expect(page.locator("tfoot")).to_contain_text(re.compile(r"Summe Personen\t7\t0"), use_inner_text=True)  # 3 + 2 + 2 on Führung, nobody on Gesundheit
    cell = page.locator(f"#cell-{delta.pk}-{topic.pk} a")
    expect(cell).to_have_text(re.compile(r"^2"), use_inner_text=True)  # shade
    expect(cell).to_contain_text("++", use_inner_text=True)  # and symbol
    cell.click()
    cell_editor = page.locator("#cell-editor")
    cell_editor.get_by_label("Anzahl Personen").fill("-1")
    cell_editor.get_by_role("button", name="Speichern").click()
    cell_editor.get_by_text("ganze Zahl ab 0").wait_for()
    expect(cell_editor.get_by_label("Anzahl Personen")).to_be_focused()  # the refused field, in the editor still open
    cell_editor.get_by_label("Anzahl Personen").fill("4")
    cell_editor.get_by_role("button", name="Speichern").click()
    expect(page.locator("#matrix-status")).to_contain_text("Gespeichert: Delta OHG · Führung für Meister")
    expect(page.locator("#cell-editor-row")).to_have_count(0)  # the editor closed
    expect(cell).to_have_text(re.compile(r"^4"), use_inner_text=True)  # the cell in place
    expect(cell).to_be_focused()
    page.locator("tfoot").filter(has_text="Summe Personen\t9").wait_for()  # and the totals, out of band
    expect(page.locator(f"#row-heads-{delta.pk}")).to_have_text("4")
    page.goto("/manage/netz-x/qualification/alignment/")
    assert_accessible(page)
    page.get_by_label("Führung für Meister – 3 Organisationen, 9 Personen").check()
    page.get_by_label("Kurstitel (leer: aus den Themen)").fill("Führen im Betrieb")
    page.get_by_role("button", name="Als Kurs übernehmen").click()
    page.get_by_role("heading", name="Führen im Betrieb", level=1).wait_for()
    assert_accessible(page)
    course = Course.objects.get()
    assert course.status == "planned" and course.format == "in_house"

    # The member enrols two employees by name.
    page.context.clear_cookies()
    log_in(page, "member_a_x@example.org")
    page.goto("/portal/qualification/netz-x/courses/")
    page.get_by_role("link", name="Führen im Betrieb").click()
    expect(page.get_by_role("heading", name="Führen im Betrieb", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ben Kaya").check()
    page.get_by_label("Mia member_a_x").check()
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("2 Personen angemeldet.").wait_for()
    assert Enrolment.objects.filter(course=course, organisation=world.org_a, status="enrolled").count() == 2
    assert page.csp_violations == []


def test_every_qualification_page_is_accessible(page, world):
    """axe (WCAG 2.1 A/AA) and CSP on every qualification page of a manager and of a member, with data on them."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from qualification.models import CourseFile, CourseSession

    topic = Topic.objects.create(network=world.network_x, title="Arbeiten im Alter", description="Demografie")
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topic, by=world.users["manager_x"], data={"priority": 1, "head_count": 1})
    course = Course.objects.create(
        network=world.network_x,
        title="Ergonomie",
        year=timezone.localdate().year,
        status="held",
        seats=5,
        documentation="**Merkblatt**",
        documentation_published_at=timezone.now(),
    )
    course.topics.add(topic)
    start = timezone.now() - timedelta(days=3)
    session = CourseSession.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=2), place="Rheine")
    Enrolment.objects.create(course=course, organisation=world.org_a, head_count=2)
    item = CourseFile(course=course, title="Handout", size=8)
    item.file.save("h.pdf", ContentFile(b"%PDF-1.4"), save=False)
    item.save()
    log_in(page, "manager_x@example.org")
    base = "/manage/netz-x/qualification/"
    manager_pages: list[str] = []
    for path in [
        "",
        "topics/",
        f"topics/{topic.pk}/",
        "matrix/",
        f"matrix/{world.org_b.pk}/{topic.pk}/",
        "alignment/",
        "courses/",
        "courses/new/",
        f"courses/{course.pk}/",
        f"courses/{course.pk}/edit/",
        f"courses/{course.pk}/sessions/{session.pk}/attendance/",
        f"courses/{course.pk}/documentation/",
        "indicators/",
    ]:
        page.goto(base + path)
        expect(page.locator("h1"), path).to_have_count(1)
        assert_accessible(page)
        manager_pages.append(base + path)
    page.context.clear_cookies()
    log_in(page, "member_a_x@example.org")
    member_pages = [
        "/portal/qualification/",
        "/portal/qualification/netz-x/needs/",
        f"/portal/qualification/netz-x/needs/{topic.pk}/",
        "/portal/qualification/netz-x/courses/",
        f"/portal/qualification/netz-x/courses/{course.pk}/",
    ]
    for path in member_pages:
        page.goto(path)
        expect(page.locator("h1"), path).to_have_count(1)
        assert_accessible(page)
    # On a phone (390 px) every page fits the screen: tables scroll in their own box or stack as cards.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in member_pages:
        assert_fits_phone(page, path)
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    for path in manager_pages:
        assert_fits_phone(page, path)
    assert page.csp_violations == []


def assert_fits_phone(page, path: str) -> None:
    """The page at the current (phone) width: one h1, no sideways scrolling of the page itself."""
    page.goto(path)
    expect(page.locator("h1"), path).to_have_count(1)
    page.wait_for_load_state()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (path, width)


# --- the heat map: readable headers, the cell editor at the cell -------------------------------------------------

LONG_TOPICS = [
    "Arbeitssicherheitsunterweisung",
    "Qualitätsmanagementbeauftragte",
    "Betriebliches Gesundheitsmanagement",
    "Digitalisierung in der Produktion",
    "Datenschutzgrundverordnung",
    "Führung",
    "Instandhaltungsplanung",
    "Energieeffizienzmaßnahmen im Betrieb",
    "Fremdsprachen",
    "Kommunikationstraining für Auszubildende",
]

# Per header of the table: its box, the box of its text, and whether its content overflows it.
HEADER_BOXES = """() => {
  const box = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const table = document.querySelector("table.heatmap");
  return {
    table: box(table.getBoundingClientRect()),
    headers: Array.from(table.tHead.rows[0].cells).map((th) => {
      const range = document.createRange();
      range.selectNodeContents(th);
      return {
        text: th.textContent.trim(), box: box(th.getBoundingClientRect()), textBox: box(range.getBoundingClientRect()),
        overflowX: th.scrollWidth - th.clientWidth, overflowY: th.scrollHeight - th.clientHeight,
      };
    }),
  };
}"""


def _heat_map(world, *, organisations: int = 12):
    """A network with long German topic names and a dozen members with needs: wider and taller than any screen."""
    topics = [Topic.objects.create(network=world.network_x, title=title, position=i) for i, title in enumerate(LONG_TOPICS)]
    orgs = [world.org_a, world.org_b]
    for i in range(organisations - 2):
        org = Organisation.objects.create(name=f"Musterbetrieb Metallverarbeitung {i:02d} GmbH & Co. KG", municipality="Rheine")
        Membership.objects.create(organisation=org, network=world.network_x)
        orgs.append(org)
    for i, org in enumerate(orgs):
        for j, topic in enumerate(topics):
            if (i + j) % 3 == 0:
                matrix.need_save(
                    network=world.network_x,
                    organisation=org,
                    topic=topic,
                    by=world.users["manager_x"],
                    data={"priority": 1 + j % 3, "head_count": 1 + j},
                )
    return topics, orgs


def _box(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }")


@pytest.mark.parametrize("width", [1280, 390])
def test_heat_map_headers_are_fully_readable_and_stay_in_view(page, world, width):
    topics, _ = _heat_map(world)
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/matrix/")
    expect(page.locator("table.heatmap thead th.topic")).to_have_count(len(topics))
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # only the table's box scrolls
    geometry = page.evaluate(HEADER_BOXES)
    headers = geometry["headers"]
    assert [h["text"] for h in headers[1:-2]] == LONG_TOPICS
    for header in headers:
        # The text fits its header cell: nothing cut off, nothing running into the next column.
        assert header["overflowX"] <= 0 and header["overflowY"] <= 0, header
        text, cell = header["textBox"], header["box"]
        assert cell["left"] - 0.5 <= text["left"] and text["right"] <= cell["right"] + 0.5, header
        assert cell["top"] - 0.5 <= text["top"] and text["bottom"] <= cell["bottom"] + 0.5, header
        # and the cell lies within the table (not clipped by it)
        table = geometry["table"]
        assert table["left"] - 0.5 <= cell["left"] and cell["right"] <= table["right"] + 0.5, header
    for left, right in zip(headers, headers[1:], strict=False):
        assert left["box"]["right"] <= right["box"]["left"] + 0.5, (left["text"], right["text"])  # side by side, no overlap
    # Scrolled within its box, down and to the right: the header row and the organisation column stay in view.
    wrap = page.locator(".matrix-wrap")
    wrap.evaluate("e => { e.scrollTop = 250; e.scrollLeft = 400; }")
    wrap_box = _box(wrap)
    expect(page.locator("table.heatmap thead th.topic").first).to_be_visible()
    header_box = _box(page.locator("table.heatmap thead th.org"))
    assert abs(header_box["top"] - wrap_box["top"]) <= 2 and abs(header_box["left"] - wrap_box["left"]) <= 2
    first_column = _box(page.locator("table.heatmap tbody th.org").nth(6))
    assert abs(first_column["left"] - wrap_box["left"]) <= 2


@pytest.mark.parametrize("width", [1280, 390])
def test_cell_editor_opens_at_the_cell_and_escape_gives_the_focus_back(page, world, width):
    topics, orgs = _heat_map(world)
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/matrix/")
    assert_accessible(page)  # waits for the load event: htmx has taken over the table's links
    page.evaluate("window.__sameDocument = true")
    link = page.locator(f"#cell-{orgs[3].pk}-{topics[1].pk} a")
    link.click()
    editor = page.locator("#cell-editor")
    expect(editor.get_by_role("heading", name=f"{orgs[3].name} · {topics[1].title}")).to_be_visible()
    expect(editor.get_by_label("kein Bedarf")).to_be_focused()  # the focus is in the editor, on the chosen priority
    cell, box, wrap = _box(page.locator(f"#cell-{orgs[3].pk}-{topics[1].pk}")), _box(editor), _box(page.locator(".matrix-wrap"))
    viewport = page.viewport_size
    assert 0 <= box["top"] - cell["bottom"] <= 8, (cell, box)  # right below the cell
    assert box["left"] <= cell["left"] + 1 and box["right"] >= cell["right"] - 1, (cell, box)  # under it, not beside it
    assert 0 <= box["left"] and box["right"] <= viewport["width"] and 0 <= box["top"] < viewport["height"], box
    assert wrap["left"] <= box["left"] and box["right"] <= wrap["right"], (wrap, box)  # inside the table's visible box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(page.locator("#cell-editor-row")).to_have_count(0)
    expect(link).to_be_focused()
    # Another cell: the "Schließen" button closes it the same way.
    other = page.locator(f"#cell-{orgs[5].pk}-{topics[6].pk} a")
    other.click()
    editor.get_by_role("button", name="Schließen").click()
    expect(page.locator("#cell-editor-row")).to_have_count(0)
    expect(other).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True
    assert page.csp_violations == []


def test_cell_editor_by_keyboard_saves_in_place(page, world):
    topics, orgs = _heat_map(world)
    org, topic = orgs[1], topics[4]
    assert not Need.objects.filter(organisation=org, topic=topic).exists()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/matrix/")
    expect(page.locator("table.heatmap")).to_be_visible()
    page.wait_for_load_state()
    link = page.locator(f"#cell-{org.pk}-{topic.pk} a")
    link.focus()
    page.keyboard.press("Enter")
    editor = page.locator("#cell-editor")
    expect(editor.get_by_label("kein Bedarf")).to_be_focused()
    page.keyboard.press("ArrowDown")  # within the radio group: sinnvoll
    page.keyboard.press("ArrowDown")  # wichtig
    expect(editor.get_by_label("wichtig")).to_be_checked()
    page.keyboard.press("Tab")
    expect(editor.get_by_label("Anzahl Personen")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    page.keyboard.type("Schichtleitungen")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("#matrix-status")).to_contain_text("Gespeichert")
    expect(page.locator("#cell-editor-row")).to_have_count(0)
    expect(link).to_have_text(re.compile(r"^6 ?\+\+"), use_inner_text=True)
    expect(link).to_be_focused()
    need = Need.objects.get(organisation=org, topic=topic)
    assert (need.priority, need.head_count, need.target_group) == (2, 6, "Schichtleitungen")
    # Opened again, "Schließen" is reached with Tab and pressed with Space.
    page.keyboard.press("Enter")
    expect(editor.get_by_label("wichtig")).to_be_focused()
    close = editor.get_by_role("button", name="Schließen")
    for _ in range(20):
        page.keyboard.press("Tab")
        if close.evaluate("e => e === document.activeElement"):
            break
    expect(close).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#cell-editor-row")).to_have_count(0)
    expect(link).to_be_focused()


def test_without_javascript_a_cell_opens_its_own_page(chromium_browser, live_server, world):
    topics, orgs = _heat_map(world, organisations=3)
    context = chromium_browser.new_context(base_url=live_server.url, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/matrix/")
    page.locator(f"#cell-{orgs[2].pk}-{topics[0].pk} a").click()
    expect(page).to_have_url(re.compile(rf"/qualification/matrix/{orgs[2].pk}/{topics[0].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{orgs[2].name} · {topics[0].title}")
    page.get_by_label("sinnvoll").check()
    page.get_by_label("Anzahl Personen").fill("2")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(f"#cell-{orgs[2].pk}-{topics[0].pk} a")).to_contain_text("2")
    context.close()
