"""Composing a message with the standard library: multipart plain text and simple HTML.

Names and subjects lose every CR and LF (and other control characters) before they reach a header,
so user text cannot add a header; the HTML part is rendered by an autoescaping template. No
images, no tracking pixels, no rewritten links.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from .. import settings as org_settings

CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


def header_text(text: str, limit: int = 200) -> str:
    """One line of text for a header: control characters (CR, LF, tab …) become spaces."""
    return " ".join(CONTROL.sub(" ", text or "").split())[:limit]


def mailbox(name: str, address: str) -> Address:
    local, _, domain = address.rpartition("@")
    return Address(display_name=header_text(name), username=header_text(local), domain=domain)


def sender(config) -> Address:
    address = config.get("MAIL_FROM") or "no-reply@localhost"
    return mailbox(org_settings.organisation_name(), address)


def build(config, *, to_name: str, to_address: str, subject: str, text: str, html: str,
          message_id: str, sent_at) -> EmailMessage:  # fmt: skip
    message = EmailMessage(policy=SMTP)
    message["From"] = sender(config)
    message["To"] = mailbox(to_name, to_address)
    message["Subject"] = header_text(subject, 300)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def message_id(config, row_id: int) -> str:
    """The same id every time the row is sent: a receiving system can tell a repeat."""
    domain = (config.get("MAIL_FROM") or "no-reply@localhost").rpartition("@")[2] or "localhost"
    return f"<tracker-mail-{row_id}@{header_text(domain)}>"
