"""Migrations: from empty to head on SQLite and PostgreSQL, agree with the models, keep data."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tracker.extensions import db


def _empty_database():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_from_empty_matches_the_models(app):
    _empty_database()
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], differences
    assert "initiative" in inspect(db.engine).get_table_names()


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
        # The support flag is carried over from the latest update.
        assert conn.execute(text("SELECT support_requested FROM initiative")).scalar()
