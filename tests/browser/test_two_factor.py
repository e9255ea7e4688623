"""With DEBUG off, a manager must set up TOTP before anything else, and then logs in with it."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from tests.browser.test_start_pages import assert_accessible, log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def test_manager_is_led_through_totp_setup_and_then_needs_the_code(page, world, settings):
    settings.MFA_REQUIRED_FOR_MANAGERS = True  # what DEBUG=false sets
    log_in(page, "manager_x@example.org")
    expect(page.get_by_text("Zwei-Faktor-Authentisierung Pflicht")).to_be_visible()
    # allauth asks for the password once more before a second factor is added.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret_input = page.locator("#authenticator_secret")
    expect(secret_input).to_be_visible()
    assert_accessible(page)
    secret = secret_input.input_value()  # read to compute the code, once the field is shown
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main form button[type=submit]").first.click()
    # A wrong code renders the form again; a right one is answered with the new recovery codes, once stored.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert Authenticator.objects.filter(user=world.users["manager_x"], type=Authenticator.Type.TOTP).exists()
    page.goto("/manage/")
    expect(page.get_by_role("heading", name="Meine Verbünde")).to_be_visible()

    # Next login: password alone is not enough.
    page.context.clear_cookies()
    log_in(page, "manager_x@example.org")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret, offset=1))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/manage/$"))
