"""An Infobrief's message as bytes, built once per batch: per recipient only the personal parts are put in.

Django's `EmailMessage.message()` builds and serialises the whole MIME tree for every recipient (header
folding, body encoding: a few milliseconds each). Here the Infobrief is rendered and serialised once: the
header block of a reference message (From, Subject, Reply-To, Date, List-Id, …) as Django makes it, and both
parts quoted-printable, line by line. A recipient's copy is then the shared bytes with their four personal
headers (To, Message-ID, List-Unsubscribe, X-Verbund-Delivery) and the few body lines that hold their
unsubscribe link and greeting, encoded on their own. Quoted-printable works line by line, so the result is
byte for byte what encoding the whole personal body would give.

Only plain ASCII addresses and URLs take this way; anything else (an IDN or non-ASCII local part) returns
None and the caller builds the message the usual way.
"""

from __future__ import annotations

import email.policy
import re
import secrets
from email import quoprimime

from django.core.mail import EmailMultiAlternatives

# The headers each recipient gets of their own; the MIME headers of the body are written here too.
PERSONAL = {"to", "message-id", "list-unsubscribe", "x-verbund-delivery", "content-type", "content-transfer-encoding", "mime-version"}
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}")
_PLAIN_URL = re.compile(r"https?://[\x21-\x7e]{1,900}")
CRLF = b"\r\n"


def _qp_line(line: str) -> bytes:
    """One line quoted-printable (UTF-8), soft-broken at 76 characters, as the email package encodes a body line by line."""
    return quoprimime.body_encode(line.encode("utf-8").decode("latin-1"), maxlinelen=76, eol="\r\n").encode("ascii")


class _Part:
    """One text part: its lines quoted-printable once; the lines holding a marker stay text until the recipient is known."""

    def __init__(self, text: str, markers: tuple[str, ...]) -> None:
        self.items: list[bytes | str] = []
        run: list[bytes] = []
        for line in text.replace("\r\n", "\n").split("\n"):
            if any(marker in line for marker in markers):
                if run:
                    self.items.append(CRLF.join(run))
                    run = []
                self.items.append(line)
            else:
                run.append(_qp_line(line))
        if run:
            self.items.append(CRLF.join(run))

    def encode(self, substitute) -> bytes:
        return CRLF.join(item if isinstance(item, bytes) else _qp_line(substitute(item)) for item in self.items)


class PreparedMessage:
    """Built from the batch's reference message (Django's, for any one recipient) and the shared text and HTML with markers."""

    def __init__(self, reference: EmailMultiAlternatives, *, text: str, html: str, markers: tuple[str, ...]) -> None:
        raw = reference.message(policy=email.policy.SMTP).as_bytes()
        head = raw.split(CRLF + CRLF, 1)[0]
        kept: list[bytes] = []
        keep = False
        for line in head.split(CRLF):
            if line[:1] in (b" ", b"\t"):  # a folded continuation belongs to the header before it
                if keep:
                    kept.append(line)
                continue
            keep = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace") not in PERSONAL
            if keep:
                kept.append(line)
        self.head = CRLF.join(kept) + CRLF
        self.boundary = f"==============={secrets.token_hex(12)}=="
        self.text = _Part(text, markers)
        self.html = _Part(html, markers)

    def as_bytes(self, *, to: str, message_id: str, unsubscribe_url: str, delivery_id: int, text_sub, html_sub) -> bytes | None:
        """The recipient's message; None when their address or link is not plain ASCII (build it the usual way then)."""
        if not _PLAIN_ADDRESS.fullmatch(to) or not _PLAIN_URL.fullmatch(unsubscribe_url) or not message_id.isascii():
            return None
        boundary = self.boundary.encode("ascii")
        part_head = b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        return b"".join(
            [
                self.head,
                f"To: {to}\r\nMessage-ID: {message_id}\r\nList-Unsubscribe: <{unsubscribe_url}>\r\nX-Verbund-Delivery: {delivery_id}\r\n".encode("ascii"),
                b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n',
                b"--" + boundary + CRLF + part_head % b"plain",
                self.text.encode(text_sub),
                CRLF + b"--" + boundary + CRLF + part_head % b"html",
                self.html.encode(html_sub),
                CRLF + b"--" + boundary + b"--" + CRLF,
            ]
        )
