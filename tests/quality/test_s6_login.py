"""S-6: login resists brute force without locking out an office, and does not reveal which accounts exist.

The lockout of one account (6th wrong password within 5 minutes) and the admin login through allauth are
tests in tests/verbund/test_accounts.py that carry the S-6 marker; here are the parts that need two people
behind one address and the answer pairs for known and unknown addresses.
"""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.anchor("S-6")

SECRET_A = "JBSWY3DPEHPK3PXP"
SECRET_B = "KRSXG5CTMVRXEZLU"
OFFICE_IP = "203.0.113.7"  # one NAT address for the whole office


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def wrong_code(secret: str) -> str:
    valid = {code(secret, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def office_client() -> Client:
    return Client(REMOTE_ADDR=OFFICE_IP)


def password_step(client: Client, email: str) -> None:
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate"), getattr(response, "text", "")[:500]


def totp_step(client: Client, totp: str):
    return client.post(reverse("mfa_authenticate"), {"code": totp})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_totp_codes_block_the_account_not_the_colleagues_behind_the_same_address(world, anchor):
    a, b = world.users["manager_x"], world.users["manager_y"]
    Authenticator.objects.create(user=a, type=Authenticator.Type.TOTP, data={"secret": SECRET_A})
    Authenticator.objects.create(user=b, type=Authenticator.Type.TOTP, data={"secret": SECRET_B})

    attacker = office_client()
    password_step(attacker, a.email)
    for _ in range(10):
        response = totp_step(attacker, wrong_code(SECRET_A))
        assert response.status_code == 200 and not logged_in(attacker)

    colleague = office_client()
    password_step(colleague, b.email)
    response = totp_step(colleague, code(SECRET_B))
    colleagues_unaffected = response.status_code == 302 and logged_in(colleague)

    # A itself stays blocked: the right password and the right code are refused within the window.
    again = office_client()
    password_step(again, a.email)
    refused = totp_step(again, code(SECRET_A))
    a_blocked = refused.status_code == 200 and not logged_in(again)

    anchor(colleagues_unaffected=colleagues_unaffected)
    assert colleagues_unaffected, "a colleague behind the same address could not log in after another account's wrong TOTP codes"
    assert a_blocked, "the account with 10 wrong TOTP codes was not blocked"


def comparable(response) -> tuple[int, str, str]:
    """Status, where it leads, and the page text without CSRF tokens, CSP nonces and the address typed in."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken"', text)
    text = re.sub(r'<meta name="csrf-token" content="[^"]*"', '<meta name="csrf-token"', text)
    text = re.sub(r"[\w.+-]+@example\.org", "EMAIL", text)
    chain = "→".join(url for url, _status in getattr(response, "redirect_chain", []))
    return response.status_code, chain, text


ENUMERATION_FORMS = {
    "password reset": ("account_reset_password", lambda email: {"email": email}),
    "signup": ("account_signup", lambda email: {"email": email, "password1": "Ein-langes-Passwort-42", "password2": "Ein-langes-Passwort-42"}),
    "login code": ("account_request_login_code", lambda email: {"email": email}),
}
KNOWN_UNKNOWN = [("manager_x@example.org", "niemand@example.org"), ("member_a_x@example.org", "unbekannt@example.org")]


def test_reset_signup_and_login_code_answer_the_same_for_known_and_unknown_addresses(world, settings, anchor):
    settings.ACCOUNT_ALLOW_SIGNUP = True  # open signup is the riskier case; closed signup answers everyone alike anyway
    pairs, differences = 0, []
    for form, (url_name, data) in ENUMERATION_FORMS.items():
        for known, unknown in KNOWN_UNKNOWN:
            answers = []
            for email in (known, unknown):
                cache.clear()  # the per-address limits would otherwise answer the second request differently
                answers.append(comparable(Client().post(reverse(url_name), data(email), follow=True)))
            pairs += 1
            if answers[0] != answers[1]:
                differences.append(f"{form}: {known} {answers[0][:2]} vs {unknown} {answers[1][:2]}")
    anchor(enumeration_pairs=pairs, enumeration_differences=len(differences))
    assert pairs == len(ENUMERATION_FORMS) * len(KNOWN_UNKNOWN)
    assert differences == []
