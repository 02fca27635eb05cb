"""The start page, the accessibility statement, the icon and the health check."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from . import views  # noqa: E402,F401
