"""Benefits realisation (nyttorealisering): each initiative's benefits with an indicator from a
baseline to a target, append-only measurements that go on after delivery, and the overview."""

from flask import Blueprint

bp = Blueprint("benefits", __name__)

from . import views  # noqa: E402,F401
