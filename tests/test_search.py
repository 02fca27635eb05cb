"""The portfolio search (tracker/models/search.py): index-accelerated on both databases, with the
plain substring meaning (case ignored, Unicode), kept right through every write."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from tracker.extensions import db
from tracker.models import Initiative, search
from tracker.portfolio.filters import escape_like, parse

from . import factories
from .test_initiatives import form_data, post
from .test_query_plans import _plan, _the, captured  # noqa: F401 - the fixture

LONG = "x" * 40 + "ÅÄÖ" + "y" * 57  # 100 characters

TEXTS = [
    ("Årsredovisning 2025", "Bokslut och ÅRSBERÄTTELSE för nämnden"),
    ("ÅR för år", "Ärenden i Östra skolan, Élan och ß"),
    ("Rabatt 50% på _allt_", "Sökväg C:\\temp\\fil och 100 %"),
    ('Ett "citerat" ord', 'Apostrof \' och "dubbla" citattecken'),
    ("Digital AND analog", "OR NEAR(a b) * ^start title:fält -minus +plus (parentes)"),
    ("Kort", "ab cd"),
    (LONG, "Emoji 🙂 i syftet"),
    ("Vanlig titel", "Vanligt syfte"),
]

WORDS = [
    "redovisning",
    "årsr",
    "ÅRSR",
    "årsberättelse",
    "år",
    "ÅR",
    "å",
    "Ö",
    "östra",
    "élan",
    "ÉLAN",
    "ß",
    "ÖS",
    "éL",
    "Ä",
    "50%",
    "%",
    "_",
    "_allt_",
    "0 %",
    "c:\\temp",
    "\\",
    '"citerat"',
    '"',
    "'",
    "apostrof '",
    "AND",
    "and analog",
    "OR",
    "NEAR",
    "NEAR(a",
    "*",
    "^start",
    "title:fält",
    "title:",
    "-minus",
    "+plus",
    "(parentes)",
    "a",
    "ab",
    "ab cd",
    "b c",
    LONG,
    LONG.lower(),
    LONG[30:60],
    "🙂",
    "ji 🙂 i",
    "finns inte",
    "tit",
]


def _reference(rows, q: str) -> set[int]:
    """The plain meaning: a substring of the title or the purpose, case ignored."""
    folded = q.lower()
    return {i for i, title, purpose in rows if folded in title.lower() or folded in purpose.lower()}


def _found(q: str) -> set[int]:
    filters = parse(MultiDict({"q": q}))
    return set(db.session.scalars(filters.apply(select(Initiative.id), None)))


def _plain_like(q: str) -> set[int]:
    """The search before the indexes: a LIKE over every row (on SQLite with a lower() that folds
    every letter, as PostgreSQL's does, where SQLite's own folds only ASCII)."""
    lower = "lower"
    if db.engine.dialect.name == "sqlite":
        raw = db.session.connection().connection.driver_connection
        raw.create_function("unicode_lower", 1, lambda value: value.lower(), deterministic=True)
        lower = "unicode_lower"
    pattern = "%" + escape_like(q.lower()) + "%"
    statement = text(
        f"SELECT id FROM initiative WHERE {lower}(title) LIKE :p ESCAPE '\\' "  # noqa: S608
        f"OR {lower}(purpose) LIKE :p ESCAPE '\\'"
    )
    return set(db.session.scalars(statement, {"p": pattern}))


@pytest.fixture
def tricky(org):
    for title, purpose in TEXTS:
        factories.make_initiative(org.manager, title=title, purpose=purpose)
    db.session.commit()
    return [(i.id, i.title, i.purpose) for i in db.session.scalars(select(Initiative))]


def test_tricky_words_find_what_a_plain_substring_search_finds(tricky):
    for word in WORDS:
        expected = _reference(tricky, " ".join(word.split()))
        assert _found(word) == expected, word
        assert _plain_like(" ".join(word.split())) == expected, word
    # Not vacuous: the words find something, the Swedish letters across case among them.
    by_title = {title: i for i, title, _ in tricky}
    assert _found("redovisning") == {by_title["Årsredovisning 2025"]}
    assert _found("ÅRSR") == {by_title["Årsredovisning 2025"]}
    assert _found("år") == {by_title["Årsredovisning 2025"], by_title["ÅR för år"]}
    assert _found("ÉLAN") == {by_title["ÅR för år"]}
    assert _found("NEAR") == {by_title["Digital AND analog"]}
    assert _found("_allt_") == {by_title["Rabatt 50% på _allt_"]}
    assert _found("_") == {by_title["Rabatt 50% på _allt_"]}
    assert _found('"') == {by_title['Ett "citerat" ord']}
    assert _found("finns inte") == set()


def test_a_nul_in_the_search_is_refused(org, client, auth):
    auth.login("ledning@example.se")
    assert client.get("/initiatives?q=a%00b").status_code == 400


def test_the_index_follows_inserts_changes_and_deletes(org):
    first = factories.make_initiative(org.manager, title="Lönesystem", purpose="Byte av system")
    second = factories.make_initiative(org.manager, title="Ärendehantering", purpose="Ny e-tjänst")
    db.session.commit()
    assert _found("lönesys") == {first.id}
    first.title = "Schemaläggning"
    db.session.commit()
    assert _found("lönesys") == set()
    assert _found("SCHEMALÄGG") == {first.id}
    assert _found("byte av") == {first.id}  # the purpose is still indexed
    second.purpose = "Lönesystemets ersättare"
    db.session.commit()
    assert _found("lönesys") == {second.id}
    assert _found("e-tjänst") == set()
    # Writes that touch neither title nor purpose leave the index as it was.
    second.progress = 40
    db.session.commit()
    assert _found("lönesys") == {second.id}
    db.session.delete(second)
    db.session.commit()
    assert _found("lönesys") == set()
    assert _found("ärendehan") == set()
    if db.engine.dialect.name == "sqlite":
        # The index itself agrees with its content table.
        db.session.execute(
            text("INSERT INTO initiative_search (initiative_search) VALUES ('integrity-check')")
        )


def _list_page(client, query: str) -> str:
    page = client.get(f"/initiatives?{query}").get_data(as_text=True)
    return page


def test_a_renamed_initiative_is_found_by_its_new_title_only(org, client, auth):
    auth.login("chef@example.se")
    response = post(
        client, "/initiatives", form_data(org, title="Kvittoskanner för förskolan", purpose="Syfte")
    )
    assert response.status_code == 303
    initiative_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Kvittoskanner för förskolan" in _list_page(client, "q=KVITTOSKANNER")
    initiative = db.session.get(Initiative, initiative_id)
    p = org.principles[0]
    data = form_data(
        org, title="Fakturaflöde i förskolan", purpose="Syfte", version=str(initiative.version)
    )
    data[f"motivation_{p.id}"] = "Effektivare handläggning."
    assert post(client, f"/initiatives/{initiative_id}/edit", data).status_code == 303
    page = _list_page(client, "q=kvittoskanner")
    assert "Fakturaflöde" not in page and "Kvittoskanner" not in page
    assert "Fakturaflöde i förskolan" in _list_page(client, "q=fakturaflöde")


def test_the_search_uses_the_trigram_indexes(org, client, auth, captured):  # noqa: F811
    """With ten thousand rows (and their statistics) the planner would rather scan than read a
    GIN index for a word that few rows have; on SQLite the FTS table answers."""
    factories.make_initiative(org.manager, title="Årsredovisning", purpose="Syfte")
    db.session.commit()
    db.session.execute(
        text(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000) "
            "INSERT INTO initiative (title, purpose, benefit, target_group, department_id,"
            " owner_id, funding_source, risks, status, health, progress, created_at, updated_at,"
            " version) SELECT 'Initiativ nummer ' || x, 'Ett syfte som många har, variant '"
            " || (x % 97), '', '', :department, :owner, '', '', 'idea', 'on_track', 0,"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1 FROM n"
        ),
        {"department": org.manager.department_id, "owner": org.manager.id},
    )
    if db.engine.dialect.name == "postgresql":
        # New rows wait in a GIN index's pending list (cheap writes) until (auto)vacuum merges
        # them; until then the planner rightly counts the list's cost.
        for name in search.POSTGRESQL_INDEXES:
            db.session.execute(
                text("SELECT gin_clean_pending_list(CAST(:n AS regclass))"), {"n": name}
            )
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    auth.login("ledning@example.se")
    captured.clear()
    assert client.get("/initiatives?q=redovisning&page=1").status_code == 200
    db.session.rollback()
    plan = _plan(*_the(captured, "count(*)", "FROM initiative"))
    if db.engine.dialect.name == "sqlite":
        assert f"SCAN {search.SEARCH_TABLE} VIRTUAL TABLE INDEX" in plan, plan
    else:
        assert "Bitmap Index Scan on ix_initiative_title_trgm" in plan, plan
        assert "Bitmap Index Scan on ix_initiative_purpose_trgm" in plan, plan


def test_the_list_page_sends_as_many_queries_whatever_the_word(
    app, org, client, auth, count_queries
):
    # Counted without the cache: with it, the measured request was a hit, or a miss when a
    # minute turned between it and the warm-up (twice the statements; it failed CI once).
    app.config["CACHE"] = False
    for title in ("Redovisning av ab", "Ab och redovisning", "Årsredovisning ab"):
        factories.make_initiative(org.manager, title=title, purpose="Syfte")
    db.session.commit()
    auth.login("ledning@example.se")
    counts = {}
    for query in (
        "q=ab",
        "q=redovisning",
        "q=REDOVISNING&page=2",
        "q=å",
        "q=redovisning&sort=-title",
    ):
        client.get(f"/initiatives?{query}")  # compiled templates, loaded user
        with count_queries() as counter:
            assert client.get(f"/initiatives?{query}").status_code == 200
        counts[query] = counter.count
    assert len(set(counts.values())) == 1, counts


def test_the_migration_indexes_the_initiatives_already_there(app):
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="i20dash_frozen_entries")
    with db.engine.begin() as conn:
        for statement in (
            "INSERT INTO committee (id, name, short_name, active) VALUES (1, 'KS', 'KS', true)",
            "INSERT INTO department (id, name, code, committee_id, active)"
            " VALUES (1, 'IT', 'IT', 1, true)",
            "INSERT INTO user_account (id, email, name, role, active, language,"
            " must_change_password, session_token, created_at) VALUES (1, 'a@b.se', 'A',"
            " 'manager', true, 'sv', false, 't', '2026-01-01 00:00:00')",
            "INSERT INTO initiative (id, title, purpose, benefit, target_group, department_id,"
            " owner_id, funding_source, risks, status, health, progress, created_at, updated_at,"
            " version) VALUES (1, 'Årsredovisning', 'P', '', '', 1, 1, '', '', 'idea',"
            " 'on_track', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
        ):
            conn.execute(text(statement))
    upgrade()
    assert _found("redovisning") == {1}
    assert _found("ÅRSRED") == {1}
