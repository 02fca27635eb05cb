"""Mitt konto: every user's own name, language, password and recent sign-ins."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from . import tokens, views  # noqa: E402,F401
from .views import require_password_change  # noqa: E402

bp.before_app_request(require_password_change)
