"""Delivering a composed message: by SMTP (``smtplib``) or, without a mail server, as an ``.eml``
file under ``instance/mail/`` (the demo).

Errors are sorted into three kinds the outbox acts on:
- ``ServerUnavailable``: refused or closed connection, time-out, 4xx at connect: nothing more can
  be sent in this run; every message stays queued and is retried with back-off.
- ``TryLater``: a 4xx answer for this message: it stays queued with back-off; the run goes on.
- ``Refused``: a 5xx answer for this message: it has failed; the run goes on.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from ..config import MAIL_SECURITY_VALUES as SECURITY

DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT = 30


class DeliveryError(Exception):
    def __init__(self, message: str):
        super().__init__(message[:480])
        self.message = message[:480]


class ServerUnavailable(DeliveryError):
    pass


class TryLater(DeliveryError):
    pass


class Refused(DeliveryError):
    pass


def _reply(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


def _by_code(code: int, text) -> DeliveryError:
    return (Refused if 500 <= code < 600 else TryLater)(_reply(code, text))


class SmtpTransport:
    def __init__(self, config):
        self.host = str(config["MAIL_SERVER"])
        self.security = (config.get("MAIL_SECURITY") or "starttls").lower()
        if self.security not in SECURITY:
            raise ValueError(f"TRACKER_MAIL_SECURITY must be one of {', '.join(SECURITY)}")
        self.port = int(config.get("MAIL_PORT") or DEFAULT_PORTS[self.security])
        self.username = str(config.get("MAIL_USERNAME") or "")
        self.password = str(config.get("MAIL_PASSWORD") or "")
        self.timeout = float(config.get("MAIL_TIMEOUT") or TIMEOUT)
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        context = ssl.create_default_context()
        try:
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self.smtp = smtp
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            raise ServerUnavailable(_reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPResponseException as error:
            self.close()
            raise ServerUnavailable(_reply(error.smtp_code, error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise ServerUnavailable(f"{type(error).__name__}: {error}") from error

    def send(self, message: EmailMessage, to_address: str, from_address: str) -> None:
        assert self.smtp is not None
        try:
            self.smtp.send_message(message, from_addr=from_address, to_addrs=[to_address])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _by_code(code, text) from error
        except smtplib.SMTPServerDisconnected as error:
            raise ServerUnavailable(f"The server closed the connection: {error}") from error
        except smtplib.SMTPResponseException as error:  # sender refused, data refused
            if error.smtp_code in (421,):  # the server is shutting the connection
                raise ServerUnavailable(_reply(error.smtp_code, error.smtp_error)) from error
            raise _by_code(error.smtp_code, error.smtp_error) from error
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnavailable(f"{type(error).__name__}: {error}") from error

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


class FileTransport:
    """Writes each message to ``<folder>/<local part of its Message-ID>.eml`` (e.g.
    ``tracker-mail-12.eml``), so that a newcomer can open it."""

    def __init__(self, folder: Path):
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ServerUnavailable(f"Cannot write to {self.folder}: {error}") from error

    def send(self, message: EmailMessage, to_address: str, from_address: str) -> None:
        name = message["Message-ID"].strip("<>").partition("@")[0] + ".eml"
        partial = self.folder / (name + ".partial")
        try:
            partial.write_bytes(message.as_bytes())
            partial.replace(self.folder / name)
        except OSError as error:
            raise ServerUnavailable(f"Cannot write {name}: {error}") from error

    def close(self) -> None:
        pass


def make_transport(app):
    if app.config.get("MAIL_SERVER"):
        return SmtpTransport(app.config)
    return FileTransport(Path(app.instance_path) / "mail")
