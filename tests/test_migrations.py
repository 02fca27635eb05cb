"""Migrations: from empty to head on SQLite and PostgreSQL, agree with the models, keep data."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, inspect, text

from tracker.extensions import db
from tracker.models import search


def _empty_database():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_from_empty_matches_the_models(app):
    _empty_database()
    upgrade()
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLAlchemy cannot reflect an index on an expression (ix_initiative_board), so the
        # comparison leaves those out; test_expression_indexes_are_made checks them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": search.include_name}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], differences
    assert "initiative" in inspect(db.engine).get_table_names()


def test_expression_indexes_are_made(app):
    """The indexes on expressions, which the comparison above cannot see, exist after the
    migrations with the same names as in the models."""
    _empty_database()
    upgrade()
    expected = {
        index.name
        for table in db.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(expression, Column) for expression in index.expressions)
    }
    assert "ix_initiative_board" in expected
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    with db.engine.connect() as conn:
        made = set(conn.execute(text(query)).scalars())
    assert expected <= made, expected - made


def _triggers() -> set[tuple[str, str]]:
    """(table, trigger) for every trigger in the database, and its function's source on
    PostgreSQL (the triggers of the tallies, the search index, the frozen reports)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = (
            "SELECT c.relname, t.tgname || ':' || p.prosrc FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal"
        )
    with db.engine.connect() as conn:
        return {(table, " ".join(sql.split())) for table, sql in conn.execute(text(query))}


def test_upgrade_from_empty_makes_the_triggers_the_models_make(app):
    """The migrations leave the same triggers, with the same statements, as ``create_all``: a
    trigger a migration forgot (or left at an older version) would keep a tally wrong."""
    made_by_models = _triggers()
    assert {"status_update", "principle_link", "initiative"} <= {t for t, _s in made_by_models}
    _empty_database()
    upgrade()
    assert _triggers() == made_by_models


def test_downgrade_to_empty_and_back(app):
    _empty_database()
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()


def test_upgrading_keeps_the_rows_that_refer_to_rebuilt_tables(app):
    """Batch mode rebuilds tables on SQLite; with foreign keys on, that used to cascade-delete
    every status update and principle link."""
    _empty_database()
    upgrade(revision="e1c3c26848b5")
    statements = [
        "INSERT INTO committee (id, name, short_name, active) VALUES (1, 'KS', 'KS', true)",
        "INSERT INTO department (id, name, code, committee_id, active)"
        " VALUES (1, 'IT', 'IT', 1, true)",
        "INSERT INTO user_account (id, email, name, role, active, language, must_change_password,"
        " session_token, created_at) VALUES (1, 'a@b.se', 'A', 'manager', true, 'sv', false, 't',"
        " '2026-01-01 00:00:00')",
        "INSERT INTO principle (id, key, name_sv, name_en, description_sv, description_en,"
        " sort_order) VALUES (1, 'k', 'K', 'K', '', '', 1)",
        "INSERT INTO initiative (id, title, purpose, benefit, target_group, department_id,"
        " owner_id, funding_source, risks, status, health, progress, last_update_at, created_at,"
        " updated_at, version) VALUES (1, 'T', 'P', '', '', 1, 1, '', '', 'in_progress',"
        " 'on_track', 10, '2026-02-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
        "INSERT INTO principle_link (id, initiative_id, principle_id, motivation)"
        " VALUES (1, 1, 1, 'm')",
        "INSERT INTO status_update (id, initiative_id, author_id, created_at, status, health,"
        " progress, happened, next_steps, support_needed) VALUES (1, 1, 1, '2026-02-01 00:00:00',"
        " 'in_progress', 'on_track', 10, '', '', 'Hjälp med upphandlingen')",
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM principle_link")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM status_update")).scalar() == 1
        # The support flag is carried over from the latest update, now as an open request.
        assert (
            conn.execute(text("SELECT text FROM support_request WHERE closed_at IS NULL")).scalar()
            == "Hjälp med upphandlingen"
        )


def test_support_flags_become_open_requests_and_back(app):
    """An initiative whose current flag is set gets an open request from the update that set it
    (with that update's time, author and text); one whose flag is not set gets none, even if an
    older update asked. Downgrading sets the flag again from the open requests."""
    _empty_database()
    upgrade(revision="befe855c21c7")
    initiative = (
        "INSERT INTO initiative (id, title, purpose, benefit, target_group, department_id,"
        " owner_id, funding_source, risks, status, health, progress, last_update_at, created_at,"
        " updated_at, version, support_requested) VALUES ({id}, 'T{id}', 'P', '', '', 1, 1, '',"
        " '', 'in_progress', 'off_track', 10, '2026-03-01 00:00:00', '2026-01-01 00:00:00',"
        " '2026-01-01 00:00:00', 1, {flag})"
    )
    update = (
        "INSERT INTO status_update (id, initiative_id, author_id, created_at, status, health,"
        " progress, happened, next_steps, support_needed) VALUES ({id}, {initiative}, {author},"
        " '{at}', 'in_progress', 'off_track', 10, '', '', '{support}')"
    )
    statements = [
        "INSERT INTO committee (id, name, short_name, active) VALUES (1, 'KS', 'KS', true)",
        "INSERT INTO department (id, name, code, committee_id, active)"
        " VALUES (1, 'IT', 'IT', 1, true)",
        *(
            "INSERT INTO user_account (id, email, name, role, active, language,"  # noqa: S608 - test data
            f" must_change_password, session_token, created_at) VALUES ({n}, 'u{n}@b.se', 'U{n}',"
            " 'manager', true, 'sv', false, 't', '2026-01-01 00:00:00')"
            for n in (1, 2)
        ),
        initiative.format(id=1, flag="true"),
        initiative.format(id=2, flag="false"),
        update.format(id=1, initiative=1, author=1, at="2026-02-01 00:00:00", support="Gammal"),
        update.format(id=2, initiative=1, author=2, at="2026-03-01 00:00:00", support="Pengar"),
        update.format(id=3, initiative=2, author=1, at="2026-02-01 00:00:00", support="Förr"),
        update.format(id=4, initiative=2, author=1, at="2026-03-01 00:00:00", support=""),
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT initiative_id, opened_by_id, opened_by_update_id, latest_update_id, text,"
                " closed_at FROM support_request"
            )
        ).all()
        assert [tuple(r) for r in rows] == [(1, 2, 2, 2, "Pengar", None)]
        opened_at = conn.execute(text("SELECT opened_at FROM support_request")).scalar()
        assert str(opened_at).startswith("2026-03-01")
        assert "support_requested" not in {
            c["name"] for c in inspect(conn).get_columns("initiative")
        }
        assert conn.execute(text("SELECT count(*) FROM status_update")).scalar() == 4
    downgrade(revision="befe855c21c7")
    with db.engine.connect() as conn:
        flags = dict(conn.execute(text("SELECT id, support_requested FROM initiative")).all())
        assert {k: bool(v) for k, v in flags.items()} == {1: True, 2: False}
        assert "support_request" not in inspect(conn).get_table_names()
    upgrade()


def test_the_summaries_published_before_keep_being_shown_while_a_new_one_waits(app, org):
    """i36: a publication published before the migration gets its summary as the approved one
    (so a new proposal keeps it public); a proposal never approved gets none."""
    from tracker.models import Publication, PublicationState
    from tracker.public import services

    from . import factories

    shown = factories.make_initiative(org.manager, title="Publicerad")
    waiting = factories.make_initiative(org.manager, title="Föreslagen")
    db.session.add_all(
        [
            Publication(
                initiative_id=shown.id, state=PublicationState.PUBLISHED, public_summary="Godkänd"
            ),
            Publication(
                initiative_id=waiting.id, state=PublicationState.PROPOSED, public_summary="Ny"
            ),
        ]
    )
    db.session.commit()
    shown_id, waiting_id, owner_id = shown.id, waiting.id, org.manager.id
    db.session.remove()
    from flask_migrate import stamp

    stamp()  # the test database was made from the models, at head
    downgrade(revision="i35decision_last_report")
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT initiative_id, published_summary FROM publication ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [(shown_id, "Godkänd"), (waiting_id, None)]
    from tracker.models import Initiative, User

    shown = db.session.get(Initiative, shown_id)
    services.propose(db.session.get(User, owner_id), shown, "Ändrad")
    db.session.commit()
    publication = services.publication_of(shown)
    assert publication.revision_waits and publication.summary_for_residents == "Godkänd"
    assert services.is_public(shown, publication, services.allowed())
