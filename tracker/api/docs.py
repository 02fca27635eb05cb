"""The API's documentation page, drawn on the server from the OpenAPI description.

The description is English (it is the machine contract, see ``doc_text``); the page shows each
of its texts in the reader's language, looked up in the catalogue as it is drawn.

No JavaScript viewer and no CDN: the page is plain HTML with the product's own stylesheet, so it
works under the strict Content-Security-Policy and with a screen reader. It needs no sign-in (it
holds no data) and, being under /api/, sets no cookie.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from . import doc_text
from .doc_text import N_

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")
# Where a parameter goes (OpenAPI's "in"), in the reader's language on the page.
PLACES = {
    "query": N_("query"),
    "path": N_("path"),
    "header": N_("header"),
    "cookie": N_("cookie"),
}
_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"\*([^*]+)\*")


def inline(text: str | None) -> Markup:
    """Escape, then show `code` and *emphasis* of the description's Markdown."""
    html = str(escape(text or ""))
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _EMPHASIS.sub(r"<em>\1</em>", html)
    return Markup(html)  # noqa: S704 - built from escaped text


def paragraphs(text: str | None) -> list[Markup]:
    """A description's paragraphs in the reader's language, as HTML."""
    return [inline(" ".join(p.split())) for p in doc_text.paragraphs(text)]


def described(text: str | None) -> Markup:
    """A one-paragraph description in the reader's language, as HTML."""
    return inline(doc_text.translated(text))


def _resolve(spec: dict, node: dict | None) -> dict:
    while node and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = spec["components"]["schemas"].get(name, {})
    return node or {}


# JSON's types and OpenAPI's formats as the page names them, in the reader's language; the
# description itself keeps JSON's names (a schema's name and an enum's values are codes, as sent).
TYPE_NAMES = {
    "string": N_("string"),
    "integer": N_("integer"),
    "number": N_("number"),
    "boolean": N_("boolean"),
    "object": N_("object"),
    "null": N_("null"),
}
FORMAT_NAMES = {
    "date": N_("date"),
    "date-time": N_("date and time"),
}


def _named(names: dict[str, str], key: str) -> str:
    return doc_text.translated(names[key]) if key in names else key


def _code(text) -> Markup:
    return Markup("<code>%s</code>") % text


def type_of(spec: dict, node: dict) -> Markup:
    """A schema's type as the page shows it: JSON's type in the reader's language, with what is
    sent as it is (a schema's name, an enum's values) as code."""
    if "$ref" in node:
        return _code(node["$ref"].rsplit("/", 1)[-1])
    kind = node.get("type", "")
    if kind == "array":
        of = type_of(spec, node.get("items", {}))
        return escape(doc_text.translated(N_("array of %(type)s"))) % {"type": of}
    if isinstance(kind, list):
        names = [_named(TYPE_NAMES, k) for k in kind if k != "null"]
        label = " | ".join(names + ([_named(TYPE_NAMES, "null")] if "null" in kind else []))
    else:
        label = _named(TYPE_NAMES, kind) if kind else ""
    if node.get("enum"):
        values = [_code(v) for v in node["enum"] if v is not None]
        return escape(label) + Markup(": ") + Markup(", ").join(values)
    if node.get("format"):
        return escape(f"{label} ({_named(FORMAT_NAMES, node['format'])})")
    return escape(label or _named(TYPE_NAMES, "object"))


def fields_of(spec: dict, schema: dict) -> list[dict[str, Any]]:
    schema = _resolve(spec, schema)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": type_of(spec, prop),
            "required": name in required,
            "description": described(prop.get("description")),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def operations(spec: dict) -> list[dict[str, Any]]:
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                {
                    "name": p["name"],
                    "in": doc_text.translated(PLACES.get(p["in"], p["in"])),
                    "required": p.get("required", False),
                    "type": type_of(spec, p.get("schema", {})),
                    "description": described(p.get("description")),
                }
                for p in [*item.get("parameters", []), *op.get("parameters", [])]
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            responses = [
                {
                    "code": code,
                    "description": described(r.get("description")),
                    "type": Markup(", ").join(
                        _code(ctype) + Markup(": ") + type_of(spec, c.get("schema", {}))
                        for ctype, c in r.get("content", {}).items()
                    ),
                }
                for code, r in op.get("responses", {}).items()
            ]
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": described(op.get("summary")),
                    "description": paragraphs(op.get("description")),
                    "parameters": params,
                    "body": fields_of(spec, body["schema"]) if body else None,
                    "responses": sorted(responses, key=lambda r: str(r["code"])),
                }
            )
    return found


@bp.get("/api/v1/docs")
def page():
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = api.spec.to_dict()
    schemas = [
        {"name": name, "fields": fields_of(spec, schema)}
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]
    from .problems import API_MESSAGES, MESSAGES, SLUGS

    problems = [
        {
            "slug": slug,
            "status": status,
            "title": (API_MESSAGES.get(status) or MESSAGES.get(status, MESSAGES[500]))[0],
            "detail": (API_MESSAGES.get(status) or MESSAGES.get(status, MESSAGES[500]))[1],
        }
        for status, slug in sorted(SLUGS.items())
    ]
    return render_template(
        "api/docs.html",
        problems=problems,
        spec=spec,
        intro=paragraphs(spec["info"].get("description")),
        operations=operations(spec),
        schemas=schemas,
    )
