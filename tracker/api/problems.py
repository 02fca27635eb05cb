"""Errors as RFC 9457 problem details (``application/problem+json``) in the user's language."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

# Problem types are documented on the API's documentation page, one anchor each.
PROBLEM_TYPE = "/api/v1/docs#problem-"
CONTENT_TYPE = "application/problem+json"

API_MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("The request could not be read. Send valid JSON with Content-Type application/json."),
    ),
    401: (
        _l("Authentication required"),
        _l(
            "Send a personal access token in the Authorization header: "
            "“Authorization: Bearer ipf_…”. Make one in My account."
        ),
    ),
    403: (
        _l("You do not have access"),
        _l("Your role or your token's scope does not allow this."),
    ),
    404: (_l("Not found"), _l("There is no such resource, or it is outside what you may read.")),
    405: (_l("Method not allowed"), _l("This resource cannot be used with this method.")),
    406: (_l("Not acceptable"), _l("The API answers in JSON.")),
    415: (_l("Unsupported media type"), _l("Send the body as application/json.")),
    422: (_l("Check what you sent"), _l("Some of the parameters or fields could not be used.")),
    429: (
        _l("Too many requests"),
        _l("You have sent too many requests in a short time. Wait and try again."),
    ),
}

SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "rate-limited",
    500: "server-error",
    503: "unavailable",
}


def is_api_request() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/")


def problem(
    status: int,
    *,
    title=None,
    detail=None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
):
    default_title, default_detail = API_MESSAGES.get(status) or MESSAGES.get(status, MESSAGES[500])
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + SLUGS.get(status, str(status)),
        "title": str(title or default_title),
        "status": status,
        "detail": str(detail or default_detail),
        "instance": request.path,
    }
    if errors:
        body["errors"] = [{"field": e["field"], "message": str(e["message"])} for e in errors]
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=CONTENT_TYPE
    )
    response.headers["Content-Language"] = _locale()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "sv")


def flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """webargs/marshmallow messages ({"json": {"progress": ["..."]}}) as a flat list."""
    found: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "querystring", "headers", "form") and not prefix:
                found += flatten(value, "")
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
                found += flatten(value, name)
    elif isinstance(messages, list | tuple):
        if all(not isinstance(m, dict | list | tuple) for m in messages):
            found += [{"field": prefix or "body", "message": str(m)} for m in messages]
        else:
            for value in messages:
                found += flatten(value, prefix)
    else:
        found.append({"field": prefix or "body", "message": str(messages)})
    return found
