"""One URL, two renderings: a whole page for the browser, a fragment for an htmx swap."""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template

from .extensions import htmx


def wants_fragment() -> bool:
    """An htmx swap, not a boosted navigation or a history restore (those need a whole page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page_template: str, fragment_template: str, /, status: int = 200, **context) -> Response:
    """Render the page (which includes the fragment), or only the fragment for an htmx swap."""
    template = fragment_template if wants_fragment() else page_template
    response = make_response(render_template(template, **context))
    response.status_code = status
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
