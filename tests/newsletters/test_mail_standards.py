"""What mail clients read from an Infobrief, checked on the raw bytes the SMTP server (aiosmtpd) received.

List-Unsubscribe must carry the URL itself (RFC 2369, RFC 8058 one-click); an RFC 2047 encoded-word
(`=?utf-8?q?=3Chttps…?=`) is text to a mail client, not a URL. Reply-To reaches the network office.
"""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from members.models import GovernancePosition
from newsletters import sending, services
from newsletters.models import NewsletterSettings
from tests.newsletters import factories
from verbund.mail import UrlListHeader, message_to_payload, network_reply_to, payload_to_message


@pytest.fixture
def smtp_newsletter(settings, smtp_sink):
    port, read = smtp_sink
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}},
    }
    settings.NEWSLETTER_RATE_PER_SECOND = 1000
    settings.REDIS_URL = ""
    return read


@pytest.fixture
def eager():
    from verbund.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def raw_headers(raw: str) -> dict[str, str]:
    """The header block as sent: folded lines joined (RFC 5322 unfolding), names lower-cased, nothing decoded."""
    block = raw.replace("\r\n", "\n").split("\n\n", 1)[0]
    unfolded = re.sub(r"\n[ \t]+", " ", block)
    return {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in unfolded.splitlines()}


def send_one(network, manager, capture, read) -> tuple[str, str]:
    contact = factories.recipients(network, 1)[0]
    letter = factories.infobrief(network)
    with capture(execute=True):
        sending.send_start(infobrief=letter, by=manager)
    (record,) = read()
    return record["raw"], contact.email


def test_list_unsubscribe_carries_the_plain_url_not_an_encoded_word(world, manager_x, smtp_newsletter, eager, django_capture_on_commit_callbacks):
    raw, _address = send_one(world.network_x, manager_x, django_capture_on_commit_callbacks, smtp_newsletter)
    headers = raw_headers(raw)
    assert "=?" not in headers["list-unsubscribe"]
    url = re.fullmatch(r"<(https?://[^\s<>]+/unsubscribe/[^\s<>]+/)>", headers["list-unsubscribe"]).group(1)
    assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    assert "mailto:" not in headers["list-unsubscribe"]  # the portal reads no unsubscribe mails, so none is offered
    # The URL in the header is the one in the text part, intact.
    text = email.message_from_string(raw, policy=email.policy.default).get_body(preferencelist=("plain",)).get_content()
    assert url in text


def test_the_one_click_url_from_the_raw_header_unsubscribes(world, manager_x, smtp_newsletter, eager, django_capture_on_commit_callbacks):
    from django.test import Client

    raw, address = send_one(world.network_x, manager_x, django_capture_on_commit_callbacks, smtp_newsletter)
    url = raw_headers(raw)["list-unsubscribe"][1:-1]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    response = Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert address in [e for _n, e in services.audience(factories.infobrief(world.network_x)).excluded["unsubscribed"]]


def test_reply_to_is_the_infobrief_setting_when_there_is_one(world, manager_x, smtp_newsletter, eager, django_capture_on_commit_callbacks):
    world.network_x.office_email = "buero@netz-x.example"
    world.network_x.save()
    NewsletterSettings.objects.update_or_create(network=world.network_x, defaults={"reply_to": "redaktion@netz-x.example"})
    raw, _address = send_one(world.network_x, manager_x, django_capture_on_commit_callbacks, smtp_newsletter)
    assert raw_headers(raw)["reply-to"] == "redaktion@netz-x.example"


def test_reply_to_is_the_network_office_otherwise(world, manager_x, smtp_newsletter, eager, django_capture_on_commit_callbacks):
    world.network_x.office_email = "buero@netz-x.example"
    world.network_x.save()
    raw, _address = send_one(world.network_x, manager_x, django_capture_on_commit_callbacks, smtp_newsletter)
    assert raw_headers(raw)["reply-to"] == "buero@netz-x.example"


def test_network_reply_to_falls_back_to_the_office_holder_and_then_to_nothing(world):
    network = world.network_x
    assert network_reply_to(network) == []
    contact = factories.recipients(network, 1, prefix="office")[0]
    GovernancePosition.objects.create(network=network, contact=contact, function=GovernancePosition.Function.OFFICE)
    assert network_reply_to(network) == [contact.email]
    network.office_email = "buero@netz-x.example"
    assert network_reply_to(network) == ["buero@netz-x.example"]


def test_a_url_list_header_survives_the_task_queue_and_folds_only_between_urls():
    from django.core.mail import EmailMessage

    long_url = "https://verbund.example/infobrief/netz-x/unsubscribe/" + "A" * 200 + "/"
    message = EmailMessage(
        "Betreff",
        "Text",
        "a@example.org",
        ["b@example.org"],
        headers={"List-Unsubscribe": UrlListHeader("List-Unsubscribe", [long_url, "https://x.example/u/"])},
    )
    again = payload_to_message(message_to_payload(message))
    raw = again.message(policy=email.policy.SMTP).as_bytes().decode()
    assert f"List-Unsubscribe: <{long_url}>,\r\n <https://x.example/u/>\r\n" in raw


def test_a_url_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        UrlListHeader("List-Unsubscribe", ["https://x.example/\r\nBcc: all@example.org"])
