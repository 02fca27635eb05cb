"""Language: Swedish by default, English on request, chosen per session with ``?lang=``.

Translated messages escape what is interpolated into them, everywhere:

- in templates, ``_()`` and ``ngettext()`` are Jinja's newstyle gettext, which escapes each
  value under autoescaping;
- in Python, ``gettext`` returns a plain ``str``, which Jinja escapes whole;
- Flask-Babel's lazy strings (``lazy_gettext``, ``lazy_ngettext``, …) declared themselves safe
  HTML (``LazyString.__html__`` returned the formatted text as it was), so a value in
  ``_l(…, code=value)`` with markup in the value became live markup. :func:`_lazy_html` makes them
  as safe as a plain string: the whole text, values included, is escaped. Messages are plain
  text (no translation holds markup), so escaping the text changes nothing a user reads.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from .extensions import babel


def _lazy_html(self: LazyString) -> str:
    return escape(str(self))


# The one place where lazy strings stop vouching for whatever was interpolated into them.
LazyString.__html__ = _lazy_html


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    # The API has no session: Accept-Language, else the token user's language (tracker.api.auth).
    if g.get("api_locale") in languages:
        return g.api_locale
    if request.blueprint == "public":
        # The public pages keep no session: the language comes from the query string only.
        lang = request.args.get("lang")
        return lang if lang in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories="translations",
    )

    @app.before_request
    def remember_language_choice():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"] and request.blueprint != "public":
            session["lang"] = lang

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale() or "sv"), "language_url": language_url}


def language_url(lang: str) -> str:
    """This page in another language: the same path and query string, only ``lang`` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"
