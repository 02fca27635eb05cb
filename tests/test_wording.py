"""Wording a Swedish civil servant would use, one date style, month names, and lang="sv" marks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import refresh

from tracker.models import DecisionKind, Health, Status
from tracker.templating import age_text, iso_date, iso_datetime, month_name, text_date

from . import factories

PO = Path(__file__).resolve().parent.parent / "tracker/translations/sv/LC_MESSAGES/messages.po"


def _swedish_strings() -> list[str]:
    with open(PO, "rb") as f:
        catalog = read_po(f, locale="sv")
    out = []
    for m in catalog:
        if m.id:
            out += [m.string] if isinstance(m.string, str) else list(m.string)
    return out


@pytest.mark.database_independent
def test_the_traffic_light_is_an_assessment_not_health():
    strings = _swedish_strings()
    assert not [s for s in strings if re.search(r"\bhälsa\b", s, re.IGNORECASE)]
    assert "Bedömning" in strings


@pytest.mark.database_independent
def test_one_name_for_the_board():
    strings = _swedish_strings()
    board = [s for s in strings if re.search(r"tavla|tavlan", s, re.IGNORECASE)]
    assert board and all(re.search(r"portföljtavla", s, re.IGNORECASE) for s in board), board


def test_the_support_decision_says_what_was_decided(app):
    with app.test_request_context("/?lang=sv"):
        from flask import session

        session["lang"] = "sv"
        refresh()
        assert str(DecisionKind.SUPPORT.label) == "Stöd ges"


@pytest.mark.parametrize(
    ("days", "sv", "en"),
    [
        (None, "Ingen rapport än", "No update yet"),
        (0, "i dag", "today"),
        (1, "i går", "yesterday"),
        (3, "för 3 dagar sedan", "3 days ago"),
    ],
)
def test_age_in_words(app, days, sv, en):
    for lang, expected in (("sv", sv), ("en", en)):
        with app.test_request_context(f"/?lang={lang}"):
            from flask import session

            session["lang"] = lang
            refresh()
            if days is None and lang == "sv":
                assert age_text(days)  # whatever the catalogue says, never empty
            else:
                assert age_text(days) == expected


def test_one_date_style(app):
    with app.test_request_context("/?lang=sv"):
        from flask import session

        session["lang"] = "sv"
        refresh()
        assert text_date(date(2026, 12, 1)) == "1 dec. 2026"
        assert iso_date(date(2026, 12, 1)) == "2026-12-01"
        # In Swedish time: 23:30 UTC on 30 November is 00:30 on 1 December.
        assert iso_datetime(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "2026-12-01 00:30"
        assert [month_name(f"2026-{m:02d}") for m in (1, 5, 9, 12)] == ["jan", "maj", "sep", "dec"]
        assert month_name("2026-12", short=False) == "december 2026"


def test_pages_use_the_date_styles_and_say_today(client, auth, org):
    initiative = factories.make_initiative(
        org.manager,
        updates=1,
        last_update_days_ago=0,
        status=Status.IN_PROGRESS,
        start_date=date(2026, 1, 15),
    )
    from tracker.extensions import db

    db.session.commit()
    auth.login(org.manager.email)
    html = client.get(f"/initiatives/{initiative.id}?lang=sv").get_data(as_text=True)
    assert "15 jan. 2026" in html  # the start date in the summary
    assert "för 0 dagar sedan" not in html and "i dag" in html
    dashboard = client.get("/dashboard").get_data(as_text=True)
    month_tick = r'class="chart__tick chart__tick--month[^"]*">'
    assert not re.search(month_tick + r"\d\d<", dashboard)
    ticks = re.findall(month_tick + r"([^<]+)<", dashboard)
    # Språkrådet's (and CLDR's) short forms: mars, juni and juli are not shortened.
    months = {"jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"}
    assert len(months & set(ticks)) == 12, ticks


def test_swedish_user_content_is_marked_in_the_english_interface(client, auth, org):
    initiative = factories.make_initiative(
        org.manager, updates=1, title="Digital signering", purpose="Snabbare avtal"
    )
    from tracker.extensions import db

    db.session.commit()
    auth.login(org.management.email)
    english = client.get(f"/initiatives/{initiative.id}?lang=en").get_data(as_text=True)
    assert '<h1 lang="sv">Digital signering</h1>' in english
    assert 'class="text" lang="sv">Snabbare avtal</dd>' in english
    assert '<span lang="sv">Hände 0</span>' in english  # the status update's text
    listing = client.get("/initiatives?lang=en").get_data(as_text=True)
    assert re.search(r'<a href="/initiatives/\d+" lang="sv">Digital signering</a>', listing)
    board = client.get("/board?lang=en").get_data(as_text=True)
    assert 'data-card-link lang="sv">Digital signering</a>' in board
    # In the Swedish interface the page's own language says it already.
    swedish = client.get(f"/initiatives/{initiative.id}?lang=sv").get_data(as_text=True)
    assert "<h1>Digital signering</h1>" in swedish and 'lang="sv">Digital' not in swedish


def test_the_latest_report_is_marked_swedish_on_board_dashboard_and_decision_form(
    client, auth, org
):
    """The report quoted where the management group decides is user content as well: in the
    English interface the board's cards, the attention list and the decision form mark it."""
    initiative = factories.make_initiative(
        org.manager,
        updates=1,
        title="Digital signering",
        status=Status.IN_PROGRESS,
        health=Health.OFF_TRACK,
        support_requested="Beslut om konsultstöd",
    )
    from tracker.extensions import db

    db.session.commit()
    auth.login(org.management.email)
    for path in ("/board", "/dashboard", f"/initiatives/{initiative.id}/decisions"):
        english = client.get(f"{path}?lang=en").get_data(as_text=True)
        assert '<span class="text" lang="sv">Hände 0</span>' in english, path
        swedish = client.get(f"{path}?lang=sv").get_data(as_text=True)
        assert '<span class="text">Hände 0</span>' in swedish, path
    decision = client.get(f"/initiatives/{initiative.id}/decisions?lang=en").get_data(as_text=True)
    assert '<p class="text" lang="sv">Beslut om konsultstöd</p>' in decision
    board = client.get("/board?lang=en").get_data(as_text=True)
    assert (
        '<span class="visually-hidden">: <span lang="sv">Digital signering</span></span>' in board
    )
