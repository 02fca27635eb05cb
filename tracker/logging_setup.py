"""Logs go to standard error, with UTC times, for the process manager to collect."""

from __future__ import annotations

import logging
import time

from flask import Flask


def init_app(app: Flask) -> None:
    if app.testing:
        return
    handler = logging.StreamHandler()
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    # flask-limiter: the warning when the rate-limit store goes away, and when it is back.
    for name in ("tracker", "tracker.audit", "tracker.errors", "flask-limiter"):
        logger = logging.getLogger(name)
        # (Flask-Limiter gives its logger a NullHandler of its own.)
        if not any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
