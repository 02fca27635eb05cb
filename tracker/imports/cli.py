"""``tracker import-initiatives FILE``: the same check and the same import as in the browser."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..uploads import ImportFileError
from . import bp, services, sheet


def _mapping(pairs: tuple[str, ...], headings: list[str]) -> dict[int, str]:
    """``--map "Heading=column"`` (or ``=ignore``): the same choice as the preview's."""
    mapping = {}
    folded = [sheet.cols.fold(h) for h in headings]
    for pair in pairs:
        heading, _sep, key = pair.rpartition("=")
        wanted = sheet.cols.fold(heading)
        if wanted not in folded:
            raise click.UsageError(f"--map {pair!r}: the sheet has no column {heading!r}.")
        mapping[folded.index(wanted)] = key.strip()
    return mapping


@bp.cli.command("import-initiatives")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the sheet and report; write nothing.")
@click.option(
    "--existing",
    type=click.Choice(["skip", "update"]),
    default="skip",
    show_default=True,
    help="What to do with initiatives imported before (same import key, or title and department).",
)
@click.option(
    "--create-owners", is_flag=True, help="Create owners who have no account yet, as managers."
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="HEADING=COLUMN",
    help="What an unrecognised column holds (a column key such as purpose, or ignore). Repeatable.",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
def import_initiatives_command(
    file: Path, dry_run: bool, existing: str, create_owners: bool, mappings, lang: str
) -> None:
    """Import initiatives from a CSV or XLSX sheet: every row or, on any problem, none."""
    with force_locale(lang):
        if file.stat().st_size > 16 * 1024 * 1024:
            click.echo("The file is larger than 16 MB.", err=True)
            sys.exit(2)
        try:
            data = sheet.read(file.name, file.read_bytes())
        except ImportFileError as error:
            click.echo(str(error.message), err=True)
            sys.exit(2)
        options = sheet.Options(
            mapping=_mapping(mappings, data.headings),
            existing=existing,
            create_owners=create_owners,
        )
        with click.progressbar(length=len(data.rows), label="Checking", file=sys.stderr) as bar:
            check = sheet.check(
                data,
                options,
                may_create_owners=True,
                locale=lang,
                progress=lambda done, total: bar.update(done - bar.pos),
            )
        _report(check)
        if not check.valid:
            db.session.rollback()
            count = len(check.problem_rows) + (1 if check.sheet_problems else 0)
            click.echo(f"\n{count} problem(s); nothing was imported.", err=True)
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            click.echo(
                f"Dry run: {check.count('create')} to create, {check.count('update')} to update, "
                f"{check.count('skip')} to skip, {len(check.new_owners)} new owner(s). "
                "Nothing was written."
            )
            return
        try:
            with click.progressbar(
                length=len(check.rows), label="Importing", file=sys.stderr
            ) as bar:
                result = services.run(
                    None, check, progress=lambda done, total: bar.update(done - bar.pos)
                )
            db.session.commit()
        except (services.ImportProblems, IntegrityError) as error:
            db.session.rollback()
            click.echo(str(getattr(error, "message", error)), err=True)
            sys.exit(1)
        click.echo(
            f"Imported {result.filename}: {len(result.created)} created, "
            f"{len(result.updated)} updated, {len(result.unchanged)} unchanged, "
            f"{len(result.skipped)} skipped."
        )
        for _id, name, email, password in result.owners:
            click.echo(f"New owner {email} ({name}): one-time password {password}")


def _report(check: sheet.Check) -> None:
    for problem in check.sheet_problems:
        click.echo(f"{check.sheet.filename}: {problem}", err=True)
    for row in check.problem_rows:
        for problem in row.problems:
            click.echo(f"{check.sheet.filename}:{row.line}: {problem}", err=True)
