"""Every page in Swedish, with every text it looks up found in the Swedish catalogue.

The extraction test in test_i18n.py compares the catalogue with what pybabel finds; this one cannot
be fooled by what pybabel skips. Every GET route of the url_map that answers with HTML is rendered
for every role (and signed out), as a page and as an htmx fragment, plus the error pages and the
refused forms, while every gettext/ngettext/pgettext lookup is recorded. A lookup that the Swedish
catalogue does not have fails the test.
"""

from __future__ import annotations

import io
from datetime import date

import flask_babel
import pytest
from flask_babel import get_locale

from tracker.extensions import db
from tracker.models import DecisionKind, Status
from tracker.portfolio.decisions import DecisionData, record_decision

from . import factories
from .test_maturity import make_rounds

ROLES = ("admin", "management", "committee", "manager")
# Routes that answer with a file or JSON, not a page.
NOT_HTML = {"static", "pages.healthz", "exports.sheet", "exports.document", "maturity.template"}


class _Recording:
    """A Translations object that notes every Swedish lookup its catalogue lacks."""

    def __init__(self, translations, missing: set):
        self._t = translations
        self._missing = missing

    def _swedish(self) -> bool:
        return str(get_locale()) == "sv"

    def _note(self, key, shown) -> None:
        if self._swedish() and key not in self._t._catalog:
            self._missing.add(shown)

    def ugettext(self, string):
        self._note(string, string)
        return self._t.ugettext(string)

    gettext = ugettext

    def ungettext(self, singular, plural, num):
        self._note((singular, 0), singular)
        return self._t.ungettext(singular, plural, num)

    ngettext = ungettext

    def upgettext(self, context, string):
        self._note(f"{context}\x04{string}", string)
        return self._t.upgettext(context, string)

    pgettext = upgettext

    def unpgettext(self, context, singular, plural, num):
        self._note((f"{context}\x04{singular}", 0), singular)
        return self._t.unpgettext(context, singular, plural, num)

    npgettext = unpgettext

    def __getattr__(self, name):
        return getattr(self._t, name)


@pytest.fixture
def untranslated(monkeypatch) -> set:
    missing: set[str] = set()
    original = flask_babel.Domain.get_translations

    def recording(self):
        return _Recording(original(self), missing)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", recording)
    return missing


def test_the_recorder_notices_a_missing_translation(app, client, untranslated):
    """The recorder itself: a text that is not in the catalogue is noted, a known one is not."""
    with app.test_request_context("/?lang=sv"):
        from flask import session

        session["lang"] = "sv"
        assert flask_babel.gettext("Sign in") == "Logga in"
        flask_babel.gettext("A text no catalogue has")
        flask_babel.ngettext("%(num)d apple", "%(num)d apples", 2)
    assert untranslated == {"A text no catalogue has", "%(num)d apple"}


def _data():
    org = factories.make_org()
    it, hr, _school = org.departments
    first = factories.make_initiative(
        org.manager, principles=org.principles[:2], updates=3, status=Status.IN_PROGRESS
    )
    factories.make_initiative(org.manager, hr, updates=1, last_update_days_ago=90)
    factories.make_initiative(org.other_manager, status=Status.IDEA)
    first.co_owners.append(org.other_manager)
    record_decision(
        org.management,
        first,
        DecisionData(
            decided_on=date.today(), meeting="KLG", kind=DecisionKind.SUPPORT, text="Stöd"
        ),
    )
    latest, _old = make_rounds(org)
    from decimal import Decimal

    from tracker.benefits import services as benefit_services
    from tracker.models import BenefitKind, Direction, Frequency
    from tracker.reports import periods

    periods.create_period(
        org.management,
        periods.PeriodData("Tertial 3", date(2026, 9, 1), date(2026, 12, 31), date(2026, 12, 15)),
    )
    benefit_services.create_benefit(
        org.manager,
        first,
        benefit_services.BenefitData(
            title="Fler digitala ansökningar",
            kind=BenefitKind.RESIDENTS,
            owner_id=org.manager.id,
            indicator_name="Andel digitala ansökningar",
            unit="%",
            direction=Direction.HIGHER,
            baseline_value=Decimal(10),
            baseline_date=date(2025, 1, 1),
            target_value=Decimal(60),
            target_date=date(2027, 1, 1),
            frequency=Frequency.QUARTERLY,
        ),
    )
    db.session.commit()
    return org, first, latest


def _arguments(rule, org, initiative, round_) -> list[dict]:
    values = {
        "initiative_id": [initiative.id],
        "committee_id": [org.committees[0].id],
        "department_id": [org.departments[0].id],
        "principle_id": [org.principles[0].id],
        "user_id": [org.manager.id, org.admin.id],
        "round_id": [round_.id],
        "value_id": [round_.values[0].id],
        "status": [s.value for s in Status],
    }
    # Records of the later features: their first one, or an id whose 404 page is checked.
    from tracker.models import AccessToken, Benefit, FrozenReport, ReportingPeriod, SsoGroupRole

    for name, model in (
        ("period_id", ReportingPeriod),
        ("report_id", FrozenReport),
        ("benefit_id", Benefit),
        ("token_id", AccessToken),
        ("mapping_id", SsoGroupRole),
        ("identity_id", None),
    ):
        found = db.session.scalar(db.select(model.id).limit(1)) if model is not None else None
        values[name] = [found or 1]
    names = sorted(rule.arguments)
    if any(name not in values for name in names):  # e.g. a file's extension: not a page
        return []
    combos = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in values[name]]
    return combos


def _get_routes(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_HTML
    ]


# Which texts a page looks up is the templates' and the views' business, whatever the database
# (every page is rendered on PostgreSQL too, by test_hostile_values and the API crawl).
@pytest.mark.database_independent
def test_every_page_is_swedish_for_every_role(app, client, auth, untranslated):
    org, initiative, round_ = _data()
    urls = set()
    with app.test_request_context():
        from flask import url_for

        for rule in _get_routes(app):
            for arguments in _arguments(rule, org, initiative, round_):
                urls.add(url_for(rule.endpoint, **arguments))
    # Pages with something chosen, sorted or refused.
    urls |= {
        "/initiatives?status=in_progress&sort=-title&q=e",
        "/initiatives?stale=1",
        "/board?present=1",
        "/dashboard?committee=KS",
        "/admin/users?role=manager&q=a",
        "/admin/audit?action=auth.login",
        "/maturity/?department=IT&sort=question",
        "/no-such-page",
        "/initiatives/99999",
    }
    seen = []
    for role in (None, *ROLES):
        if role:
            auth.login(org.user(role).email)
        for url in sorted(urls):
            separator = "&" if "?" in url else "?"
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(f"{url}{separator}lang=sv", headers=headers)
                assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
                seen.append(url)
        # A refused form: every form's error texts.
        if role:
            token = auth.csrf_token("/accessibility")
            for url in (
                "/account/password",
                "/initiatives",
                "/admin/users/new",
                "/initiatives/round",
                f"/initiatives/{initiative.id}/decisions",
                f"/initiatives/{initiative.id}/updates",
                "/admin/departments/new",
                "/admin/principles/new",
                "/admin/settings",
            ):
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.post(url, data={"csrf_token": token}, headers=headers)
                    assert response.status_code < 500, f"POST {url} as {role}"
            if role == "admin":  # an import preview with a bad row and one with a good one
                for content in (
                    b"namn;e-post;roll;avdelning\nDora;dora@x.se;manager;XYZ\n",
                    b"namn;e-post;roll;avdelning\nEva;eva@x.se;manager;IT\n",
                ):
                    response = client.post(
                        "/admin/users/import",
                        data={"csrf_token": token, "file": (io.BytesIO(content), "u.csv")},
                        content_type="multipart/form-data",
                    )
                    assert response.status_code < 500
            auth.logout()
        client.post("/login", data={"email": "x"})  # no CSRF token: the 400 page
    assert len(seen) > 100
    assert not untranslated, f"texts without a Swedish translation: {sorted(untranslated)}"
