"""``tracker import-initiatives FILE``: the same check and the same import as in the browser."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..uploads import ImportFileError
from . import bp, services, sheet


def _mapping(pairs: tuple[str, ...], headings: list[str]) -> dict[int, str]:
    """``--map "Heading=column"`` (or ``=ignore``): the same choice as the preview's."""
    mapping = {}
    folded = [sheet.cols.fold(h) for h in headings]
    principles = {sheet.cols.principle_key(p) for p in sheet._principles()}
    known = sorted({*sheet.cols.BY_KEY, *principles, sheet.cols.IGNORE})
    for pair in pairs:
        heading, sep, key = pair.rpartition("=")
        key = key.strip()
        if not sep or key not in known:
            raise click.UsageError(
                gettext("--map “%(pair)s”: write HEADING=COLUMN, where COLUMN is one of: "
                        "%(keys)s.", pair=pair, keys=", ".join(known))
            )  # fmt: skip
        wanted = sheet.cols.fold(heading)
        if wanted not in folded:
            raise click.UsageError(
                gettext("--map “%(pair)s”: the sheet has no column “%(heading)s”.",
                        pair=pair, heading=heading)
            )  # fmt: skip
        mapping[folded.index(wanted)] = key
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
    from ..cli import require_schema

    require_schema()
    with force_locale(lang):
        if file.stat().st_size > 16 * 1024 * 1024:
            click.echo(gettext("The file is larger than 16 MB."), err=True)
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
        with click.progressbar(
            length=len(data.rows), label=gettext("Checking"), file=sys.stderr
        ) as bar:
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
            problems = ngettext(
                "%(num)d problem; nothing was imported.",
                "%(num)d problems; nothing was imported.",
                count,
            )
            click.echo(f"\n{problems}", err=True)
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            click.echo(_dry_run(check))
            return
        try:
            with click.progressbar(
                length=len(check.rows), label=gettext("Importing"), file=sys.stderr
            ) as bar:
                result = services.run(
                    None, check, progress=lambda done, total: bar.update(done - bar.pos)
                )
            db.session.commit()
        except (services.ImportProblems, IntegrityError) as error:
            db.session.rollback()
            click.echo(str(getattr(error, "message", error)), err=True)
            sys.exit(1)
        click.echo(_imported(result))
        for _id, name, email, password in result.owners:
            click.echo(
                gettext("New owner %(email)s (%(name)s): one-time password %(password)s",
                        email=email, name=name, password=password)
            )  # fmt: skip


def _dry_run(check: sheet.Check) -> str:
    """What an import would do, in the chosen language: "Dry run: 2 to create, …"."""
    owners = len(check.new_owners)
    return gettext(
        "Dry run: %(create)d to create, %(update)d to update, %(unchanged)d unchanged, "
        "%(skip)d to skip, %(owners)s. Nothing was written.",
        create=check.count("create"),
        update=check.count("update"),
        unchanged=check.count("unchanged"),
        skip=check.count("skip"),
        owners=ngettext("%(num)d new owner", "%(num)d new owners", owners),
    )


def _imported(result: services.Result) -> str:
    """What the import did: "Imported workshop.xlsx: 2 created, 0 updated, …"."""
    return gettext(
        "Imported %(file)s: %(created)s, %(updated)s, %(unchanged)s, %(skipped)s.",
        file=result.filename,
        created=ngettext("%(num)d created", "%(num)d created", len(result.created)),
        updated=ngettext("%(num)d updated", "%(num)d updated", len(result.updated)),
        unchanged=ngettext("%(num)d unchanged", "%(num)d unchanged", len(result.unchanged)),
        skipped=ngettext("%(num)d skipped", "%(num)d skipped", len(result.skipped)),
    )


def _report(check: sheet.Check) -> None:
    for problem in check.sheet_problems:
        click.echo(f"{check.sheet.filename}: {problem}", err=True)
    for row in check.problem_rows:
        for problem in row.problems:
            click.echo(f"{check.sheet.filename}:{row.line}: {problem}", err=True)
