"""One URL, two renderings: a whole page for the browser, a fragment for an htmx swap."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from flask import Flask, Response, current_app, make_response, redirect, render_template
from flask_babel import get_locale
from jinja2 import Environment, Undefined
from jinja2.utils import missing
from markupsafe import Markup

from .cache import cached
from .extensions import htmx


def wants_fragment() -> bool:
    """An htmx swap, not a boosted navigation or a history restore (those need a whole page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def out_of_band(announce: str | None = None, regions: Iterable[str] = (), **context) -> Markup:
    """What an htmx answer carries besides its fragment: the flashed messages for the page's
    message region, an announcement for the screen-reader live region (both are never replaced
    themselves, so a change of their content is announced), and the other regions the change
    refreshed (templates drawn with ``oob=True``, whose root then carries ``hx-swap-oob``)."""
    drawn = [Markup(render_template(name, oob=True, **context)) for name in regions]  # noqa: S704
    # Our own template output, escaped when it was drawn.
    return Markup(render_template("_oob.html", announce=announce, oob_html=drawn))  # noqa: S704


def render(
    page_template: str,
    fragment_template: str,
    /,
    status: int = 200,
    announce: str | Callable[[], str] | None = None,
    regions: Iterable[str] = (),
    **context,
) -> Response:
    """Render the page (which includes the fragment), or only the fragment for an htmx swap,
    followed by what ``out_of_band`` adds (``announce`` may be a function, called only then)."""
    if wants_fragment():
        text = announce() if callable(announce) else announce
        # join, not +: adding Markup to a str would escape the str
        html = "".join(
            (render_template(fragment_template, **context), out_of_band(text, regions, **context))
        )
    else:
        html = render_template(page_template, **context)
    response = make_response(html)
    response.status_code = status
    response.vary.add("HX-Request")
    return response


# Template globals that carry the signed-in user or their session. A cached fragment is drawn
# without them (and without the context processors that add ``user``, ``current_user``,
# ``permissions``, ``request``), so it cannot show one user's values to another.
PER_USER_GLOBALS = frozenset(
    {
        "csrf_token",
        "csrf_meta_tag",
        "current_user",
        "user",
        "g",
        "request",
        "session",
        "get_flashed_messages",
        "config",
    }
)
_SHARED_ENV = "tracker_shared_jinja_env"


class UnknownName(Undefined):
    """A name that the context does not hold raises when used; a missing attribute or key of a
    value that is there stays as lenient as usual (``{% if r.symbol %}``)."""

    __slots__ = ()

    def _unknown(self) -> bool:
        return self._undefined_obj is missing

    def __str__(self) -> str:
        if self._unknown():
            self._fail_with_undefined_error()
        return super().__str__()

    def __bool__(self) -> bool:
        if self._unknown():
            self._fail_with_undefined_error()
        return super().__bool__()

    def __iter__(self):
        if self._unknown():
            self._fail_with_undefined_error()
        return super().__iter__()


def shared_environment(app: Flask) -> Environment:
    """The application's templates, filters and texts without any per-user global; a name it
    does not know raises instead of rendering as empty."""
    env = app.extensions.get(_SHARED_ENV)
    if env is None:
        env = app.jinja_env.overlay(undefined=UnknownName, cache_size=100)
        env.globals = {k: v for k, v in app.jinja_env.globals.items() if k not in PER_USER_GLOBALS}
        app.extensions[_SHARED_ENV] = env
    return env


def render_shared(template: str, context: dict) -> str:
    """Draw ``template`` from ``context`` alone: no context processor, no per-user global."""
    return shared_environment(current_app).get_template(template).render(context)


def render_cached(
    page_template: str,
    fragment_template: str,
    /,
    cache_key: Hashable,
    fragment_context: Callable[[], dict],
    shared: dict[str, Hashable] | None = None,
    announce: Callable[[], str] | None = None,
    cache_scope: int | None = None,
    **page_context,
) -> Response:
    """Like ``render``, for a fragment that is costly to draw and the same for everyone who shares
    ``cache_key``: its HTML comes from the figures cache while the data has not changed. The page
    places it with ``{{ fragment_html }}``.

    The fragment is drawn from an explicit context only (``render_shared``): the page context,
    ``fragment_context()``, the vocabularies and the language, and ``shared``, the values that
    differ between users (such as rights), which are part of the key too. It never sees the user.
    ``cache_scope``: the committee the fragment shows alone, or None (see ``tracker.cache``)."""
    # Imported here: tracker.templating imports the initiatives package, whose views import this.
    from .templating import shared_vocabulary

    shared = dict(shared or {})
    key = (fragment_template, str(get_locale()), cache_key, tuple(sorted(shared.items())))

    def draw() -> str:
        context = {**shared_vocabulary(), **page_context, **shared, **fragment_context()}
        return render_shared(fragment_template, context)

    html = cached(key, draw, scope=cache_scope)
    if wants_fragment():
        # The announcement counts what the fragment shows: cached beside it, never recomputed.
        text = cached((*key, "announce"), announce, scope=cache_scope) if announce else None
        response = make_response("".join((html, out_of_band(text))))
    else:
        response = make_response(
            # Our own template output, escaped when it was drawn.
            render_template(page_template, fragment_html=Markup(html), **page_context)  # noqa: S704
        )
    response.vary.add("HX-Request")
    return response


def redirect_to(url: str) -> Response:
    """A redirect that an htmx request follows as a whole-page navigation."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def trigger(response: Response, event: str) -> Response:
    response.headers["HX-Trigger"] = event
    return response
