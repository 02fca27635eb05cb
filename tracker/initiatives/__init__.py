"""Initiatives: register, read, edit, post status updates, status round, archive."""

from flask import Blueprint

bp = Blueprint("initiatives", __name__)

from . import views  # noqa: E402,F401
