"""Accounts: email login, enforced two-factor for managers and staff, brute-force limits, admin login via allauth."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_manager_logs_in_with_email_and_lands_on_my_networks(client, world):
    response = login(client, "manager_x@example.org")
    assert response.status_code == 302
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == reverse("manage:index")


def test_login_page_is_german_by_default(client, db):
    response = client.get(reverse("account_login"))
    assert 'lang="de"' in response.text
    assert "Anmelden" in response.text


def test_login_page_in_english_when_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    response = client.get(reverse("account_login"))
    assert 'lang="en"' in response.text
    assert "Sign in" in response.text


@pytest.mark.parametrize("persona", ["manager_x", "staff"])
def test_two_factor_is_enforced_for_managers_and_staff_when_debug_is_off(client, world, settings, persona):
    settings.MFA_REQUIRED_FOR_MANAGERS = True  # what DEBUG=false sets
    client.force_login(world.users[persona])
    response = client.get(reverse("manage:index"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_member_users_are_not_forced_into_two_factor(client, world, settings, member_a_x):
    settings.MFA_REQUIRED_FOR_MANAGERS = True
    client.force_login(member_a_x)
    assert client.get(reverse("members:portal_home")).status_code == 200


def test_manager_with_totp_passes_the_two_factor_gate(client, world, settings, manager_x):
    settings.MFA_REQUIRED_FOR_MANAGERS = True
    Authenticator.objects.create(user=manager_x, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(manager_x)
    assert client.get(reverse("manage:index")).status_code == 200


def test_a_session_signed_in_with_totp_passes_the_gate_without_asking_the_database_until_totp_is_removed(client, world, settings, manager_x):
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.signals import authenticator_removed
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    settings.MFA_REQUIRED_FOR_MANAGERS = True
    totp = Authenticator.objects.create(user=manager_x, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(manager_x)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("manage:index")).status_code == 200
        return len(captured)

    queries()
    without_record = queries()
    # What allauth records when the manager signs in with password and TOTP.
    signed_in = RequestFactory().get("/")
    signed_in.session = client.session
    record_authentication(signed_in, manager_x, method="password")
    record_authentication(signed_in, manager_x, method="mfa", type="totp")
    signed_in.session.save()
    assert queries() == without_record - 2  # the gate asks neither for the role nor for the authenticators

    # Removing the TOTP in this session (allauth sends authenticator_removed) sends the manager to set up a new one.
    request = RequestFactory().get("/")
    request.session = client.session
    totp.delete()
    authenticator_removed.send(sender=Authenticator, request=request, user=manager_x, authenticator=totp)
    request.session.save()
    response = client.get(reverse("manage:index"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_two_factor_setup_and_logout_stay_reachable_during_the_gate(client, world, settings, manager_x):
    settings.MFA_REQUIRED_FOR_MANAGERS = True
    client.force_login(manager_x)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("legal_page", args=["impressum"])).status_code == 200


@pytest.mark.anchor("S-6")
def test_the_sixth_wrong_password_locks_the_account_even_with_the_right_one(client, world, anchor):
    for _ in range(5):
        response = login(client, "manager_x@example.org", "wrong-password-123")
        assert response.status_code == 200  # form error
    response = login(client, "manager_x@example.org", PASSWORD)
    lockout_holds = response.status_code == 200 and "_auth_user_id" not in client.session
    anchor(lockout_holds=lockout_holds)
    assert lockout_holds


@pytest.mark.anchor("S-6")  # the full comparison of pages is tests/quality/test_s6_login.py
def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, world):
    known = client.post(reverse("account_reset_password"), {"email": "manager_x@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url


def test_signup_is_closed_unless_enabled(client, db):
    response = client.post(reverse("account_signup"), {"email": "new@example.org", "password1": "x" * 12, "password2": "x" * 12})
    assert "new@example.org" not in str(response.content)
    from verbund.models import User

    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.anchor("S-6")
def test_admin_login_goes_through_allauth(client, db, anchor):
    response = client.get(reverse("admin:login"))
    admin_via_allauth = response.status_code == 302 and response.url.startswith(reverse("account_login"))
    anchor(admin_via_allauth=admin_via_allauth)
    assert admin_via_allauth


def test_member_user_may_request_a_login_code_by_email(client, world, mailoutbox_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": "member_a_x@example.org"})
    assert response.status_code == 302
    mails = mailoutbox_files()
    assert len(mails) == 1
    assert "To: member_a_x@example.org" in mails[0]
    assert "Anmeldecode" in mails[0] or "Code" in mails[0]


def test_account_mails_name_the_portal_never_an_empty_site(client, world, mailoutbox_files, django_capture_on_commit_callbacks):
    """allauth's greeting reads the site's name: "Hallo von !" when the adapter gave none."""
    import email
    import email.policy

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": "member_a_x@example.org"})
        client.post(reverse("account_reset_password"), {"email": "manager_x@example.org"})
    mails = mailoutbox_files()
    assert len(mails) == 2
    for raw in mails:
        message = email.message_from_string(raw, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "von !" not in text and "from !" not in text
        assert "verbund" in text
