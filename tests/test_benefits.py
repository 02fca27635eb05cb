"""Benefits realisation: figures, rules, rights for every role, pages and fragments, the CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tracker.benefits import figures as fig
from tracker.benefits import services
from tracker.benefits.services import BenefitData, MeasurementData
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Benefit,
    BenefitKind,
    Direction,
    Frequency,
    Indicator,
    Measurement,
    Status,
)
from tracker.permissions import PermissionDenied

from . import factories
from .conftest import csrf_from

TODAY = date(2026, 6, 1)


def _data(owner_id: int, **overrides) -> BenefitData:
    values = dict(
        title="Fler ansöker om bygglov digitalt",
        kind=BenefitKind.RESIDENTS,
        owner_id=owner_id,
        indicator_name="Andel bygglovsansökningar som kommer in digitalt",
        unit="%",
        direction=Direction.HIGHER,
        baseline_value=Decimal("12"),
        baseline_date=date(2025, 1, 1),
        target_value=Decimal("70"),
        target_date=date(2027, 1, 1),
        frequency=Frequency.QUARTERLY,
    )
    values.update(overrides)
    return BenefitData(**values)


def _indicator(direction=Direction.HIGHER, baseline="12", target="70", **kw) -> Indicator:
    return Indicator(
        name="i",
        unit="%",
        direction=direction,
        baseline_value=Decimal(baseline),
        baseline_date=kw.get("baseline_date", date(2025, 1, 1)),
        target_value=Decimal(target),
        target_date=kw.get("target_date", date(2027, 1, 1)),
        frequency=kw.get("frequency", Frequency.QUARTERLY),
    )


def _measure(indicator, value, day, id_, corrects=None) -> Measurement:
    m = Measurement(value=Decimal(value), measured_on=day, corrects_id=corrects, comment="")
    m.id = id_
    indicator.measurements.append(m)
    return m


# --- figures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("\u22123", "-3"),
        ("-0,25", "-0.25"),
        ("70", "70"),
    ],
)
def test_numbers_are_read_the_swedish_and_the_english_way(text, expected):
    assert fig.parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "swedish", "english"),
    [
        ("1,234", "1.234", "1234"),
        ("1,234,567", None, "1234567"),
        ("-12,345", "-12.345", "-12345"),
        ("1,5", "1.5", "1.5"),  # not groups of three: a decimal comma either way
        ("1,2345", "1.2345", "1.2345"),
        ("1,234.5", "1234.5", "1234.5"),
    ],
)
def test_a_comma_before_three_digits_is_thousands_in_english(text, swedish, english):
    if swedish is None:
        with pytest.raises(ValueError):
            fig.parse_number(text)
    else:
        assert fig.parse_number(text) == Decimal(swedish)
    assert fig.parse_number(text, comma_groups=True) == Decimal(english)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12,34567", "1e5", "NaN", "9" * 20, "--1"])
def test_other_text_is_not_a_number(text):
    with pytest.raises(ValueError):
        fig.parse_number(text)


def test_share_of_the_way_when_higher_is_better(app):
    ind = _indicator(Direction.HIGHER, "12", "70")
    assert fig.share(ind, Decimal("12")) == 0
    assert fig.share(ind, Decimal("41")) == Decimal("0.5")
    assert fig.share(ind, Decimal("70")) == 1
    assert fig.share(ind, Decimal("6")) < 0  # worse than the baseline


def test_share_of_the_way_when_lower_is_better(app):
    ind = _indicator(Direction.LOWER, "40", "10")  # minutes of waiting
    assert fig.share(ind, Decimal("40")) == 0
    assert fig.share(ind, Decimal("25")) == Decimal("0.5")
    assert fig.share(ind, Decimal("10")) == 1
    assert fig.share(ind, Decimal("5")) == Decimal("35") / Decimal("30")
    assert fig.share(ind, Decimal("50")) < 0


def test_state_next_due_and_overdue(app):
    ind = _indicator(baseline_date=date(2025, 1, 1), target_date=date(2027, 1, 1))
    # Nothing measured: due one quarter after the baseline, long ago.
    f = fig.figures(ind, Status.IN_PROGRESS, TODAY)
    assert f.state == fig.BenefitState.NOT_MEASURED
    assert f.next_due == date(2025, 4, 1)
    assert f.overdue
    # Measured on 2026-05-15 at 41 (half the way) when about 70 % of the time has gone: behind.
    _measure(ind, "41", date(2026, 5, 15), 1)
    f = fig.figures(ind, Status.IN_PROGRESS, TODAY)
    assert f.state == fig.BenefitState.BEHIND
    assert f.percent == 50
    assert f.next_due == date(2026, 8, 15)
    assert not f.overdue
    # The next day the figures are what they were: due is not overdue on its own day.
    assert not fig.figures(ind, Status.IN_PROGRESS, date(2026, 8, 15)).overdue
    assert fig.figures(ind, Status.IN_PROGRESS, date(2026, 8, 16)).overdue
    # Reaching the target: realised, and measuring goes on after the initiative is done.
    _measure(ind, "72", date(2026, 5, 30), 2)
    f = fig.figures(ind, Status.DONE, TODAY)
    assert f.state == fig.BenefitState.REALISED
    assert f.next_due == date(2026, 8, 30)
    # A cancelled initiative has nothing more to measure.
    f = fig.figures(ind, Status.CANCELLED, TODAY)
    assert f.next_due is None and not f.overdue


def test_on_track_when_ahead_of_a_straight_line(app):
    ind = _indicator(baseline_date=date(2026, 1, 1), target_date=date(2027, 1, 1))
    _measure(ind, "50", date(2026, 5, 1), 1)  # 65 % of the way after a third of the time
    assert fig.figures(ind, Status.IN_PROGRESS, TODAY).state == fig.BenefitState.ON_TRACK


def test_a_correction_replaces_the_measurement_it_names(app):
    ind = _indicator()
    _measure(ind, "30", date(2026, 1, 1), 1)
    _measure(ind, "99", date(2026, 3, 1), 2)  # a typo
    _measure(ind, "39", date(2026, 3, 1), 3, corrects=2)
    f = fig.figures(ind, Status.IN_PROGRESS, TODAY)
    assert [m.id for m in f.measurements] == [1, 3]
    assert f.latest.value == Decimal("39")


def test_months_are_added_at_month_ends(app):
    assert fig.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert fig.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert fig.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# --- rules and rights -----------------------------------------------------------------------


@pytest.fixture
def initiative(org):
    item = factories.make_initiative(org.manager, principles=org.principles[:1], updates=1)
    db.session.commit()
    return item


def test_the_owner_adds_a_benefit_with_its_indicator(org, initiative):
    benefit = services.create_benefit(
        org.manager, initiative, _data(org.manager.id, principle_ids=[org.principles[0].id])
    )
    db.session.commit()
    saved = db.session.get(Benefit, benefit.id)
    assert saved.indicator.target_value == Decimal("70")
    assert [p.key for p in saved.principles] == [org.principles[0].key]
    event = db.session.query(AuditEvent).filter_by(action="benefit.create").one()
    assert event.entity_id == benefit.id and event.actor_id == org.manager.id


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"target_value": Decimal("12")}, {"target_value"}),
        ({"direction": Direction.LOWER}, {"target_value"}),
        ({"target_date": date(2024, 12, 31)}, {"target_date"}),
        ({"unit": "  "}, {"unit"}),
        ({"title": "", "indicator_name": "", "unit": ""}, {"title", "indicator_name", "unit"}),
    ],
)
def test_bad_benefits_get_every_error_at_once(org, initiative, overrides, fields):
    with pytest.raises(services.BenefitErrors) as caught:
        services.create_benefit(org.manager, initiative, _data(org.manager.id, **overrides))
    assert {e.field for e in caught.value.errors} == fields


def test_the_benefit_owner_must_be_someone_who_may_change_things(org, initiative):
    for owner in (org.committee_reader.id, 10**9):
        with pytest.raises(services.BenefitErrors) as caught:
            services.create_benefit(org.manager, initiative, _data(owner))
        assert [e.field for e in caught.value.errors] == ["owner_id"]


@pytest.mark.parametrize("role", ["management", "committee"])
def test_readers_and_other_managers_add_no_benefits(org, initiative, role):
    for user in (org.user(role), org.other_manager):
        with pytest.raises(PermissionDenied):
            services.create_benefit(user, initiative, _data(org.manager.id))


@pytest.fixture
def benefit(org, initiative):
    # The benefit owner is another manager: the line manager who realises it.
    item = services.create_benefit(org.manager, initiative, _data(org.other_manager.id))
    db.session.commit()
    return item


def test_owners_and_the_benefit_owner_measure_readers_do_not(org, benefit):
    for user in (org.manager, org.other_manager, org.admin):
        services.add_measurement(
            user, benefit, MeasurementData(Decimal("20"), date(2026, 1, 1)), TODAY
        )
    for user in (org.management, org.committee_reader):
        with pytest.raises(PermissionDenied):
            services.add_measurement(
                user, benefit, MeasurementData(Decimal("20"), date(2026, 1, 1)), TODAY
            )
    db.session.commit()
    assert db.session.query(Measurement).count() == 3


def test_measurements_are_dated_between_the_baseline_and_today(org, benefit):
    for day in (date(2024, 12, 31), TODAY + timedelta(days=1)):
        with pytest.raises(services.BenefitErrors) as caught:
            services.add_measurement(org.manager, benefit, MeasurementData(Decimal(1), day), TODAY)
        assert [e.field for e in caught.value.errors] == ["measured_on"]


def test_a_correction_needs_a_reason_and_a_standing_measurement(org, benefit):
    first = services.add_measurement(
        org.manager, benefit, MeasurementData(Decimal("99"), date(2026, 1, 1)), TODAY
    )
    with pytest.raises(services.BenefitErrors) as caught:
        services.add_measurement(
            org.manager,
            benefit,
            MeasurementData(Decimal("19"), date(2026, 1, 1), corrects_id=first.id),
            TODAY,
        )
    assert [e.field for e in caught.value.errors] == ["comment"]
    services.add_measurement(
        org.manager,
        benefit,
        MeasurementData(Decimal("19"), date(2026, 1, 1), "Fel i exporten", first.id),
        TODAY,
    )
    db.session.commit()
    # The corrected measurement stays, unchanged; it cannot be corrected twice.
    assert db.session.get(Measurement, first.id).value == Decimal("99")
    with pytest.raises(services.BenefitErrors) as caught:
        services.add_measurement(
            org.manager,
            benefit,
            MeasurementData(Decimal("18"), date(2026, 1, 1), "Igen", first.id),
            TODAY,
        )
    # Two people correcting the same measurement: the second is told why (found by review).
    assert str(caught.value.errors[0].message).startswith("Någon har redan rättat")
    db.session.rollback()
    shown = fig.figures(db.session.get(Benefit, benefit.id).indicator, Status.IN_PROGRESS, TODAY)
    assert shown.latest.value == Decimal("19")


def test_an_edit_from_an_old_version_is_a_conflict(org, benefit):
    services.update_benefit(org.manager, benefit, _data(org.manager.id, title="Ny titel"), 1)
    db.session.commit()
    assert benefit.version == 2
    with pytest.raises(services.BenefitConflict):
        services.update_benefit(org.manager, benefit, _data(org.manager.id, title="Gammal"), 1)


def test_a_conflict_on_the_edit_page_keeps_my_text_and_shows_theirs(org, benefit, client, auth):
    from .resilience_support import form_fields

    auth.login(org.manager.email)
    url = f"/benefits/{benefit.id}/edit"
    mine = form_fields(client.get(url).get_data(as_text=True), "version")
    services.update_benefit(org.admin, benefit, _data(org.manager.id, title="Deras"), 1)
    db.session.commit()
    mine["title"] = "Min rubrik"
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="Min rubrik"' in page
    saved = page[page.index('id="benefit-saved-title"') :]
    assert "Deras" in saved[: saved.index("</section>")]  # what the other person saved
    assert client.post(url, data=form_fields(page, "version")).status_code in (302, 303)
    db.session.rollback()
    assert db.session.get(Benefit, benefit.id).title == "Min rubrik"


def test_a_conflict_takes_their_change_to_a_field_i_left_and_the_resend_keeps_both(
    org, benefit, client, auth
):
    """The other person changed the title; I changed only the description. The form I get back
    holds their title, and sending it again keeps both: their title is not undone."""
    from .resilience_support import form_fields

    auth.login(org.manager.email)
    url = f"/benefits/{benefit.id}/edit"
    mine = form_fields(client.get(url).get_data(as_text=True), "version")
    services.update_benefit(org.admin, benefit, _data(org.manager.id, title="Deras"), 1)
    db.session.commit()
    mine["description"] = "Min beskrivning"
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    again = form_fields(page, "version")
    assert again["title"] == "Deras" and again["description"].strip() == "Min beskrivning"
    # The title and the owner: what the other person's save changed.
    assert "när du skickar din version igen: Vad blir bättre, och för vem?, Nyttoägare." in page
    assert client.post(url, data=again).status_code in (302, 303)
    db.session.rollback()
    saved = db.session.get(Benefit, benefit.id)
    assert (saved.title, saved.description) == ("Deras", "Min beskrivning")


# --- pages ----------------------------------------------------------------------------------


def _post_benefit(client, initiative_id, **fields):
    page = client.get(f"/initiatives/{initiative_id}/benefits/new")
    data = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "title": "Fler ansöker digitalt",
        "kind": "residents",
        "owner_id": "",
        "indicator_name": "Andel digitala ansökningar",
        "unit": "%",
        "direction": "higher",
        "baseline_value": "12,5",
        "baseline_date": "2025-01-01",
        "target_value": "70",
        "target_date": "2027-01-01",
        "frequency": "quarterly",
    }
    data.update(fields)
    return client.post(f"/initiatives/{initiative_id}/benefits", data=data)


def test_a_manager_adds_a_benefit_and_measures_it_in_the_browser_flow(
    client, auth, org, initiative
):
    auth.login(org.manager.email)
    response = _post_benefit(client, initiative.id, owner_id=str(org.manager.id))
    assert response.status_code == 303
    benefit_url = response.headers["Location"]
    page = client.get(benefit_url).get_data(as_text=True)
    assert "12,5" in page and "Nollmätning" in page  # Swedish notation, Swedish words
    token = csrf_from(page)
    measured = client.post(
        benefit_url + "/measurements",
        data={"csrf_token": token, "value": "41,25", "measured_on": "2026-01-15", "comment": ""},
        headers={"HX-Request": "true"},
    )
    assert measured.status_code == 200
    fragment = measured.get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and 'id="measurements"' in fragment
    assert "41,25" in fragment and 'role="status"' in fragment
    # The initiative's page lists it, and so does the overview.
    assert "Fler ansöker digitalt" in client.get(f"/initiatives/{initiative.id}").get_data(
        as_text=True
    )
    overview = client.get("/benefits").get_data(as_text=True)
    assert "Fler ansöker digitalt" in overview and "41,25" in overview


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, auth, org, initiative):
    auth.login(org.manager.email)
    response = _post_benefit(
        client,
        initiative.id,
        owner_id=str(org.manager.id),
        title="Min nytta",
        target_value="12,5",
        baseline_value="12,5",
        unit="",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Min nytta"' in html
    assert "Målet måste skilja sig från nollmätningen." in html
    assert "Ange enheten" in html


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_saving_the_edit_form_unchanged_keeps_large_values(client, auth, org, initiative, lang):
    """The edit form shows the values as they are typed back: "1,234" read back as 1.234 in
    English (a decimal comma is accepted there too) would silently change the indicator."""
    benefit = services.create_benefit(
        org.manager,
        initiative,
        _data(org.manager.id, direction=Direction.LOWER, baseline_value=Decimal("12345.5"),
              target_value=Decimal("1200")),
    )  # fmt: skip
    db.session.commit()
    auth.login(org.manager.email)
    page = client.get(f"/benefits/{benefit.id}/edit?lang={lang}").get_data(as_text=True)
    fields = dict(re.findall(r'<(?:input|select)[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    data = {k: v for k, v in fields.items() if k not in ("principle_ids",)}
    data.update(kind="residents", direction="lower", frequency="quarterly",
                owner_id=str(org.manager.id), csrf_token=csrf_from(page))  # fmt: skip
    response = client.post(f"/benefits/{benefit.id}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    indicator = db.session.get(Benefit, benefit.id).indicator
    assert (indicator.baseline_value, indicator.target_value) == (Decimal("12345.5"), 1200)


@pytest.mark.parametrize(("lang", "expected"), [("sv", "1.234"), ("en", "1234")])
def test_a_target_typed_with_a_comma_is_read_in_the_users_language(
    client, auth, org, initiative, lang, expected
):
    """ "1,234" typed in English is a thousand and more, in Swedish one and a bit."""
    auth.login(org.manager.email)
    client.get(f"/?lang={lang}")
    response = _post_benefit(
        client,
        initiative.id,
        target_value="1,234",
        baseline_value="0,5",
        owner_id=str(org.manager.id),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    benefit = db.session.scalars(db.select(Benefit).order_by(Benefit.id.desc())).first()
    assert benefit.indicator.target_value == Decimal(expected)


@pytest.mark.parametrize(
    "fields",
    [
        {"owner_id": "9" * 30},
        {"owner_id": "<b>x</b>"},
        {"baseline_value": "1e400"},
        {"baseline_date": "0000-00-00"},
        {"kind": "nonsense"},
        {"principle_ids": "99999999999999999999"},
        {"frequency": ""},
    ],
)
def test_hostile_input_never_gives_a_server_error(client, auth, org, initiative, fields):
    auth.login(org.manager.email)
    response = _post_benefit(client, initiative.id, **fields)
    assert response.status_code == 422
    assert "<b>x</b>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("fields", [{"owner_id": "x"}, {"principle_ids": "x"}])
def test_a_tampered_choice_gets_the_products_message_not_wtforms(
    client, auth, org, initiative, fields
):
    auth.login(org.manager.email)
    response = _post_benefit(client, initiative.id, **{"owner_id": str(org.manager.id), **fields})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Inte ett giltigt val." in html
    assert "coerc" not in html and "ceorce" not in html
    assert 'value="Fler ansöker digitalt"' in html  # the input is kept


@pytest.mark.parametrize("value", ["9" * 30, "abc", "", "<i hx-get=/x>"])
def test_hostile_measurements_never_give_a_server_error(client, auth, org, benefit, value):
    auth.login(org.manager.email)
    token = csrf_from(client.get(f"/benefits/{benefit.id}").get_data(as_text=True))
    for corrects in ("", "abc", "9" * 30, "-1"):
        response = client.post(
            f"/benefits/{benefit.id}/measurements",
            data={
                "csrf_token": token,
                "value": value,
                "measured_on": "2026-01-01",
                "corrects_id": corrects,
            },
        )
        assert response.status_code == 422
        assert "<i hx-get" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_every_role_reads_the_pages(client, auth, org, benefit, role):
    auth.login(org.user(role).email)
    for url in ("/benefits", f"/benefits/{benefit.id}", "/exports/benefits.csv"):
        assert client.get(url).status_code == 200, url
    may_change = role in ("admin", "manager")
    assert client.get(f"/benefits/{benefit.id}/edit").status_code == (200 if may_change else 403)
    new = client.get(f"/initiatives/{benefit.initiative_id}/benefits/new")
    assert new.status_code == (200 if may_change else 403)
    page = client.get(f"/benefits/{benefit.id}").get_data(as_text=True)
    assert ("Registrera mätningen" in page) == may_change


def test_a_committee_reader_sees_only_their_committees_benefits(client, auth, org, benefit):
    # The benefit's initiative belongs to KS; limit the reader to BUN.
    org.committee_reader.committee_id = org.committees[1].id
    db.session.commit()
    auth.login(org.committee_reader.email)
    assert client.get(f"/benefits/{benefit.id}").status_code == 404
    assert benefit.title not in client.get("/benefits").get_data(as_text=True)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/exports/benefits.csv").get_data(as_text=True)), delimiter=";"
        )
    )
    assert len(rows) == 2 and "Inga nyttor" in rows[1][0]


def test_unknown_ids_are_404(client, auth, org):
    auth.login(org.manager.email)
    for url in ("/benefits/999", "/initiatives/999/benefits/new"):
        assert client.get(url).status_code == 404, url


def test_the_overview_filters_by_the_benefits_principle(client, auth, org, initiative):
    services.create_benefit(
        org.manager, initiative, _data(org.manager.id, principle_ids=[org.principles[1].id])
    )
    db.session.commit()
    auth.login(org.management.email)
    keys = [p.key for p in org.principles]
    assert "Fler ansöker om bygglov" in client.get(f"/benefits?principle={keys[1]}").get_data(
        as_text=True
    )
    # The initiative is linked to principle 0, the benefit serves principle 1 only.
    assert "Fler ansöker om bygglov" not in client.get(f"/benefits?principle={keys[0]}").get_data(
        as_text=True
    )
    assert client.get("/benefits?committee=<b>nope</b>").status_code == 200


def test_the_overview_is_a_fragment_for_htmx(client, auth, org, benefit):
    auth.login(org.management.email)
    response = client.get("/benefits", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="benefits-overview"')
    assert "HX-Request" in response.headers["Vary"]


def test_the_csv_has_one_row_per_benefit_with_its_latest_measurement(client, auth, org, benefit):
    services.add_measurement(
        org.manager,
        benefit,
        MeasurementData(Decimal("30,5".replace(",", ".")), date(2026, 2, 1)),
        TODAY,
    )
    benefit.title = '=HYPERLINK("http://x")'
    db.session.commit()
    auth.login(org.management.email)
    response = client.get("/exports/benefits.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header, row = rows[0], rows[1]
    assert header[0] == "Initiativ" and len(rows) == 2
    values = dict(zip(header, row, strict=True))
    assert values["Nytta"].startswith("'=")
    assert values["Senaste värde"] == "30,5"
    assert values["Senaste mätning"] == "2026-02-01"
    assert values["Nollmätningens värde"] == "12"
    assert db.session.query(AuditEvent).filter_by(action="export.benefits").count() == 1


def test_queries_do_not_grow_with_benefits_and_measurements(client, auth, org, count_queries):
    def add(n):
        for _ in range(n):
            item = factories.make_initiative(org.manager, updates=1)
            b = services.create_benefit(org.manager, item, _data(org.manager.id))
            for k in range(3):
                services.add_measurement(
                    org.manager, b, MeasurementData(Decimal(20 + k), date(2026, 1, 1 + k)), TODAY
                )
        db.session.commit()

    auth.login(org.management.email)
    add(2)
    counts = []
    for more in (0, 15):
        add(more)
        with count_queries() as counter:
            assert client.get("/benefits").status_code == 200
        overview = counter.count
        first = db.session.query(Benefit).order_by(Benefit.id).first()
        with count_queries() as counter:
            assert client.get(f"/initiatives/{first.initiative_id}").status_code == 200
        counts.append((overview, counter.count))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("lang, message", [
    ("sv", "Ange ett tal mellan −99\u00a0999\u00a0999\u00a0999\u00a0999 och 99\u00a0999"),
    ("en", "Enter a number from −99,999,999,999,999 to 99,999,999,999,999."),
])  # fmt: skip
def test_a_number_too_large_is_told_the_bounds(client, auth, org, benefit, lang, message):
    """A whole number past what a value can hold is a number all the same: the answer names the
    bounds, not "at most four decimals", and keeps what was typed."""
    auth.login(org.manager.email)
    token = csrf_from(client.get(f"/benefits/{benefit.id}").get_data(as_text=True))
    response = client.post(
        f"/benefits/{benefit.id}/measurements?lang={lang}",
        data={"csrf_token": token, "value": "9" * 20, "measured_on": "2026-01-01"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "decimal" not in html.split('id="error-summary"')[1].split("</ul>")[0]
    assert 'value="' + "9" * 20 + '"' in html


def test_every_mistake_in_a_measurement_is_told_in_one_answer(client, auth, org, benefit):
    """A value that is no number and a date in the future (or before the baseline) are both
    told at once, with what was typed kept: the date's rule is the service's and ran only once
    the number read, so the second mistake came on the next try."""
    auth.login(org.manager.email)
    token = csrf_from(client.get(f"/benefits/{benefit.id}").get_data(as_text=True))
    for measured_on, date_message in (
        ("2999-01-01", "En mätning kan inte dateras framåt i tiden."),
        ("1901-01-01", "En mätning kan inte dateras före nollmätningen."),
    ):
        response = client.post(
            f"/benefits/{benefit.id}/measurements",
            data={"csrf_token": token, "value": "tolv", "measured_on": measured_on},
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert date_message in html, measured_on
        assert 'value="tolv"' in html and f'value="{measured_on}"' in html
        assert "Ange ett tal, till exempel 12,5" in html
    # a date that does not read is told by the form alone; the correction's rule still runs
    response = client.post(
        f"/benefits/{benefit.id}/measurements",
        data={
            "csrf_token": token,
            "value": "12",
            "measured_on": "2026-13-45",
            "corrects_id": "999",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Välj en mätning av den här indikatorn att rätta." in html
    assert "dateras" not in html
    assert not benefit.indicator.measurements


def test_the_baseline_cannot_move_past_a_measurement_and_the_trail_shows_real_changes(
    client, auth, org, benefit
):
    """A baseline dated after the measurements left them before it, and none could be corrected
    any more; the audit trail said "Målvärde: 70.0000 → 70" of a target nobody changed."""
    from sqlalchemy import select

    from tracker.models import AuditEvent

    from .resilience_support import form_fields

    services.add_measurement(
        org.manager, benefit, MeasurementData(Decimal("20"), date(2026, 1, 1)), TODAY
    )
    db.session.commit()
    auth.login(org.manager.email)
    fields = form_fields(client.get(f"/benefits/{benefit.id}/edit").get_data(as_text=True))
    response = client.post(
        f"/benefits/{benefit.id}/edit?lang=sv", data={**fields, "baseline_date": "2026-02-01"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nollmätningen kan inte dateras efter den första mätningen (2026-01-01)." in html
    assert 'value="2026-02-01"' in html  # what was typed is kept
    response = client.post(
        f"/benefits/{benefit.id}/edit", data={**fields, "baseline_date": "2025-06-01"}
    )
    assert response.status_code == 303
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "benefit.update")
    ).one()
    assert set(event.changes) == {"baseline_date"}, event.changes
