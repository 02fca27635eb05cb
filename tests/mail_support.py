"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1), with knobs to refuse."""

from __future__ import annotations

import email
import socket
import threading
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Handler:
    """Records every accepted message; answers a chosen code for chosen recipients, or closes
    the connection at MAIL FROM."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.rcpt_replies: dict[str, str] = {}
        self.close_connection = False
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.close_connection:
            server.transport.close()
            return "421 4.3.2 Going away"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    def parsed(self):
        return [email.message_from_bytes(raw, policy=default) for _to, raw in self.messages]


class SmtpServer:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
