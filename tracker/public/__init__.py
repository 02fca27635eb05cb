"""Open to residents: publishing initiatives, the public pages and the open data.

Two blueprints: ``publishing`` (signed in: propose, approve, withdraw, the admin's settings) and
``public`` (under ``/public``, no sign-in, no cookie, no session, never a write).
"""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")
publishing_bp = Blueprint("publishing", __name__)

from . import publishing_views, views  # noqa: E402,F401
