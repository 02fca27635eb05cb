"""Exports: the status list of a committee as CSV, XLSX, PDF and DOCX (issue 5)."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from . import views  # noqa: E402,F401
