"""The reporting periods migration: up and down, and the database's own guard on frozen reports
after an upgrade (not only after ``create_all``)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from tracker.extensions import db

TABLES = {"reporting_period", "committee_meeting", "period_report_mark", "frozen_report"}


def _empty_database():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_up_and_down_and_the_triggers(app):
    _empty_database()
    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO committee (id, name, short_name, active) VALUES (1, 'KS', 'KS', true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO reporting_period (id, name, starts_on, ends_on, deadline, created_at)"
                " VALUES (1, 'T1', '2026-01-01', '2026-04-30', '2026-04-20', '2026-05-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO frozen_report (id, period_id, committee_id, version, frozen_at,"
                " frozen_by_name, reason, initiative_count, content, sha256) VALUES (1, 1, 1, 1,"
                " '2026-05-02', 'L', '', 0, '{}', 'x')"
            )
        )
    for statement in ("UPDATE frozen_report SET reason = 'x'", "DELETE FROM frozen_report"):
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.engine.begin() as conn:  # a second version is a new row: allowed
        conn.execute(
            text(
                "INSERT INTO frozen_report (id, period_id, committee_id, version, frozen_at,"
                " frozen_by_name, reason, initiative_count, content, sha256) VALUES (2, 1, 1, 2,"
                " '2026-05-03', 'L', 'r', 0, '{}', 'y')"
            )
        )
    downgrade(revision="befe855c21c7")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
