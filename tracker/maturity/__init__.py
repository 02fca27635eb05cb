"""Digital maturity (DiMiOS): the measurement rounds, what changed between them, and the
initiatives that work on the weak areas. Everyone signed in reads; only admins record rounds."""

from flask import Blueprint

bp = Blueprint("maturity", __name__, url_prefix="/maturity")

from . import views  # noqa: E402,F401
