"""With DEBUG off, a manager must set up TOTP before anything else, and then logs in with it."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.browser.test_start_pages import assert_accessible, log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def test_manager_is_led_through_totp_setup_and_then_needs_the_code(page, world, settings):
    settings.MFA_REQUIRED_FOR_MANAGERS = True  # what DEBUG=false sets
    log_in(page, "manager_x@example.org")
    assert page.get_by_text("Zwei-Faktor-Authentisierung Pflicht").is_visible()
    # allauth asks for the password once more before a second factor is added.
    assert "/accounts/reauthenticate/" in page.url
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/2fa/totp/activate/" in page.url
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert Authenticator.objects.filter(user=world.users["manager_x"], type=Authenticator.Type.TOTP).exists()
    page.goto("/manage/")
    assert page.get_by_role("heading", name="Meine Verbünde").is_visible()

    # Next login: password alone is not enough.
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    assert "/accounts/2fa/authenticate/" in page.url
    page.locator("input[name=code]").fill(current_code(secret, offset=1))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/manage/")
