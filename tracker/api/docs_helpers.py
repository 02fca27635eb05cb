"""How each operation's responses are described: its success, 304 for reads, and problems."""

from __future__ import annotations

from . import bp
from .problems import CONTENT_TYPE
from .schemas import ProblemSchema

ERRORS_READ = (400, 401, 404, 422, 429)
ERRORS_WRITE = (400, 401, 403, 404, 409, 413, 422, 429)

DESCRIPTIONS = {
    400: "The request could not be read, e.g. a body that is not JSON.",
    401: "No token, or one that is malformed, unknown, expired or revoked.",
    403: "The token's scope or the user's role does not allow this.",
    404: "No such resource, or outside what the user may read.",
    409: "The initiative has changed since the given version or ETag; `current` holds it now.",
    413: "The body is too large.",
    422: "A parameter or field is invalid; `errors` names each one.",
    429: "Rate limit reached; see `Retry-After`.",
}


def documented(schema, errors, status: int = 200, conditional: bool = True):
    def decorator(view):
        headers = {}
        if conditional:
            headers["ETag"] = {"schema": {"type": "string"}, "description": "Entity tag."}
        wrapped = bp.response(status, schema, headers=headers or None)(view)
        if conditional:
            wrapped = bp.alt_response(
                304, description="Not modified (If-None-Match matched the ETag).", success=True
            )(wrapped)
        return problems(errors)(wrapped)

    return decorator


def problems(errors):
    """The problem answers an operation may give, each described as problem details."""

    def decorator(view):
        for code in errors:
            view = bp.alt_response(
                code,
                schema=ProblemSchema,
                content_type=CONTENT_TYPE,
                description=DESCRIPTIONS[code],
            )(view)
        return view

    return decorator
