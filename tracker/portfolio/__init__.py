"""The portfolio as a whole: dashboard and board."""

from flask import Blueprint

bp = Blueprint("portfolio", __name__)

from . import views  # noqa: E402,F401
