"""`tracker import-initiatives FILE`: the browser's check and import from the command line."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Initiative, User

from .test_imports import GOOD, HEADING, NEW_OWNER, ROW_2, rows_of, xlsx


def initiatives() -> int:
    return db.session.scalar(select(func.count(Initiative.id)))


def test_dry_run_checks_and_writes_nothing(runner, org, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_bytes(GOOD.encode("cp1252"))
    result = runner.invoke(args=["import-initiatives", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        "Provkörning: 2 att skapa, 0 att uppdatera, 0 oförändrade, 0 att hoppa över, 0 nya ägare. "
        "Inget har sparats."
    ) in result.output
    assert initiatives() == 0
    result = runner.invoke(args=["import-initiatives", str(path), "--dry-run", "--lang", "en"])
    assert (
        "Dry run: 2 to create, 0 to update, 0 unchanged, 0 to skip, 0 new owners. "
        "Nothing was written."
    ) in result.output
    assert initiatives() == 0


def test_the_summary_says_one_or_several_in_the_chosen_language(runner, org, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(NEW_OWNER)
    for lang, owners, problems in [
        ("sv", "1 ny ägare", "1 problem; inget har importerats."),
        ("en", "1 new owner.", "1 problem; nothing was imported."),
    ]:
        result = runner.invoke(args=["import-initiatives", str(path), "--lang", lang])
        assert result.exit_code == 1 and problems in result.output, result.output
        dry = ["import-initiatives", str(path), "--dry-run", "--create-owners", "--lang", lang]
        result = runner.invoke(args=dry)
        assert result.exit_code == 0 and owners in result.output, result.output
    result = runner.invoke(args=["import-initiatives", str(path), "--create-owners"])
    assert result.exit_code == 0, result.output
    assert "Importerade workshop.csv: 2 skapade, 0 uppdaterade, 0 oförändrade" in result.output


def test_problems_are_reported_with_their_lines_and_exit_non_zero(runner, org, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(
        GOOD + ROW_2.replace("WS-02;Chattbot", "WS-03;Ny").replace("Grundskolan", "XYZ")
    )
    result = runner.invoke(args=["import-initiatives", str(path)])
    assert result.exit_code == 1
    assert "workshop.csv:4: Avdelning: det finns ingen avdelning ”XYZ”." in result.output
    assert "1 problem; inget har importerats." in result.output
    assert "nothing was imported" not in result.output
    assert initiatives() == 0
    result = runner.invoke(args=["import-initiatives", str(path), "--lang", "en"])
    assert "workshop.csv:4: Department: there is no department “XYZ”." in result.output
    assert "1 problem; nothing was imported." in result.output


def test_import_then_skip_then_update(runner, org, tmp_path):
    path = tmp_path / "workshop.xlsx"
    path.write_bytes(xlsx(rows_of(GOOD)))
    result = runner.invoke(args=["import-initiatives", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "Importerade workshop.xlsx: 2 skapade, 0 uppdaterade, 0 oförändrade, 0 överhoppade."
    ) in result.output
    assert initiatives() == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.import"))
    assert event.actor_id is None and event.changes["file"] == "workshop.xlsx"
    result = runner.invoke(args=["import-initiatives", str(path)])
    assert result.exit_code == 0 and "2 överhoppade" in result.output
    path.write_bytes(xlsx(rows_of(GOOD.replace("Svara dygnet runt", "Nytt syfte"))))
    update = ["import-initiatives", str(path), "--existing", "update", "--lang", "en"]
    result = runner.invoke(args=update)
    assert result.exit_code == 0, result.output
    assert (
        "Imported workshop.xlsx: 0 created, 1 updated, 1 unchanged, 0 skipped."
    ) in result.output
    assert initiatives() == 2


def test_create_owners_prints_their_one_time_passwords(runner, org, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(NEW_OWNER)
    assert runner.invoke(args=["import-initiatives", str(path)]).exit_code == 1
    result = runner.invoke(args=["import-initiatives", str(path), "--create-owners"])
    assert result.exit_code == 0, result.output
    assert "Ny ägare ny.chef@example.se (Ny Chef): engångslösenord" in result.output
    assert db.session.scalar(
        select(User).where(User.email == "ny.chef@example.se")
    ).must_change_password


def test_map_an_unknown_column(runner, org, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(GOOD.replace("Syfte;", "Varför;", 1))
    result = runner.invoke(args=["import-initiatives", str(path)])
    assert result.exit_code == 1 and "Varför" in result.output
    result = runner.invoke(args=["import-initiatives", str(path), "--map", "Varför=purpose"])
    assert result.exit_code == 0, result.output
    assert initiatives() == 2
    bad = runner.invoke(args=["import-initiatives", str(path), "--map", "Finns inte=purpose"])
    assert bad.exit_code != 0
    # A column that names nothing, or no "=": a usage error that lists the columns.
    for value in ("Varför=bogus", "garbage"):
        bad = runner.invoke(args=["import-initiatives", str(path), "--map", value])
        assert bad.exit_code == 2, (value, bad.output)
        assert "purpose" in bad.output and "ignore" in bad.output, bad.output


def test_an_unreadable_file(runner, org, tmp_path):
    path = tmp_path / "workshop.xlsx"
    path.write_bytes(b"not a workbook")
    result = runner.invoke(args=["import-initiatives", str(path)])
    assert result.exit_code == 2 and "XLSX" in result.output
    path = tmp_path / "heading.csv"
    path.write_text(HEADING + "\n")
    assert runner.invoke(args=["import-initiatives", str(path)]).exit_code == 2
