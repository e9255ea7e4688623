"""The IMAP poller against a real dovecot on loopback (tests/imap_server.py): bounces in the mailbox are processed and removed."""

from __future__ import annotations

from pathlib import Path

from imap_tools import MailBoxUnencrypted

from newsletters.bounces import bounce_mailbox_poll
from newsletters.models import Bounce, Delivery, Suppression
from tests.imap_server import dovecot
from tests.newsletters import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"


def sample(name: str, delivery: Delivery) -> bytes:
    raw = (FIXTURES / name).read_bytes()
    return (
        raw.replace(b"@@RCPT@@", delivery.email.encode())
        .replace(b"@@MESSAGE_ID@@", delivery.message_id.encode())
        .replace(b"@@DELIVERY@@", str(delivery.pk).encode())
    )


def test_the_poller_reads_the_bounce_mailbox_suppresses_and_leaves_it_empty(world, settings):
    contact = factories.recipients(world.network_x, 1, prefix="imap")[0]
    letter = factories.infobrief(world.network_x)
    delivery = Delivery.objects.create(infobrief=letter, email=contact.email, contact=contact, status=Delivery.Status.SENT, attempts=1)
    with dovecot() as imap:
        settings.BOUNCE_IMAP_HOST, settings.BOUNCE_IMAP_PORT, settings.BOUNCE_IMAP_SSL = imap.host, imap.port, False
        settings.BOUNCE_IMAP_USER, settings.BOUNCE_IMAP_PASSWORD, settings.BOUNCE_IMAP_FOLDER = imap.user, imap.password, "INBOX"
        with MailBoxUnencrypted(imap.host, port=imap.port).login(imap.user, imap.password) as box:
            for name in ("outlook_ndr.eml", "autoreply_out_of_office.eml", "soft_mailbox_full.eml"):
                box.append(sample(name, delivery), "INBOX")
        assert bounce_mailbox_poll() == {"read": 3, "bounces": 2, "failed": 0}
        with MailBoxUnencrypted(imap.host, port=imap.port).login(imap.user, imap.password) as box:
            assert len(list(box.fetch(mark_seen=False))) == 0  # processed mails are removed, the auto-reply too
        assert bounce_mailbox_poll() == {"read": 0, "bounces": 0, "failed": 0}
    suppression = Suppression.objects.get(network=world.network_x, email=contact.email)
    assert suppression.reason == Suppression.Reason.BOUNCED and "5.1.10" in suppression.detail
    assert sorted(Bounce.objects.values_list("kind", flat=True)) == ["hard", "soft"]


def test_without_a_configured_mailbox_the_poller_does_nothing_and_beat_has_no_entry(settings):
    settings.BOUNCE_IMAP_HOST = ""
    assert bounce_mailbox_poll() == {"read": 0, "bounces": 0, "failed": 0}
    assert "bounce-mailbox" not in settings.CELERY_BEAT_SCHEDULE
