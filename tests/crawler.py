"""A small crawler for the hostile-input tests: pages from the url_map, forms and parameters
from what those pages render. Nothing here is a hand-written list of fields or parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    Committee,
    Department,
    Initiative,
    MaturityRound,
    MaturityValue,
    Principle,
    User,
)

# What no answer may contain: the payloads' markup, unescaped.
PAYLOADS = ('<i hx-get=/x id=pwn>"><svg onload=1>',)
MARKERS = ("<i hx-get=/x id=pwn>", "<svg onload=1>")

# Endpoints a crawler must not follow: they end the session it crawls with.
SKIP_ENDPOINTS = {"static", "auth.logout"}


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value)


class PageParser(HTMLParser):
    """Forms with their fields, and every URL the page names (links, htmx, form actions)."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self.urls: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        for name in ("href", "hx-get", "hx-post", "action", "src"):
            if name in a:
                self.urls.append(urljoin(self.base, a[name]))
        if tag == "form":
            method = (a.get("method") or a.get("hx-post") and "post" or "get").lower()
            if "hx-post" in a:
                method = "post"
            action = a.get("hx-post") or a.get("action") or self.base
            self._form = Form(method, urljoin(self.base, action), a.get("enctype", ""))
            self.forms.append(self._form)
            return
        target = self._form
        if tag == "input" and target is not None and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                target.fields.append((a["name"], kind + "-unchecked", a.get("value", "on")))
            else:
                target.fields.append((a["name"], kind, a.get("value", "")))
        elif tag == "button" and target is not None and a.get("name"):
            target.fields.append((a["name"], "button", a.get("value", "")))
        elif tag == "select" and target is not None and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea" and target is not None and a.get("name"):
            self._textarea = a["name"]
            target.fields.append((a["name"], "textarea", ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, kind, value = self._form.fields[-1]
            self._form.fields[-1] = (name, kind, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, "select", self._select_value or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(path: str, html: str) -> PageParser:
    parser = PageParser("http://localhost" + path)
    parser.feed(html)
    return parser


def sample_ids() -> dict[str, list[str]]:
    """A real value for each URL variable of the url_map, by its name."""

    def first(model, *where, fallback: str | None = None):
        value = db.session.scalar(select(model.id).where(*where).order_by(model.id))
        if value is None and fallback is not None:
            return [fallback]  # none made: the page's 404 is crawled
        return [str(value)] if value is not None else []

    from tracker.models import (
        AccessToken,
        Benefit,
        FrozenReport,
        MailMessage,
        ReportingPeriod,
        SsoGroupRole,
        UserIdentity,
    )

    ids = {
        "initiative_id": first(Initiative),
        "user_id": first(User, User.role != "admin"),
        "committee_id": first(Committee),
        "department_id": first(Department),
        "principle_id": first(Principle),
        "round_id": first(MaturityRound),
        "value_id": first(MaturityValue),
        "period_id": first(ReportingPeriod, fallback="1"),
        "report_id": first(FrozenReport, fallback="1"),
        "benefit_id": first(Benefit, fallback="1"),
        "token_id": first(AccessToken, fallback="1"),
        "identity_id": first(UserIdentity, fallback="1"),
        "mapping_id": first(SsoGroupRole, fallback="1"),
        "message_id": first(MailMessage, fallback="1"),
        "status": ["in_progress", "planned"],
        "filename": ["css/app.css"],
        # /public/reports/<code>[/<period_id>]: a committee's short name, and the committee and
        # period of a frozen report, so that a public report of a period is crawled
        "code": _unique(
            [
                str(c)
                for c in db.session.scalars(select(Committee.short_name).order_by(Committee.id))
            ][:1]
            + [
                str(c)
                for c in db.session.scalars(
                    select(Committee.short_name)
                    .join(FrozenReport, FrozenReport.committee_id == Committee.id)
                    .order_by(FrozenReport.id)
                    .limit(1)
                )
            ]
        ),
    }
    ids["period_id"] = _unique(
        ids["period_id"]
        + [
            str(p)
            for p in db.session.scalars(
                select(FrozenReport.period_id).order_by(FrozenReport.id).limit(1)
            )
        ]
    )
    return ids


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def rule_paths(app, method: str = "GET") -> list[tuple[str, str]]:
    """(endpoint, path) for every rule answering ``method``, variables filled with real values."""
    ids = sample_ids()
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS or method not in rule.methods:
            continue
        options = [{}]
        for name, converter in rule._converters.items():
            values = getattr(converter, "items", None) or ids.get(name, [])
            assert values, f"no sample value for <{name}> in {rule.rule}"
            options = [{**o, name: v} for o in options for v in values]
        for values in options:
            path = rule.rule
            for name, value in values.items():
                path = _fill(path, name, value)
            paths.append((rule.endpoint, path))
    return paths


def _fill(path: str, name: str, value: str) -> str:
    return re.sub(r"<(?:[^<>]*:)?" + re.escape(name) + ">", value, path, count=1)


def local_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
        return None
    return parts.path


def query_names(urls: list[str]) -> set[str]:
    names = set()
    for url in urls:
        names.update(k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True))
    return names


def unescaped(body: str) -> list[str]:
    return [marker for marker in MARKERS if marker in body]
