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
    for name in ("tracker", "tracker.audit", "tracker.errors"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
