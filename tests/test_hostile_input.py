"""Hostile input everywhere: markup in every query parameter and every form field of every page,
for every role, never comes back as live markup and never gives a 5xx; hostile values for every
URL variable answer 4xx.

Pages come from the url_map; forms, fields and query parameters from what those pages render.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest

from tracker.extensions import db
from tracker.models import Decision, DecisionKind, Health, Role, Status, StatusUpdate

from . import factories
from .conftest import csrf_from
from .crawler import PAYLOADS, local_path, parse_page, query_names, rule_paths
from .crawler import unescaped as unescaped_markers
from .test_maturity import make_rounds

# The status round's rows are being rebuilt in the other half of issue 11 (its 500s on a malformed
# initiative id are fixed there); the lead removes this exclusion when merging both halves.
NOT_YET: set[str] = set()

ROLES = ["admin", "management", "committee", "limited_committee", "manager", None]


@pytest.fixture
def world(org):
    """Enough data that every page has something to show (and every form to post)."""
    limited = factories.make_user(
        Role.COMMITTEE, None, email="ks@example.se", name="Kim KS", committee=org.committees[0]
    )
    mine = factories.make_initiative(
        org.manager,
        principles=org.principles[:2],
        updates=2,
        status=Status.IN_PROGRESS,
        health=Health.AT_RISK,
        progress=40,
    )
    mine.updates[-1].support_needed = "Hjälp med upphandling"
    factories.make_initiative(org.other_manager, updates=1, status=Status.PLANNED)
    db.session.add(
        Decision(
            initiative_id=mine.id,
            author=org.management,
            kind=DecisionKind.OTHER,
            text="Bra",
            decided_on=factories.days_ago(2).date(),
            meeting="KLG",
        )
    )
    make_rounds(org)
    db.session.flush()
    # A reporting period and a benefit, so that their pages and forms are crawled too.
    from datetime import date as _date
    from decimal import Decimal as _Decimal

    from tracker.benefits import services as benefit_services
    from tracker.models import BenefitKind, Direction, Frequency
    from tracker.reports import periods
    from tracker.reports.periods import MeetingData, PeriodData

    periods.create_period(
        org.management,
        PeriodData(
            name="Tertial 3 2026",
            starts_on=_date(2026, 9, 1),
            ends_on=_date(2026, 12, 31),
            deadline=_date(2026, 12, 15),
            meetings=[MeetingData(org.committees[0].id, _date(2027, 1, 20), "KS 2026/1")],
        ),
    )
    benefit_services.create_benefit(
        org.manager,
        mine,
        benefit_services.BenefitData(
            title="Fler digitala ansökningar",
            kind=BenefitKind.RESIDENTS,
            owner_id=org.manager.id,
            indicator_name="Andel digitala ansökningar",
            unit="%",
            direction=Direction.HIGHER,
            baseline_value=_Decimal(10),
            baseline_date=_date(2025, 1, 1),
            target_value=_Decimal(60),
            target_date=_date(2027, 1, 1),
            frequency=Frequency.QUARTERLY,
        ),
    )
    db.session.commit()
    org.limited_committee = limited
    return org


def _sign_in(auth, world, role):
    if role is None:
        return
    user = world.limited_committee if role == "limited_committee" else world.user(role)
    response = auth.login(user.email)
    assert response.status_code == 302, role


class Findings:
    def __init__(self):
        self.items: list[str] = []

    def check(self, what: str, response) -> None:
        if response.status_code >= 500:
            self.items.append(f"{response.status_code} {what}")
            return
        if response.mimetype in ("text/html", "") and response.direct_passthrough is False:
            found = unescaped_markers(response.get_data(as_text=True))
            if found:
                self.items.append(f"unescaped {found} {what}")

    def call(self, what: str, send):
        try:
            response = send()
        except Exception as exc:  # noqa: BLE001 - an exception is a 500 in production
            self.items.append(f"exception {type(exc).__name__}: {exc} {what}")
            return None
        self.check(what, response)
        response.close()
        return response


def _send(send, path, data, headers=None):
    if send.__name__ == "get":
        return send(path, query_string=data, headers=headers or {})
    return send(path, data=data, headers=headers or {})


# Files, not pages: they hold no forms (the other crawls fetch them).
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".xlsx", ".csv", ".json")


def _crawl(app, client, findings, documents=True):
    """Every GET page once: its forms and the URLs it names; without the documents (the PDF is
    most of a crawl's time) when only the forms are wanted."""
    pages, forms, urls = [], [], []
    for _endpoint, path in rule_paths(app, "GET"):
        if not documents and path.endswith(DOCUMENT_SUFFIXES):
            continue
        response = findings.call(f"GET {path}", lambda p=path: client.get(p))
        if response is None or response.mimetype != "text/html":
            continue
        pages.append(path)
        parsed = parse_page(path, response.get_data(as_text=True))
        forms.extend(parsed.forms)
        urls.extend(parsed.urls)
    return pages, forms, urls


# Whether markup comes back live is the templates' doing, the same on either database; a 5xx
# from a value the database refuses is test_hostile_values' (run on both).
@pytest.mark.database_independent
@pytest.mark.parametrize("role", ROLES)
def test_markup_in_every_parameter_and_field_is_never_live(app, client, auth, world, role):
    _sign_in(auth, world, role)
    findings = Findings()
    pages, forms, urls = _crawl(app, client, findings)
    assert pages, "the crawler found no pages"
    if role == "admin":
        _the_crawler_reaches_the_pages_and_forms(pages, forms)

    # Every field of every form the pages render, one at a time with the others as rendered;
    # then all of them at once as an htmx request (which answers with a fragment).
    token_page = "/accessibility" if role else "/login"
    token = csrf_from(client.get(token_page).get_data(as_text=True))
    seen = set()
    for form in forms:
        path = local_path(form.action)
        if path is None or path == "/logout" or path in NOT_YET:
            continue
        rendered = {}
        for n, kind, value in form.fields:
            if not (kind.endswith("-unchecked") or kind in ("file", "button")):
                rendered.setdefault(n, value)
        names = [name for name, _k, _v in form.fields if name != "csrf_token"]
        send = client.post if form.method == "post" else client.get
        for payload in PAYLOADS:
            for name in names:
                if (form.method, path, name) in seen:
                    continue
                seen.add((form.method, path, name))
                data = {**rendered, name: payload, "csrf_token": token}
                findings.call(
                    f"{form.method} {path} {name}=", lambda p=path, d=data, s=send: _send(s, p, d)
                )
            if names and (form.method, path) not in seen:
                seen.add((form.method, path))
                data = {**{n: payload for n in names}, "csrf_token": token}
                findings.call(
                    f"{form.method} {path} <all>= (htmx)",
                    lambda p=path, d=data, s=send: _send(s, p, d, {"HX-Request": "true"}),
                )
        if role and client.get("/account").status_code != 200:
            _sign_in(auth, world, role)  # a form may have ended the session (e.g. a new password)
            token = csrf_from(client.get(token_page).get_data(as_text=True))

    # Every query parameter any page names: all of them at once on every page (as a page and as
    # an htmx fragment), and one at a time on each page that names it; by now the forms above
    # may also have stored the payload.
    get_forms = [f for f in forms if f.method == "get"]
    names = query_names(urls) | {n for f in get_forms for n, _k, _v in f.fields}
    if role is not None:  # signed out, only the sign-in page and its ``next`` are reachable
        assert {"committee", "department", "principle", "q"} <= names, names
    named_by = {}
    for url in urls + [f.action for f in get_forms]:
        named_by.setdefault(local_path(url), set()).update(query_names([url]))
    for f in get_forms:
        named_by.setdefault(local_path(f.action), set()).update(n for n, _k, _v in f.fields)
    for _endpoint, path in rule_paths(app, "GET"):
        for payload in PAYLOADS:
            everything = {n: payload for n in names}
            for headers in ({}, {"HX-Request": "true"}):
                response = findings.call(
                    f"GET {path}?<all>= {headers}",
                    lambda p=path, q=everything, h=headers: client.get(
                        p, query_string=q, headers=h
                    ),
                )
                if response is None or response.mimetype != "text/html":
                    break  # a download (PDF, XLSX, DOCX, CSV) or JSON is the same for htmx
            for name in sorted(named_by.get(path, ())):
                findings.call(
                    f"GET {path}?{name}=",
                    lambda p=path, n=name, v=payload: client.get(p, query_string={n: v}),
                )
    assert not findings.items, "\n".join(findings.items)


def _the_crawler_reaches_the_pages_and_forms(pages, forms):
    """The test above is only as good as what it finds: the admin reaches every kind of form.
    (Checked on the admin's crawl of that test: a crawl of its own was the same again.)"""
    actions = {local_path(f.action) for f in forms if f.method == "post"}
    for expected in ("/initiatives", "/account", "/account/password", "/admin/settings"):
        assert expected in actions, actions
    assert any(a.endswith("/updates") for a in actions), actions
    assert any(a.endswith("/decisions") for a in actions), actions
    assert len(pages) > 30
    assert StatusUpdate.query.count() >= 3


MARKUP = PAYLOADS[0]


@pytest.mark.parametrize(
    "path, heading_row, extra",
    [
        ("/admin/users/import", "namn;e-post;roll;{h}\n", {}),
        (
            "/maturity/rounds/new",
            "kategori;förmåga;fråga;frågetext;avdelning;{h}\n",
            {"name": "Mätning", "measured_on": "2020-10-15", "respondents": "10"},
        ),
    ],
)
def test_a_column_heading_in_an_import_error_is_text(client, auth, org, path, heading_row, extra):
    auth.login(org.admin.email)
    content = (heading_row.format(h=MARKUP.replace(";", "")) + "a;b;c;d;e;f\n").encode()
    token = auth.csrf_token(path)
    data = {**extra, "csrf_token": token, "file": (io.BytesIO(content), "x.csv")}
    response = client.post(path, data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "&lt;i hx-get=/x id=pwn&gt;" in html
    assert not unescaped_markers(html)


def test_the_reported_attack_deactivates_nobody(client, auth, org):
    """``?committee=<i hx-post=… hx-trigger=load>`` opened by an admin: the element is text."""
    victim = org.other_manager
    auth.login(org.admin.email)
    attack = f"<i hx-post=/admin/users/{victim.id}/deactivate hx-trigger=load>"
    for path in ("/initiatives", "/dashboard", "/board", "/exports", "/board/planned/more"):
        for headers in ({}, {"HX-Request": "true"}):
            html = client.get(path, query_string={"committee": attack}, headers=headers).get_data(
                as_text=True
            )
            assert "<i hx-post=/admin" not in html
            html = client.get("/accessibility").get_data(as_text=True)  # the flashed message
            assert "<i hx-post=/admin" not in html
    assert "&lt;i hx-post=/admin/users/" in client.get(
        "/initiatives", query_string={"department": attack}
    ).get_data(as_text=True)


def test_lazy_strings_escape_their_values_but_stay_plain_text(app):
    from flask_babel import lazy_gettext
    from markupsafe import escape

    with app.test_request_context():
        message = lazy_gettext("There is no committee with the code %(code)s.", code="<b>x</b>")
        assert "&lt;b&gt;x&lt;/b&gt;" in str(escape(message))
        assert "<b>x</b>" in str(message)  # the text itself, e.g. for a file or a log


def test_htmx_processes_no_injected_script_or_foreign_request(client, auth, org):
    auth.login(org.manager.email)
    html = client.get("/").get_data(as_text=True)
    config = json.loads(
        unescape(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    )
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    # User text and messages are outside htmx's reach even if markup ever got through.
    initiative = factories.make_initiative(org.manager, purpose="Syfte")
    db.session.commit()
    html = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert re.search(r"<dd hx-disable class=\"text\">Syfte</dd>", html)
