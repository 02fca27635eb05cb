"""Importing initiatives from the workshop's spreadsheet: template, preview, all or nothing.

``columns`` knows the sheet's columns and their headings, ``sheet`` reads and checks a file
without writing, ``services`` writes a checked sheet in one transaction, ``template`` makes the
file to fill in; ``views`` and ``cli`` are thin.
"""

from flask import Blueprint

bp = Blueprint("imports", __name__, cli_group=None)

from . import cli, views  # noqa: E402,F401
