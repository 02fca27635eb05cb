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
from flask.globals import _cv_app
from flask_babel import Domain, get_locale
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


def _remembered_translations(domain: Domain):
    """``domain.get_translations`` that looks the catalogue up once per application context
    and locale: Flask-Babel finds the context, the locale and the catalogue anew on every
    message (about 10 µs, a tenth of a board of 120 cards). The catalogue is kept beside the
    locale Flask-Babel chose for the context (``g._flask_babel.babel_locale``) and used only
    while that is still the locale, so ``force_locale`` and ``refresh`` are obeyed."""

    def look_up():
        return type(domain).get_translations(domain)  # (as the class has it now)

    def get_translations():
        app_context = _cv_app.get(None)
        chosen = app_context.g.__dict__.get("_flask_babel") if app_context else None
        locale = getattr(chosen, "babel_locale", None)
        if locale is None:  # no context, or no locale chosen yet: Flask-Babel decides
            return look_up()
        remembered = getattr(chosen, "tracker_translations", None)
        if remembered is not None and remembered[0] is locale:
            return remembered[1]
        translations = look_up()
        chosen.tracker_translations = (locale, translations)
        return translations

    return get_translations


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories="translations",
    )
    with app.app_context():
        domain = babel.domain_instance  # one for the process, as Flask-Babel has it
    translations = getattr(domain, "tracker_remembered", None)
    if translations is None:  # (once: every application of the process shares the domain)
        translations = domain.get_translations = _remembered_translations(domain)
        domain.tracker_remembered = translations
    # Jinja's newstyle gettext (it escapes what is interpolated), straight to the catalogue.
    app.jinja_env.install_gettext_callables(
        lambda message: translations().ugettext(message),
        lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
    )

    @app.before_request
    def remember_language_choice():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"] and request.blueprint != "public":
            from .auth.sessions import LANGUAGE_CHOSEN_SIGNED_OUT

            session["lang"] = lang
            if current_user.is_authenticated:
                session.pop(LANGUAGE_CHOSEN_SIGNED_OUT, None)
            else:  # kept at the sign-in that follows (a chosen language, not the last user's)
                session[LANGUAGE_CHOSEN_SIGNED_OUT] = True

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale() or "sv"), "language_url": language_url}


def language_url(lang: str) -> str:
    """This page in another language: the same path and query string, only ``lang`` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"
