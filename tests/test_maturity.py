"""Digital maturity: the comparison of two hand-built rounds (every figure checked), the page,
the tags on initiatives, and who may do what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.maturity import figures, page, radar
from tracker.maturity.structure import ensure_categories
from tracker.models import (
    Dimension,
    Initiative,
    MaturityCategory,
    MaturityQuestion,
    MaturityRound,
    MaturityValue,
    Status,
)

from . import factories
from .conftest import csrf_from

# (category, question, capability, 2020, 2021)
QUESTIONS = [
    ("strategi", "S1", "Styrning", 40, 45),
    ("strategi", "S2", "Styrning", 50, 55),
    ("strategi", "S3", "Ledarskap", 60, 62),
    ("kompetens", "K1", "Kompetens", 30, 33.3),
    ("innovation", "I1", "Experiment", 20, 20),
    ("information", "F1", "Struktur", 55, 60),
    ("teknik", "T1", "Infrastruktur", 70, 68),
    ("processer", "P1", "Automatisering", 10, 12.5),
    ("processer", "P2", "Uppföljning", 20, 25),
]


def make_rounds(org) -> tuple[MaturityRound, MaturityRound]:
    """Two rounds whose every figure is known; IT has its own values in 2021 only."""
    categories = {c.key: c for c in ensure_categories()}
    questions = {}
    for order, (category, key, capability, _a, _b) in enumerate(QUESTIONS, start=1):
        questions[key] = MaturityQuestion(
            key=key,
            category=categories[category],
            capability_sv=capability,
            capability_en=f"{capability} (en)",
            text_sv=f"Fråga {key}",
            text_en=f"Question {key}",
            sort_order=order,
        )
    db.session.add_all(questions.values())
    old = MaturityRound(name="Mätning 2020", measured_on=date(2020, 10, 1), respondents=200)
    new = MaturityRound(
        name="Mätning 2021", measured_on=date(2021, 10, 1), respondents=220, response_rate=68.5
    )
    for _c, key, _cap, a, b in QUESTIONS:
        old.values.append(MaturityValue(question=questions[key], percent=a))
        new.values.append(MaturityValue(question=questions[key], percent=b))
    it = org.departments[0]
    new.values.append(MaturityValue(question=questions["S1"], department_id=it.id, percent=30))
    new.values.append(MaturityValue(question=questions["P1"], department_id=it.id, percent=80))
    db.session.add_all([old, new])
    db.session.flush()
    return new, old


@pytest.fixture
def two_rounds(org):
    rounds = make_rounds(org)
    db.session.commit()
    return rounds


def by_key(items):
    return {item.key: item for item in items}


# --- the figures ----------------------------------------------------------------------------


def test_category_figures_are_the_mean_of_their_questions(two_rounds):
    result = figures.comparison(*two_rounds)
    categories = by_key(result.categories)
    expected = {
        # key: (latest, previous, change)
        "strategi": (54.0, 50.0, 4.0),
        "kompetens": (33.3, 30.0, 3.3),
        "innovation": (20.0, 20.0, 0.0),
        "information": (60.0, 55.0, 5.0),
        "teknik": (68.0, 70.0, -2.0),
        "processer": (18.8, 15.0, 3.8),  # 18.75 rounded
    }
    assert {k: (c.latest, c.previous, c.change) for k, c in categories.items()} == expected
    assert [c.key for c in result.categories] == [
        "strategi",
        "kompetens",
        "innovation",
        "information",
        "teknik",
        "processer",
    ]
    assert categories["strategi"].name_sv == "Strategi och ledning"
    assert categories["teknik"].dimension is Dimension.LEGACY


def test_dimensions_are_the_mean_of_their_categories(two_rounds):
    result = figures.comparison(*two_rounds)
    dimensions = {d.dimension: (d.latest, d.previous, d.change) for d in result.dimensions}
    # (54 + 33.3 + 20) / 3 = 35.77; (50 + 30 + 20) / 3 = 33.33
    # (60 + 68 + 18.75) / 3 = 48.92; (55 + 70 + 15) / 3 = 46.67
    assert dimensions == {
        Dimension.CAPABILITY: (35.8, 33.3, 2.5),
        Dimension.LEGACY: (48.9, 46.7, 2.2),
    }


def test_the_three_weakest_categories(two_rounds):
    result = figures.comparison(*two_rounds)
    assert [c.key for c in result.weakest] == ["processer", "innovation", "kompetens"]
    assert {c.key for c in result.categories if c.weak} == {"processer", "innovation", "kompetens"}
    assert [c.key for c in result.categories_weakest_first()][:4] == [
        "processer",
        "innovation",
        "kompetens",
        "strategi",
    ]


def test_question_and_capability_figures(two_rounds):
    result = figures.comparison(*two_rounds)
    questions = {q.key: (q.latest, q.previous, q.change) for q in result.questions}
    assert questions == {
        "S1": (45.0, 40.0, 5.0),
        "S2": (55.0, 50.0, 5.0),
        "S3": (62.0, 60.0, 2.0),
        "K1": (33.3, 30.0, 3.3),
        "I1": (20.0, 20.0, 0.0),
        "F1": (60.0, 55.0, 5.0),
        "T1": (68.0, 70.0, -2.0),
        "P1": (12.5, 10.0, 2.5),
        "P2": (25.0, 20.0, 5.0),
    }
    q = by_key(result.questions)["S1"]
    assert (q.name("sv"), q.name("en"), q.capability("en")) == (
        "Fråga S1",
        "Question S1",
        "Styrning (en)",
    )
    capabilities = {c.key: (c.latest, c.previous, c.change) for c in result.capabilities}
    assert capabilities["Styrning"] == (50.0, 45.0, 5.0)
    assert capabilities["Ledarskap"] == (62.0, 60.0, 2.0)
    assert len(result.capabilities) == 8


def test_sorting_the_questions(two_rounds):
    result = figures.comparison(*two_rounds)
    biggest = [q.key for q in result.sorted_questions("change")]
    assert set(biggest[:4]) == {"S1", "S2", "F1", "P2"} and biggest[-1] == "I1"
    assert [q.key for q in result.sorted_questions("weakest")][:3] == ["P1", "I1", "P2"]
    assert [q.key for q in result.sorted_questions("order")] == [q[1] for q in QUESTIONS]


def test_a_department_and_a_single_round(two_rounds, org):
    latest, _previous = two_rounds
    result = figures.comparison(latest, None, org.departments[0])
    categories = {c.key: (c.latest, c.previous, c.change) for c in result.categories}
    assert categories["strategi"] == (30.0, None, None)
    assert categories["processer"] == (80.0, None, None)
    assert categories["teknik"] == (None, None, None)
    assert [c.key for c in result.weakest] == ["strategi", "processer"]
    assert result.previous is None and result.department_code == "IT"


def test_radar_geometry(two_rounds):
    result = figures.comparison(*two_rounds)
    chart = radar.radar(result.categories, "sv")
    assert len(chart.axes) == 6 and len(chart.rings) == 5
    # The first axis points straight up: 54 % of the radius above the centre.
    assert chart.latest_dots[0] == (radar.CENTRE_X, round(radar.CENTRE_Y - radar.RADIUS * 0.54, 1))
    assert [a.weak for a in chart.axes] == [False, True, True, False, False, True]
    assert radar.radar(result.categories[:2], "sv") is None


# --- the page -------------------------------------------------------------------------------


def test_page_without_rounds(client, auth, org):
    auth.login(org.management.email)
    response = client.get("/maturity/")
    assert response.status_code == 200
    assert "Ingen mätomgång har registrerats än." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_every_role_reads_the_page(client, auth, org, two_rounds, role):
    auth.login(org.user(role).email)
    html = client.get("/maturity/").get_data(as_text=True)
    assert "Mätning 2021" in html and "Mätning 2020" in html
    assert "<svg" in html and 'role="img"' in html
    # Figures in Swedish, changes with their sign.
    assert "18,8" in html and "+3,8" in html and "−2,0" in html
    assert ("/maturity/rounds" in html) == (role == "admin")


def test_page_needs_sign_in(client, two_rounds):
    response = client.get("/maturity/")
    assert response.status_code in (302, 401)


def test_page_in_english_and_sorted(client, auth, org, two_rounds):
    auth.login(org.management.email)
    html = client.get("/maturity/?lang=en&sort=weakest").get_data(as_text=True)
    assert "Digital maturity" in html and "Question P1" in html
    assert html.index("Question P1") < html.index("Question I1") < html.index("Question P2")
    assert client.get("/maturity/?sort=bogus").status_code == 200


def test_department_view(client, auth, org, two_rounds):
    auth.login(org.management.email)
    html = client.get("/maturity/?department=it").get_data(as_text=True)
    assert '<option value="IT" selected>' in html
    assert client.get("/maturity/?department=HR").status_code == 404


def test_weak_categories_list_their_initiatives_or_say_there_are_none(
    client, auth, org, two_rounds
):
    categories = {c.key: c for c in db.session.scalars(select(MaturityCategory))}
    tagged = factories.make_initiative(
        org.manager, title="Automatiserade flöden", status=Status.IN_PROGRESS
    )
    tagged.maturity_categories = [categories["processer"], categories["teknik"]]
    archived = factories.make_initiative(org.manager, title="Gammalt arkiverat")
    archived.maturity_categories = [categories["kompetens"]]
    archived.archived_at = factories.days_ago(1)
    db.session.commit()

    view = page.build(org.management)
    assert [i.title for i in view.initiatives["processer"]] == ["Automatiserade flöden"]
    assert view.initiative_counts == {"processer": 1, "innovation": 0, "kompetens": 0}

    auth.login(org.management.email)
    html = client.get("/maturity/").get_data(as_text=True)
    assert "Automatiserade flöden" in html
    assert html.count("Inget initiativ är kopplat till det här området än.") == 2
    assert "Gammalt arkiverat" not in html


def test_a_department_lists_the_initiatives_of_every_level_below_it(org, two_rounds):
    """A kontor's view holds its avdelningar's initiatives and their enheters' too (the design's
    three levels), not only those one level down; never a sibling's."""
    categories = {c.key: c for c in db.session.scalars(select(MaturityCategory))}
    it, hr, _school = org.departments
    unit = factories.make_department(org.committees[0], "ITS", "IT-supportenheten")
    unit.parent = it
    team = factories.make_department(org.committees[0], "ITS1", "Supportgrupp 1")
    team.parent = unit
    sibling = factories.make_department(org.committees[0], "HRU", "HR-enheten")
    sibling.parent = hr
    for department, title in [
        (it, "På kontoret"),
        (unit, "På enheten"),
        (team, "I gruppen"),
        (sibling, "Hos grannen"),
    ]:
        initiative = factories.make_initiative(org.manager, department=department, title=title)
        initiative.maturity_categories = [categories["processer"]]
    db.session.commit()
    view = page.build(org.management, "IT")
    titles = {i.title for i in view.initiatives["processer"]}
    assert titles == {"På kontoret", "På enheten", "I gruppen"}
    assert view.initiative_counts["processer"] == 3


def test_committee_reader_sees_only_initiatives_in_scope(org, two_rounds):
    categories = {c.key: c for c in db.session.scalars(select(MaturityCategory))}
    school = factories.make_initiative(org.other_manager, title="Skolans flöden")
    school.maturity_categories = [categories["processer"]]
    org.committee_reader.committee_id = org.committees[0].id  # KS: not the school
    db.session.commit()
    assert page.build(org.committee_reader).initiative_counts["processer"] == 0
    assert page.build(org.management).initiative_counts["processer"] == 1


def test_query_count_does_not_grow_with_the_initiatives(
    client, auth, org, two_rounds, count_queries
):
    categories = {c.key: c for c in db.session.scalars(select(MaturityCategory))}

    def add(n):
        for _ in range(n):
            initiative = factories.make_initiative(org.manager, status=Status.IN_PROGRESS)
            initiative.maturity_categories = [categories["processer"], categories["innovation"]]
        db.session.commit()

    auth.login(org.management.email)
    add(2)
    with count_queries() as few:
        assert client.get("/maturity/").status_code == 200
    add(25)
    with count_queries() as many:
        html = client.get("/maturity/").get_data(as_text=True)
    assert many.count == few.count
    assert "och 17 initiativ till." in html  # 27 tagged, 10 listed


# --- tags on the initiative form ------------------------------------------------------------


def initiative_form(org, **extra):
    p1 = org.principles[0]
    return {
        "title": "Taggat initiativ",
        "purpose": "Syfte",
        "department_id": str(org.departments[0].id),
        f"principle_{p1.id}": "y",
        f"motivation_{p1.id}": "Därför",
        **extra,
    }


def test_tags_on_the_initiative_form_and_page(client, auth, org):
    categories = ensure_categories()
    db.session.commit()
    auth.login(org.manager.email)
    html = client.get("/initiatives/new").get_data(as_text=True)
    assert "Områden för digital mognad som initiativet stärker" in html
    assert 'name="maturity_category_ids"' in html
    data = initiative_form(org, maturity_category_ids=[str(categories[2].id)])
    data["csrf_token"] = csrf_from(html)
    response = client.post("/initiatives", data=data)
    assert response.status_code == 303
    initiative = db.session.scalar(select(Initiative).where(Initiative.title == "Taggat initiativ"))
    assert [c.key for c in initiative.maturity_categories] == ["innovation"]
    page_html = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert "Innovation och tjänsteutveckling" in page_html

    # Changed on edit, audited, and removable.
    edit_html = client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    data = initiative_form(
        org,
        maturity_category_ids=[str(categories[0].id), str(categories[5].id)],
        version=str(initiative.version),
        csrf_token=csrf_from(edit_html),
    )
    assert client.post(f"/initiatives/{initiative.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    initiative = db.session.get(Initiative, initiative.id)
    assert [c.key for c in initiative.maturity_categories] == ["strategi", "processer"]

    data.pop("maturity_category_ids")
    data["version"] = str(initiative.version)
    assert client.post(f"/initiatives/{initiative.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Initiative, initiative.id).maturity_categories == []


def test_unknown_tag_is_refused(client, auth, org):
    ensure_categories()
    db.session.commit()
    auth.login(org.manager.email)
    token = auth.csrf_token("/initiatives/new")
    data = initiative_form(org, maturity_category_ids=["9999"], csrf_token=token)
    response = client.post("/initiatives", data=data)
    assert response.status_code == 422
    assert "Välj områden för digital mognad i listan." in response.get_data(as_text=True)


def test_form_without_categories_has_no_tag_list(client, auth, org):
    auth.login(org.manager.email)
    assert 'name="maturity_category_ids"' not in client.get("/initiatives/new").get_data(
        as_text=True
    )
