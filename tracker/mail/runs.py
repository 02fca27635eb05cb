"""One run of the mail: what ``tracker send-reminders`` does (plan the reminders and digests that
are due, send the outbox, purge what is old), and what ``tracker demo`` does by itself every
minute. In production a cron job or a systemd timer runs the command (README)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask

from . import outbox, planning


@dataclass(frozen=True)
class Run:
    queued: int
    result: outbox.RunResult
    purged: int

    def __str__(self) -> str:
        r = self.result
        return (
            f"queued {self.queued}, sent {r.sent}, deferred {r.deferred}, "
            f"failed {r.failed}, interrupted {r.interrupted}, purged {self.purged}"
        )


def run_once(plan: bool = True) -> Run:
    """Queue what is due (unless ``plan`` is false), then send the outbox and purge it."""
    queued = planning.plan() if plan else 0
    result = outbox.send_queued()
    return Run(queued, result, outbox.purge())


def every(app: Flask, seconds: float, stop: threading.Event) -> threading.Thread:
    """A daemon thread that makes a run every ``seconds``, each in an application context of its
    own, until ``stop`` is set. A run that fails is logged and the next one tried: the mail is
    idempotent (every message has a unique key), so nothing is sent twice."""

    def loop() -> None:
        while not stop.wait(seconds):
            try:
                with app.app_context():
                    run_once()
            except Exception:  # noqa: BLE001 - the server goes on; the next run tries again
                app.logger.exception("The mail run failed; the next one is in %s s", seconds)

    thread = threading.Thread(target=loop, name="mail-every", daemon=True)
    thread.start()
    return thread
