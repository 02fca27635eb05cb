"""How each operation is described: its summary and description, its success, 304 for reads,
and problems. Every text is English and marked with ``N_`` (see ``doc_text``)."""

from __future__ import annotations

from . import bp
from .doc_text import N_
from .problems import CONTENT_TYPE
from .schemas import ProblemSchema

ERRORS_READ = (400, 401, 404, 422, 429)
ERRORS_WRITE = (400, 401, 403, 404, 409, 413, 415, 422, 429)

DESCRIPTIONS = {
    400: N_("The request could not be read, e.g. a body that is not JSON."),
    401: N_("No token, or one that is malformed, unknown, expired or revoked."),
    403: N_("The token's scope or the user's role does not allow this."),
    404: N_("No such resource, or outside what the user may read."),
    409: N_("The initiative has changed since the given version or ETag; `current` holds it now."),
    413: N_("The body is too large."),
    415: N_("The body was not sent as JSON (`Content-Type: application/json`)."),
    422: N_("A parameter or field is invalid; `errors` names each one."),
    429: N_("Rate limit reached; see `Retry-After`."),
}

# The success answers' descriptions: the reason phrases flask-smorest would give by itself.
SUCCESS = {200: N_("OK"), 201: N_("Created")}
NOT_MODIFIED = N_("Not modified (If-None-Match matched the ETag).")

# The ids in the paths, described once for every operation that has them.
PATH_PARAMETERS = {
    "initiative_id": N_("The initiative's id (`id` in the list)."),
    "benefit_id": N_("The benefit's id (`id` in the list of benefits)."),
    "period_id": N_("The reporting period's id (`id` in the list of periods)."),
    "report_id": N_("The frozen report's id (`id` in the list of reports)."),
}


def path_parameters(*names: str) -> list[dict]:
    """The descriptions of a route's ids, for its ``parameters``: flask-smorest adds each one's
    type and ``required`` from the rule itself."""
    return [{"in": "path", "name": name, "description": PATH_PARAMETERS[name]} for name in names]


def described(summary: str, *paragraphs: str):
    """The operation's summary and the paragraphs of its description, each written with ``N_``
    (in place of a docstring, which the catalogue cannot hold)."""
    doc = {"summary": summary}
    if paragraphs:
        doc["description"] = "\n\n".join(paragraphs)
    return bp.doc(**doc)


def documented(schema, errors, status: int = 200, conditional: bool = True):
    def decorator(view):
        headers = {}
        if conditional:
            headers["ETag"] = {"schema": {"type": "string"}, "description": "Entity tag."}
        wrapped = bp.response(status, schema, description=SUCCESS[status], headers=headers or None)(
            view
        )
        if conditional:
            wrapped = bp.alt_response(304, description=NOT_MODIFIED, success=True)(wrapped)
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
