"""The company check in Chromium: a member fills in the Basis-Check, completes it, reads strengths and needs, shares it
with the office; the manager then sees the result. Without JavaScript help, accessible, no CSP violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from qualification import checks_service, defaults
from qualification.models import CheckArea, CheckQuestion, CheckRound, CheckShare, CheckTemplate
from tests.browser.test_start_pages import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_checks(db) -> None:
    """A transactional test before this one may have flushed the rows the data migration installed."""
    defaults.install(CheckTemplate, CheckArea, CheckQuestion)


STRONG = {"Führung und Zusammenarbeit", "Personalentwicklung und Kompetenz"}


def test_a_member_completes_the_basis_check_shares_it_and_the_manager_sees_it(page, world):
    log_in(page, "member_a_x@example.org")
    page.goto("/portal/qualification/checks/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Beginnen\W+Unternehmens-Check: Basis$")).click()
    page.get_by_role("heading", name="Unternehmens-Check: Basis", level=1).wait_for()
    assert_accessible(page)

    areas = page.locator("form section")
    expect(areas).to_have_count(6)
    first = areas.nth(0).locator("fieldset").nth(0)
    first.get_by_label("4 – trifft voll zu").check()
    first.get_by_label("Notiz (freiwillig)").fill("Jahresgespräche seit 2023")
    page.get_by_role("button", name="Entwurf speichern").click()
    page.get_by_text("Entwurf gespeichert: 1 von 18 Aussagen bewertet.").wait_for()
    expect(page.locator("fieldset").nth(0).get_by_label("4 – trifft voll zu")).to_be_checked()

    page.get_by_role("button", name="Check abschließen").click()
    page.get_by_text("Es fehlen noch 17 Antworten.").wait_for()

    expect(areas).to_have_count(6)
    for index in range(6):
        section = areas.nth(index)
        heading = section.get_by_role("heading", level=2)
        expect(heading).to_be_visible()
        title = heading.inner_text()  # read to choose the answer, once the heading is shown
        value = "4 – trifft voll zu" if title in STRONG else "1 – trifft kaum zu"
        fieldsets = section.locator("fieldset")
        expect(fieldsets).to_have_count(3)
        for n in range(3):
            fieldsets.nth(n).get_by_label(value).check()
    page.get_by_role("button", name="Check abschließen").click()
    page.get_by_text("Der Check ist abgeschlossen.").wait_for()
    strengths = page.locator("section", has=page.get_by_role("heading", name="Stärken"))
    expect(strengths).to_contain_text("Führung und Zusammenarbeit (100 %)", use_inner_text=True)
    needs = page.locator("section", has=page.get_by_role("heading", name="Handlungsbedarf"))
    expect(needs).to_contain_text("Gesundheit (25 %)", use_inner_text=True)
    topics = page.locator("section", has=page.get_by_role("heading", name="Vorgeschlagene Qualifizierungsthemen"))
    expect(topics).to_contain_text("Betriebliches Gesundheitsmanagement", use_inner_text=True)
    expect(page.get_by_role("meter", name="Gesundheit: 25 %")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("button", name="Mit der Geschäftsstelle teilen").click()
    page.get_by_text("Die Ergebnisse sind jetzt mit der Geschäftsstelle geteilt.").wait_for()
    expect(page.get_by_role("button", name=re.compile(r"^Freigabe zurückziehen\W+Geschäftsstelle des Verbunds$"))).to_be_visible()
    assert_accessible(page)
    check = CheckRound.objects.get()
    assert check.status == CheckRound.Status.COMPLETED and CheckShare.objects.filter(round=check, with_managers=True, withdrawn_at__isnull=True).exists()
    assert page.csp_violations == []

    page.locator(".menu > summary").click()  # the account menu (a disclosure) holds "Abmelden"
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # logged out: the POST has been answered
    page.wait_for_load_state("networkidle")
    log_in(page, "manager_x@example.org")
    page.goto("/manage/netz-x/qualification/checks/")
    assert_accessible(page)
    page.get_by_role("link", name="Alpha GmbH").click()
    page.get_by_role("heading", name="Alpha GmbH: Unternehmens-Check: Basis").wait_for()
    expect(page.locator("section", has=page.get_by_role("heading", name="Stärken"))).to_contain_text(
        "Personalentwicklung und Kompetenz (100 %)", use_inner_text=True
    )
    assert_accessible(page)
    assert page.csp_violations == []


def test_manager_pages_of_the_check_are_accessible(page, world):
    manager = world.users["manager_x"]
    basis = CheckTemplate.objects.get(network=None, key="unternehmens-check-basis", version=1)
    own = checks_service.template_copy(template=basis, network=world.network_x, by=manager)
    log_in(page, "manager_x@example.org")
    page.goto(f"/manage/netz-x/qualification/checks/templates/{own.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Handlungsfeld hinzufügen").click()
    expect(page.get_by_label("Vorgeschlagene Qualifizierungsthemen")).to_be_visible()  # the form, not the page it left
    page.get_by_label(re.compile(r"^Handlungsfeld")).fill("Digitalisierung")
    page.get_by_label("Vorgeschlagene Qualifizierungsthemen").fill("Digitale Werkzeuge\nKI im Betrieb")
    assert_accessible(page)
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Handlungsfeld gespeichert.").wait_for()
    expect(page.get_by_role("heading", name="Digitalisierung")).to_be_visible()

    page.goto("/manage/netz-x/qualification/checks/")
    page.get_by_label(re.compile(r"^Unternehmen")).select_option(label="Beta KG")
    page.get_by_label(re.compile(r"^Fragebogen")).select_option(label=str(own))
    page.get_by_role("button", name="Check beginnen").click()
    page.get_by_text("Ohne Einverständnis des Unternehmens").wait_for()
    assert_accessible(page)
    page.get_by_label("Das Unternehmen ist einverstanden").check()
    page.get_by_role("button", name="Check beginnen").click()
    page.get_by_text("Check für Beta KG begonnen").wait_for()
    assert_accessible(page)
    check = CheckRound.objects.get()
    assert check.with_advisor and check.organisation == world.org_b and check.shares.get().with_managers

    page.goto(f"/manage/netz-x/qualification/checks/templates/{own.pk}/")
    page.get_by_text("kann nicht mehr geändert werden").wait_for()
    page.get_by_role("button", name="Neue Fassung anlegen").click()
    page.get_by_text("Fassung 2 angelegt").wait_for()
    assert_accessible(page)
    assert page.csp_violations == []


def test_check_pages_fit_a_phone(page, world):
    """At 390 px the check pages of a member and a manager do not scroll sideways; statuses are badges."""
    from tests.browser.test_qualification import assert_fits_phone

    member = world.users["member_a_x"]
    basis = CheckTemplate.objects.get(network=None, key="unternehmens-check-basis", version=1)
    check = checks_service.check_start(network=world.network_x, organisation=world.org_a, template=basis, by=member)
    for question in CheckQuestion.objects.filter(area__template=basis):
        checks_service.check_answer(check=check, question=question, value=2, by=member)
    checks_service.check_complete(check=check, by=member)
    checks_service.check_share(check=check, by=member, with_managers=True)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "member_a_x@example.org")
    for path in ["/portal/qualification/checks/", f"/portal/qualification/checks/rounds/{check.pk}/"]:
        assert_fits_phone(page, path)
    expect(page.locator("main .badge").filter(has_text="Abgeschlossen").first).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    for path in [
        "/manage/netz-x/qualification/checks/",
        f"/manage/netz-x/qualification/checks/templates/{basis.pk}/",
        f"/manage/netz-x/qualification/checks/rounds/{check.pk}/",
    ]:
        assert_fits_phone(page, path)
    expect(page.locator("main .badge").filter(has_text="Abgeschlossen").first).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []
