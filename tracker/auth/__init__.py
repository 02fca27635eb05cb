"""Signing in and out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import oidc_views, views  # noqa: E402,F401
