"""Hostile values for every URL variable and every query parameter answer 4xx (or the page),
never a 5xx: ids and offsets past 64 bits, negative, huge, non-numeric; extreme dates."""

from __future__ import annotations

import pytest
from werkzeug.routing.converters import NumberConverter

from tracker.admin.services.audit_log import PER_PAGE as AUDIT_PER_PAGE
from tracker.admin.services.users import PER_PAGE as USERS_PER_PAGE
from tracker.extensions import db
from tracker.initiatives.listing import PER_PAGE as LIST_PER_PAGE
from tracker.models import AuditEvent, Role, Status
from tracker.portfolio.board import CARDS_PER_COLUMN

from . import factories
from .crawler import local_path, parse_page, query_names, rule_paths
from .test_hostile_input import Findings, _crawl, _sign_in, world  # noqa: F401 - a fixture

HOSTILE_NUMBERS = [
    str(2**63),
    str(2**63 - 1),
    str(2**64),
    str(2**31),
    "9" * 40,
    "-1",
    "0",
    "00",
    "1e999",
    "abc",
    "１２",  # full-width digits
]
HOSTILE_VALUES = [
    str(2**63),
    "9" * 40,
    "-1",
    "1e999",
    "１２",
    "²",  # a digit to str.isdigit(), not to int()
    "0001-01-01",
    "9999-12-31",
    "\x00",
    "a\r\nb",
    "x" * 5000,
]
# What the database itself judges: values PostgreSQL refuses where SQLite takes them (text past
# a column's length, NUL), numbers past 64 bits (each database's own error) and the ends of the
# calendar. The other values are judged by the application's own parsing and validators, the
# same code on either database: on PostgreSQL the form and query tests send only these, and
# the whole set on SQLite.
DATABASE_VALUES = [str(2**63), "9" * 40, "0001-01-01", "9999-12-31", "\x00", "x" * 5000]
assert set(DATABASE_VALUES) <= set(HOSTILE_VALUES)


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _variable_paths(app):
    """Every rule with a number in its path, that number replaced by each hostile value."""
    for rule in app.url_map.iter_rules():
        numbers = [n for n, c in rule._converters.items() if isinstance(c, NumberConverter)]
        if not numbers:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for value in HOSTILE_NUMBERS:
                path = rule.rule
                for name in rule._converters:
                    path = _replace(path, name, value if name in numbers else "in_progress")
                yield method, path


def _replace(path, name, value):
    import re

    return re.sub(r"<(?:[^<>]*:)?" + re.escape(name) + ">", value, path, count=1)


@pytest.mark.parametrize("role", ["admin", "manager", "committee"])
def test_hostile_numbers_in_every_url_variable(app, client, auth, world, role):  # noqa: F811
    _sign_in(auth, world, role)
    findings = Findings()
    from .conftest import csrf_from

    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    paths = list(_variable_paths(app))
    assert len(paths) > 100
    for method, path in paths:
        if method == "GET":
            response = findings.call(f"GET {path}", lambda p=path: client.get(p))
        else:
            response = findings.call(
                f"POST {path}", lambda p=path: client.post(p, data={"csrf_token": token})
            )
        if response is not None and response.status_code not in (400, 403, 404, 405, 422, 500):
            findings.items.append(f"{response.status_code} {method} {path}")
    assert not findings.items, "\n".join(findings.items)


@pytest.fixture
def crowded(world):  # noqa: F811
    """More than a page of everything, so that pages show their paging parameters."""
    for _ in range(max(CARDS_PER_COLUMN, LIST_PER_PAGE) + 1):  # the board and the list page
        factories.make_initiative(world.manager, status=Status.IN_PROGRESS)
    for _ in range(USERS_PER_PAGE + 1):
        factories.make_user(Role.MANAGER, world.departments[1])
    db.session.add_all(AuditEvent(action="test.event") for _ in range(AUDIT_PER_PAGE + 1))
    db.session.commit()
    return world


# The roles whose pages read query parameters of their own; one pass over them, in turn.
QUERY_ROLES = ["admin", "manager"]


def test_hostile_values_in_every_query_parameter(app, client, auth, crowded):
    """Every query parameter of every page, for each role in turn, gets hostile values (see
    ``hostile_value_plan``): a parameter gets every value on the first page that reads it, for
    whichever role meets it first, and a few on every other page and for the other role (the
    parameters are read by shared helpers whoever asks)."""
    findings = Findings()
    seen: set[str] = set()
    offset = 0
    for role in QUERY_ROLES:
        _sign_in(auth, crowded, role)
        _pages, forms, urls = _crawl(app, client, findings, documents=False)
        get_forms = [f for f in forms if f.method == "get"]
        names = query_names(urls) | {n for f in get_forms for n, _k, _v in f.fields}
        expected = {"page", "offset"} | ({"date_from", "date_to"} if role == "admin" else set())
        assert expected <= names, (role, names)
        named_by = {}
        for url in urls + [f.action for f in get_forms]:
            named_by.setdefault(local_path(url), set()).update(query_names([url]))
        for f in get_forms:
            named_by.setdefault(local_path(f.action), set()).update(n for n, _k, _v in f.fields)
        pairs = [
            (path, name)
            for _endpoint, path in rule_paths(app, "GET")
            for name in sorted(named_by.get(path, ()))
        ]
        values = DATABASE_VALUES if _on_postgresql() else HOSTILE_VALUES
        plan = hostile_value_plan(pairs, values, seen=seen, offset=offset)
        offset += len(pairs)
        assert {(path, name) for path, name, _values in plan} == set(pairs)
        for path, name, tried in plan:
            for value in tried:
                findings.call(
                    f"{role}: GET {path}?{name}={value[:20]!r}",
                    lambda p=path, n=name, v=value: client.get(p, query_string={n: v}),
                )
    assert not findings.items, "\n".join(findings.items)


# Every page gets each of its query parameters with this many of the hostile values.
VALUES_PER_PAIR = 3


def hostile_value_plan(
    pairs: list[tuple[str, str]],
    values: list[str] = HOSTILE_VALUES,
    *,
    seen: set[str] | None = None,
    offset: int = 0,
) -> list[tuple[str, str, list[str]]]:
    """(page, parameter, values) for every (page, parameter) pair: a parameter gets every hostile
    value on the first page that reads it, and a few of them, in turn, on each other page, so
    that every pair is tried and, across a page's parameters, every value comes round. (Every
    value on every page that reads a parameter was thousands of requests, the same code paths
    again and again: the parameters are read by shared helpers.) ``seen`` and ``offset`` carry
    the plan on from an earlier role's pairs."""
    return rotation_plan(pairs, values, VALUES_PER_PAIR, seen=seen, offset=offset)


def rotation_plan(
    pairs: list[tuple[str, str]],
    probes: list,
    per_pair: int,
    *,
    seen: set[str] | None = None,
    offset: int = 0,
) -> list[tuple]:
    """(place, name, probes) for every (place, name) pair: a name gets every probe at the first
    place that has it, and ``per_pair`` of them, in turn, at every other place. A plan carried
    on from earlier pairs (another role's) passes their names in ``seen`` (added to here) and
    their number as ``offset``, so that the turn goes on where they left it."""
    plan = []
    seen = set() if seen is None else seen
    for index, (place, name) in enumerate(pairs, start=offset):
        if name in seen:
            start = index * per_pair
            tried = [probes[(start + k) % len(probes)] for k in range(per_pair)]
        else:
            seen.add(name)
            tried = list(probes)
        plan.append((place, name, tried))
    return plan


def test_the_hostile_value_plan_tries_every_pair_and_every_value():
    pairs = [(f"/p{p}", f"n{n}") for p in range(6) for n in range(5)]
    plan = hostile_value_plan(pairs)
    assert [(path, name) for path, name, _v in plan] == pairs
    for name in {n for _p, n in pairs}:
        first = next(values for _p, n, values in plan if n == name)
        assert first == HOSTILE_VALUES, name  # every value on one page for each parameter
    for path in {p for p, _n in pairs}:  # five parameters: every value comes round on each page
        tried = [v for p, _n, values in plan if p == path for v in values]
        assert set(tried) == set(HOSTILE_VALUES), path
    for _p, _n, values in plan:
        assert len(set(values)) >= VALUES_PER_PAIR
    assert sum(len(values) for *_pn, values in plan) < len(pairs) * len(HOSTILE_VALUES) / 2


def test_audit_log_with_extreme_dates(client, auth, org):
    auth.login(org.admin.email)
    for value in ("0001-01-01", "9999-12-31"):
        for name in ("date_from", "date_to"):
            response = client.get("/admin/audit", query_string={name: value})
            assert response.status_code in (200, 400), (name, value)
    assert parse_page  # the crawler module is shared with test_hostile_input


def test_nul_in_a_query_is_a_bad_request_on_every_database(client, auth, org):
    auth.login(org.management.email)
    for query in ("q=%00", "committee=K%00S", "department=%00", "page=1%00"):
        assert client.get(f"/initiatives?{query}").status_code == 400, query


# Raw form bodies: bytes no UTF-8 decoder reads (an overlong "/", a lone continuation byte).
RAW_FORM_VALUES = ["%C0%AF", "%FF", "%ED%A0%80"]
FORM_VALUES = HOSTILE_VALUES + ["0000-00-00", "-" + str(2**63), " "]


# What a form field gets: each hostile value, a list of two, and bytes that are no UTF-8.
FORM_PROBES = (
    [("value", v) for v in FORM_VALUES]
    + [("list", (FORM_VALUES[0], FORM_VALUES[-2]))]
    + [("raw", r) for r in RAW_FORM_VALUES]
)
# On PostgreSQL: the values the database judges (see DATABASE_VALUES), and a number below -2⁶³.
DATABASE_PROBES = [("value", v) for v in [*DATABASE_VALUES, "-" + str(2**63)]]
assert set(DATABASE_PROBES) <= set(FORM_PROBES)
# A field name met again on another form gets this many of the probes, in turn.
PROBES_PER_FIELD = 5


def hostile_form_plan(
    pairs: list[tuple[str, str]],
    probes: list[tuple] = FORM_PROBES,
    *,
    seen: set[str] | None = None,
    offset: int = 0,
) -> list[tuple[str, str, list[tuple]]]:
    """(form, field, probes) for every (form, field) pair: a field name gets every probe on the
    first form that has it and a few, in turn, on every other form, so that every pair is tried
    and every probe comes round (as with the query parameters: the fields of one name are read
    by shared validators, and every probe on every field was 3,600 requests a role). ``seen``
    and ``offset`` carry the plan on from an earlier role's pairs."""
    return rotation_plan(pairs, probes, PROBES_PER_FIELD, seen=seen, offset=offset)


def test_the_hostile_form_plan_tries_every_pair_and_every_probe():
    pairs = [(f"/f{f}", f"n{n}") for f in range(8) for n in range(4)]
    plan = hostile_form_plan(pairs)
    assert [(form, name) for form, name, _p in plan] == pairs
    for name in {n for _f, n in pairs}:
        first = next(probes for _f, n, probes in plan if n == name)
        assert first == FORM_PROBES, name
        tried = {probe for _f, n, probes in plan if n == name for probe in probes}
        assert tried == set(FORM_PROBES), name
    assert all(len(set(probes)) == len(probes) for *_fn, probes in plan)
    # Carried on over two roles' pairs, the plan is the one for all of them at once: a name
    # the first role met gets only its turn from the second.
    seen: set[str] = set()
    first_role = hostile_form_plan(pairs[:12], seen=seen)
    second_role = hostile_form_plan(pairs[12:], seen=seen, offset=12)
    assert first_role + second_role == plan
    assert all(len(probes) == PROBES_PER_FIELD for *_fn, probes in second_role)


# The roles whose forms the crawl posts, in turn (a committee reader has no form of its own).
FORM_ROLES = ["admin", "management", "manager"]


def test_hostile_values_in_every_form_field(app, client, auth, world):  # noqa: F811
    """Every field of every form, for each role in turn, gets hostile values (also as a list of
    two, and as bytes that are no UTF-8; see ``hostile_form_plan``), the others as rendered:
    never a 5xx. A form is its endpoint: the same form on another initiative is the same code.
    A field name gets every probe at the first form that has it, for whichever role meets it
    first, and a few on every other form and for every other role. On PostgreSQL, the values
    the database judges (``DATABASE_PROBES``)."""
    findings = Findings()
    seen: set[str] = set()
    offset = 0
    for role in FORM_ROLES:
        offset += _post_hostile_values(app, client, auth, world, role, findings, seen, offset)
    assert not findings.items, "\n".join(findings.items)


def _post_hostile_values(app, client, auth, world, role, findings, seen, offset) -> int:  # noqa: F811
    """One role's part of ``test_hostile_values_in_every_form_field``; the number of its
    (form, field) pairs."""
    from urllib.parse import quote

    from .conftest import csrf_from

    _sign_in(auth, world, role)
    _pages, forms, _urls = _crawl(app, client, findings, documents=False)
    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    adapter = app.url_map.bind("localhost")
    posted = []  # (form, path, rendered values, field name), once per endpoint and field
    pairs_seen = set()
    for form in forms:
        path = local_path(form.action)
        if path is None or path == "/logout" or form.method != "post":
            continue
        endpoint = adapter.match(path, method="POST")[0]
        rendered = {}
        for n, kind, value in form.fields:
            if not (kind.endswith("-unchecked") or kind in ("file", "button")):
                rendered.setdefault(n, value)
        for name in [n for n, _k, _v in form.fields if n != "csrf_token"]:
            if (endpoint, name) not in pairs_seen:
                pairs_seen.add((endpoint, name))
                posted.append((endpoint, path, rendered, name))
    assert len(posted) > 20, (role, len(posted))
    probes = DATABASE_PROBES if _on_postgresql() else FORM_PROBES
    plan = hostile_form_plan(
        [(endpoint, name) for endpoint, _p, _r, name in posted], probes, seen=seen, offset=offset
    )
    for (_endpoint, path, rendered, name), (_e, _n, tried) in zip(posted, plan, strict=True):
        for kind, value in tried:
            if kind == "raw":
                others = {k: v for k, v in rendered.items() if k != name}
                body = "&".join(f"{quote(k)}={quote(v)}" for k, v in others.items())
                body += f"&csrf_token={token}&{quote(name)}={value}"
                findings.call(
                    f"{role}: POST {path} {name}={value}",
                    lambda p=path, b=body: client.post(
                        p, data=b, content_type="application/x-www-form-urlencoded"
                    ),
                )
                continue
            data = {**rendered, name: list(value) if kind == "list" else value}
            data["csrf_token"] = token
            findings.call(
                f"{role}: POST {path} {name}={str(value)[:20]!r}",
                lambda p=path, d=data: client.post(p, data=d),
            )
        if client.get("/account").status_code != 200:
            _sign_in(auth, world, role)
            token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    return len(posted)
