"""One URL, two renderings: a whole page for the browser, a fragment for an htmx swap."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from flask import Response, make_response, redirect, render_template
from flask_babel import get_locale
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


def render_cached(
    page_template: str,
    fragment_template: str,
    /,
    cache_key: Hashable,
    fragment_context: Callable[[], dict],
    announce: Callable[[], str] | None = None,
    **page_context,
) -> Response:
    """Like ``render``, for a fragment that is costly to draw and the same for everyone who shares
    ``cache_key``: its HTML comes from the figures cache while the data has not changed. The page
    places it with ``{{ fragment_html }}``. The key must hold everything the fragment shows that
    differs between users (the language is added here)."""
    key = (fragment_template, str(get_locale()), cache_key)
    html = cached(
        key, lambda: render_template(fragment_template, **page_context, **fragment_context())
    )
    if wants_fragment():
        response = make_response("".join((html, out_of_band(announce() if announce else None))))
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
