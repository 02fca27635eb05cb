"""Reporting periods and frozen committee reports (issue 13)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402,F401
