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


def test_status_updates_made_by_decisions_before_the_column_are_linked(app):
    """i33 finds the status updates that pause and close decisions made before i32 gave them a
    decision_id (same author and initiative, the status the kind sets, the text ending with the
    meeting, within a minute) and links them; the owner's own reports stay reports."""
    from datetime import UTC, datetime, timedelta

    from tracker.models import Decision, DecisionKind, Status, StatusUpdate

    from . import factories

    _empty_database()
    upgrade(revision="i32update_decision")
    org = factories.make_org()
    initiative = factories.make_initiative(org.manager, title="Pausas")
    decided = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    decision = Decision(initiative_id=initiative.id, author_id=org.management.id,
                        created_at=decided, decided_on=decided.date(), meeting="LG 2026-03-01",
                        kind=DecisionKind.PAUSE)  # fmt: skip
    db.session.add(decision)
    db.session.flush()

    def update(author, status, happened, at):
        row = StatusUpdate(initiative_id=initiative.id, author_id=author.id, created_at=at,
                           status=status, health=initiative.health, progress=10,
                           happened=happened)  # fmt: skip
        db.session.add(row)
        db.session.flush()
        return row.id

    by_decision = update(org.management, Status.PAUSED, "Pausas (LG 2026-03-01)",
                         decided + timedelta(milliseconds=5))  # fmt: skip
    owners = update(org.manager, Status.PAUSED, "Pausat (LG 2026-03-01)",
                    decided + timedelta(seconds=2))  # fmt: skip
    later = update(org.management, Status.PAUSED, "Pausas (LG 2026-03-01)",
                   decided + timedelta(hours=2))  # fmt: skip
    db.session.commit()
    upgrade()
    db.session.expire_all()
    links = dict(db.session.execute(text("SELECT id, decision_id FROM status_update")).all())
    assert links[by_decision] == decision.id
    assert links[owners] is None and links[later] is None


def test_a_decisions_status_no_longer_counts_as_the_latest_report(app):
    """i35 gives back to each initiative whose latest status update is a decision's the date of
    its owner's latest report (none: NULL); an owner's report after the decision is kept."""
    from datetime import UTC, datetime, timedelta

    from tracker.models import Decision, DecisionKind, Initiative, Status, StatusUpdate

    from . import factories

    _empty_database()
    upgrade(revision="i34coverage")
    org = factories.make_org()
    decided = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    reported = decided - timedelta(days=40)
    cases = {}
    for name, owner_reports in (
        ("never", []),
        ("before", [reported]),
        ("after", [reported, decided + timedelta(days=1)]),
    ):
        initiative = factories.make_initiative(org.manager, title=name)
        decision = Decision(initiative_id=initiative.id, author_id=org.management.id,
                            created_at=decided, decided_on=decided.date(), meeting="LG",
                            kind=DecisionKind.PAUSE)  # fmt: skip
        db.session.add(decision)
        db.session.flush()
        rows = [(org.management.id, decided, decision.id)] + [
            (org.manager.id, at, None) for at in owner_reports
        ]
        for author_id, at, decision_id in rows:
            db.session.add(StatusUpdate(initiative_id=initiative.id, author_id=author_id,
                                        created_at=at, status=Status.PAUSED,
                                        health=initiative.health, progress=10,
                                        decision_id=decision_id))  # fmt: skip
        initiative.last_update_at = max(at for _a, at, _d in rows)  # as the decision left it
        cases[name] = initiative.id
    db.session.commit()
    upgrade()
    db.session.expire_all()
    after = {
        name: db.session.get(Initiative, initiative_id).last_update_at
        for name, initiative_id in cases.items()
    }
    assert after == {
        "never": None,
        "before": reported,
        "after": decided + timedelta(days=1),
    }
