"""A real SMTP server for tests (aiosmtpd on loopback), in its own process.

Appends one JSON line per accepted message (message id, sender, recipients,
raw message) to the file given by --out, with fsync, so a test can read exactly
what arrived even if a worker is killed mid-send.
Usage: python tests/smtp_sink.py --port 0 --out FILE [--fail-share 0.01] [--reject a@x,b@y]
Prints "LISTENING <port>" when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sys
from email import message_from_bytes

from aiosmtpd.controller import Controller


class SinkHandler:
    def __init__(self, out: str, fail_share: float, reject: set[str], latency: float) -> None:
        self.out = out
        self.fail_share = fail_share
        self.reject = reject
        self.latency = latency

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.fail_share and random.random() < self.fail_share:
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content)
        record = {
            "message_id": message.get("Message-ID", ""),
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": message.get("Subject", ""),
            "raw": envelope.content.decode("utf-8", "replace"),
        }
        with open(self.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fail-share", type=float, default=0.0)
    parser.add_argument("--reject", default="")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    port = args.port
    if port == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    reject = {a.strip().lower() for a in args.reject.split(",") if a.strip()}
    controller = Controller(SinkHandler(args.out, args.fail_share, reject, args.latency), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"LISTENING {port}", flush=True)
    try:
        sys.stdin.read() if not sys.stdin.isatty() else None
        while True:
            asyncio.run(asyncio.sleep(3600))
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
