"""Page links for every list: ``first``, ``last``, ``next`` and ``prev`` in the body and in a
``Link`` header (RFC 8288), and ``total`` so that a client knows how many there are."""

from __future__ import annotations

from math import ceil
from typing import Any

from flask import g, request, url_for


def page_body(items: list, total: int, page: int, per_page: int) -> dict[str, Any]:
    pages = max(1, ceil(total / per_page))

    def link(number: int | None) -> str | None:
        if number is None:
            return None
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        args["per_page"] = [str(per_page)]
        return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)

    links = {
        "self": link(page),
        "first": link(1),
        "last": link(pages),
        "next": link(page + 1) if page < pages else None,
        "prev": link(min(page - 1, pages)) if page > 1 else None,
    }
    g.api_link_header = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
    )
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "links": {"self_": links["self"], **{k: v for k, v in links.items() if k != "self"}},
    }
