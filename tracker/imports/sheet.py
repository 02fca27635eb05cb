"""Reading the initiatives sheet and checking every row, without writing anything.

``read`` turns an uploaded file into a ``Sheet`` (its heading and rows with their line numbers).
``check`` recognises the columns (or takes the user's mapping), reads every row into the
initiatives service's ``InitiativeData``, and collects every problem of every row: the rules of
the registration form come from ``initiatives.services.check_all``, so they are the same here.
The sheet travels between the preview and the confirmation signed, bound to the user and
time-limited (``sign``/``unsign``), with the versions of the initiatives it would update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..admin.services.users import EMAIL_RE
from ..extensions import db
from ..initiatives import services as initiatives
from ..models import (
    Department,
    Health,
    Initiative,
    InitiativeImportKey,
    Principle,
    Role,
    User,
    normalise_email,
)
from ..uploads import ImportFileError, TooManyRows, find_heading, read_rows
from ..validators import has_control_characters, strip_invisible
from . import columns as cols

MAX_ROWS = 2000
MAX_COLUMNS = 50
KEY_LIMIT = 100
PAYLOAD_MAX_AGE = 3600
SALT = "tracker.imports.initiatives"
CHUNK = 500
_SPLIT_EMAILS = re.compile(r"[\s,;]+")
OWNER_ROLES = (Role.MANAGER, Role.ADMIN)


@dataclass
class Sheet:
    filename: str
    heading_line: int
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (line in the file, cells)


@dataclass
class Options:
    mapping: dict[int, str] = field(default_factory=dict)  # column index -> column key or IGNORE
    existing: str = "skip"  # what to do with initiatives already imported: "skip" or "update"
    create_owners: bool = False


@dataclass
class SheetColumn:
    index: int
    heading: str
    key: str | None  # a column key, a principle key, IGNORE, or None: not recognised
    recognised: bool  # by its heading (else the user chose, or must choose)


@dataclass
class NewOwner:
    email: str
    name: str
    department_id: int | None
    lines: list[int] = field(default_factory=list)


@dataclass
class Row:
    line: int
    title: str
    department: str
    owner: str
    action: str = "create"  # "create", "update" or "skip"
    unchanged: bool = False  # an update that would leave the initiative as it is
    existing_id: int | None = None
    existing_title: str = ""
    version: int | None = None
    key: str = ""
    data: initiatives.InitiativeData | None = None
    update: initiatives.UpdateData | None = None
    owner_id: int | None = None  # None: a new owner, created by the import
    owner_email: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class Check:
    sheet: Sheet
    options: Options
    columns: list[SheetColumn]
    choices: list[tuple[str, str]]  # what an unrecognised column can be mapped to
    sheet_problems: list[str]
    rows: list[Row]
    new_owners: dict[str, NewOwner]

    @property
    def valid(self) -> bool:
        return not self.sheet_problems and not any(row.problems for row in self.rows)

    def count(self, action: str) -> int:
        """Rows by what the import will do with them: "create", "update" (those it changes),
        "unchanged" (updates that leave the initiative as it is) or "skip"."""
        if action == "unchanged":
            return sum(1 for row in self.rows if row.action == "update" and row.unchanged)
        wanted = [row for row in self.rows if row.action == action]
        return sum(1 for row in wanted if not (action == "update" and row.unchanged))

    @property
    def problem_rows(self) -> list[Row]:
        return [row for row in self.rows if row.problems]

    @property
    def versions(self) -> dict[int, int]:
        return {r.existing_id: r.version for r in self.rows if r.existing_id is not None}


# --- reading ------------------------------------------------------------------------------------


def _principles() -> list[Principle]:
    principles = db.session.scalars(select(Principle).order_by(Principle.sort_order, Principle.id))
    return [p for p in principles if p.retired_at is None]


def _recogniser(principles: list[Principle]) -> dict[str, str]:
    """Folded heading -> column key."""
    known = {}
    for principle in principles:
        for heading in cols.principle_headings(principle):
            known.setdefault(heading, cols.principle_key(principle))
    for column in cols.COLUMNS:
        for heading in column.headings():
            known[heading] = column.key
    return known


def read(filename: str, data: bytes) -> Sheet:
    """The sheet in an uploaded file: the heading (found below any title rows) and its rows."""
    try:
        rows = read_rows(filename, data, MAX_ROWS)
    except TooManyRows:
        raise ImportFileError(_too_many_initiatives()) from None
    known = _recogniser(_principles())
    index = find_heading(rows, lambda text: cols.fold(text) in known)
    heading_line, headings = rows[index]
    headings = [h.strip() for h in headings]
    while headings and not headings[-1]:
        headings.pop()
    if len(headings) > MAX_COLUMNS:
        raise ImportFileError(_l("The sheet has more than %(n)d columns.", n=MAX_COLUMNS))
    body = rows[index + 1 :]
    if not body:
        raise ImportFileError(_l("The file has a heading but no initiatives."))
    if len(body) > MAX_ROWS:
        raise ImportFileError(_too_many_initiatives())
    return Sheet(filename or "", heading_line, headings, body)


def _too_many_initiatives():
    return _l("The file has more than %(n)d initiatives. Split it into smaller files.", n=MAX_ROWS)


# --- between the preview and the confirmation ---------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign(secret_key: str, actor_id: int, sheet: Sheet, versions: dict[int, int]) -> str:
    payload = {
        "actor": actor_id,
        "file": sheet.filename,
        "heading": [sheet.heading_line, sheet.headings],
        "rows": sheet.rows,
        "versions": {str(k): v for k, v in versions.items()},
    }
    return _serializer(secret_key).dumps(payload)


def unsign(secret_key: str, actor_id: int, payload: str) -> tuple[Sheet, dict[int, int]]:
    """The sheet (and the versions it was checked against) of a preview this user made within
    the hour, or ImportFileError."""
    expired = _l("The preview has expired or is not valid. Upload the file again.")
    try:
        data = _serializer(secret_key).loads(payload or "", max_age=PAYLOAD_MAX_AGE)
    except BadSignature:
        raise ImportFileError(expired) from None
    if not isinstance(data, dict) or data.get("actor") != actor_id:
        raise ImportFileError(expired)
    line, headings = data["heading"]
    sheet = Sheet(data["file"], line, headings, [(n, cells) for n, cells in data["rows"]])
    return sheet, {int(k): v for k, v in data["versions"].items()}


# --- checking -----------------------------------------------------------------------------------


def _choices(principles: list[Principle], locale: str) -> list[tuple[str, str]]:
    choices = [(c.key, str(c.label)) for c in cols.COLUMNS]
    choices += [
        (cols.principle_key(p), _("Principle: %(name)s", name=p.name(locale))) for p in principles
    ]
    return choices


def _columns(sheet: Sheet, options: Options, known: dict[str, str], valid_keys: set[str]):
    result = []
    for index, heading in enumerate(sheet.headings):
        chosen = options.mapping.get(index)
        recognised_key = known.get(cols.fold(heading)) if heading else None
        if chosen in valid_keys or chosen == cols.IGNORE:
            result.append(SheetColumn(index, heading, chosen, recognised_key == chosen))
        else:
            result.append(SheetColumn(index, heading, recognised_key, recognised_key is not None))
    return result


def _cell(cells: list[str], index: int) -> str:
    """A cell's text, without the invisible characters the forms drop too."""
    return strip_invisible(cells[index]).strip() if index < len(cells) else ""


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def normalise_key(text: str) -> str:
    return " ".join(text.split()).upper()


def _title_key(title: str, department_id: int | None) -> tuple[str, int | None]:
    return (" ".join(title.split()).casefold(), department_id)


def check(
    sheet: Sheet,
    options: Options,
    *,
    may_create_owners: bool,
    versions: dict[int, int] | None = None,
    locale: str = "sv",
    progress=None,
) -> Check:
    """Every problem of the sheet and of each of its rows; nothing is written. ``versions`` are
    those the user saw in the preview: an initiative saved since then is a problem."""
    principles = _principles()
    principle_by_key = {cols.principle_key(p): p for p in principles}
    known = _recogniser(principles)
    valid_keys = {c.key for c in cols.COLUMNS} | set(principle_by_key)
    columns = _columns(sheet, options, known, valid_keys)
    problems: list[str] = []
    where: dict[str, int] = {}
    for column in columns:
        if column.key is None:
            if column.heading:
                problems.append(
                    _(
                        "The column “%(heading)s” was not recognised. Choose what it holds, or "
                        "ignore it.",
                        heading=column.heading[:60],
                    )
                )
            elif any(_cell(cells, column.index) for _line, cells in sheet.rows):
                problems.append(
                    _(
                        "Column %(n)d has values but no heading. Choose what it holds, or "
                        "ignore it.",
                        n=column.index + 1,
                    )
                )
            else:
                column.key = cols.IGNORE  # an empty column without a heading is nothing
        elif column.key != cols.IGNORE:
            if column.key in where:
                problems.append(
                    _(
                        "The columns “%(first)s” and “%(second)s” hold the same thing. Ignore one "
                        "of them.",
                        first=sheet.headings[where[column.key]][:60] or str(where[column.key] + 1),
                        second=column.heading[:60] or str(column.index + 1),
                    )
                )
            else:
                where[column.key] = column.index
    for key in cols.REQUIRED:
        if key not in where:
            problems.append(
                _(
                    "The sheet has no column “%(heading)s”. Add it, or choose which column holds "
                    "it.",
                    heading=cols.BY_KEY[key].sv,
                )
            )
    if not any(key in where for key in principle_by_key):
        problems.append(
            _(
                "The sheet has no column for a principle (%(names)s). Add one per principle, with "
                "how the initiative contributes.",
                names=", ".join(p.name_sv for p in principles),
            )
        )
    width = max(len(sheet.headings), 1)
    for line, cells in sheet.rows:
        if any(cell.strip() for cell in cells[width:]):
            problems.append(
                _("Line %(line)d has values to the right of the last heading.", line=line)
            )
            break

    rows = _check_rows(
        sheet, options, where, principle_by_key, may_create_owners, versions or {}, progress
    )
    new_owners = _new_owners(rows, sheet, where)
    return Check(sheet, options, columns, _choices(principles, locale), problems, rows, new_owners)


def _new_owners(rows: list[Row], sheet: Sheet, where: dict[str, int]) -> dict[str, NewOwner]:
    owners: dict[str, NewOwner] = {}
    for row in rows:
        if row.action == "skip" or row.owner_id is not None or not row.owner_email:
            continue
        owner = owners.get(row.owner_email)
        if owner is None:
            owner = owners[row.owner_email] = NewOwner(
                row.owner_email, "", row.data.department_id if row.data else None
            )
        owner.lines.append(row.line)
    cells_by_line = dict(sheet.rows)
    for owner in owners.values():
        name = ""
        if "owner_name" in where:
            for line in owner.lines:
                name = " ".join(_cell(cells_by_line[line], where["owner_name"]).split())
                if name:
                    break
        owner.name = name[:200] or name_from_email(owner.email)
    return owners


def name_from_email(email: str) -> str:
    """anna.svensson@kommun.se -> Anna Svensson: a name to start with, the user can change it."""
    local = email.split("@", 1)[0]
    parts = [p for p in re.split(r"[._\-+]+", local) if p]
    return " ".join(p[:1].upper() + p[1:] for p in parts)[:200] or email[:200]


def _check_rows(sheet, options, where, principle_by_key, may_create_owners, versions, progress):
    values_by_row = [
        (line, {key: _cell(cells, index) for key, index in where.items()})
        for line, cells in sheet.rows
    ]
    emails = set()
    for _line, values in values_by_row:
        emails.add(normalise_email(values.get("owner", "")))
        emails.update(normalise_email(e) for e in _SPLIT_EMAILS.split(values.get("co_owners", "")))
    emails.discard("")
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        users.update(
            (u.email, u) for u in db.session.scalars(select(User).where(User.email.in_(chunk)))
        )
    departments = list(db.session.scalars(select(Department)))
    by_code = {d.code.upper(): d for d in departments}
    by_name = {cols.fold(d.name): d for d in departments}
    keys = {normalise_key(v.get("key", "")) for _l, v in values_by_row} - {""}
    by_import_key: dict[str, int] = {}
    for chunk in _chunks(keys):
        by_import_key.update(
            db.session.execute(
                select(InitiativeImportKey.key, InitiativeImportKey.initiative_id).where(
                    InitiativeImportKey.key.in_(chunk)
                )
            ).all()
        )
    by_title: dict[tuple[str, int], int] = {}
    titles = {" ".join(v.get("title", "").split()).casefold() for _l, v in values_by_row}
    for initiative_id, title, department_id in db.session.execute(
        select(Initiative.id, Initiative.title, Initiative.department_id)
    ):
        key = _title_key(title, department_id)
        if key[0] in titles:
            by_title.setdefault(key, initiative_id)
    lookup = initiatives.Lookup.load()

    rows: list[Row] = []
    matched: dict[int, Row] = {}
    seen_keys: dict[str, int] = {}
    seen_titles: dict[tuple[str, int | None], int] = {}
    seen_initiatives: dict[int, int] = {}
    for done, (line, values) in enumerate(values_by_row, start=1):
        row = _read_row(
            line,
            values,
            where,
            principle_by_key,
            by_code,
            by_name,
            users,
            options,
            may_create_owners,
        )
        department_id = row.data.department_id if row.data else None
        title_key = _title_key(values.get("title", ""), department_id)
        if row.key:
            if row.key in seen_keys:
                row.problems.append(
                    _("The import key is also on line %(line)d.", line=seen_keys[row.key])
                )
            seen_keys.setdefault(row.key, line)
        if title_key[0] and department_id is not None:
            if title_key in seen_titles:
                row.problems.append(
                    _(
                        "The same title and department are also on line %(line)d.",
                        line=seen_titles[title_key],
                    )
                )
            seen_titles.setdefault(title_key, line)
        existing = by_import_key.get(row.key) if row.key else None
        if existing is None:
            existing = by_title.get(title_key)
        if existing is not None:
            if existing in seen_initiatives:
                row.problems.append(
                    _(
                        "This row and line %(line)d are the same initiative.",
                        line=seen_initiatives[existing],
                    )
                )
            seen_initiatives.setdefault(existing, line)
            row.existing_id = existing
            row.action = "update" if options.existing == "update" else "skip"
            matched[existing] = row
        rows.append(row)
        if progress is not None:
            progress(done, len(values_by_row))

    # The initiatives already imported: their current versions and, to update, their values.
    loaded: dict[int, Initiative] = {}
    for chunk in _chunks(matched):
        query = select(Initiative).where(Initiative.id.in_(chunk))
        if options.existing == "update":
            query = query.options(
                selectinload(Initiative.co_owners),
                selectinload(Initiative.principle_links),
                selectinload(Initiative.maturity_categories),
            )
        loaded.update((i.id, i) for i in db.session.scalars(query))
    for initiative_id, row in matched.items():
        initiative = loaded[initiative_id]
        row.existing_title = initiative.title
        row.version = initiative.version
        seen = versions.get(initiative_id)
        if row.action == "skip":
            row.problems = []  # a row that is skipped is not checked
            row.data = row.update = None
            continue
        if seen is not None and seen != initiative.version:
            row.problems.append(
                _(
                    "Someone has changed “%(title)s” since you checked the file. Check the file "
                    "again to see the current version.",
                    title=initiative.title[:80],
                )
            )
        row.data = _overlay(initiatives.data_of(initiative), row.data, where)
        row.version = seen if seen is not None else initiative.version
    for row in rows:
        if row.data is not None:
            _service_problems(row, where, principle_by_key, lookup)
        if row.action == "update" and row.data is not None and not row.problems:
            row.unchanged = not initiatives.imported_changes(
                loaded[row.existing_id], row.data, row.owner_id, row.update
            )
    return rows


def _overlay(current, sheet_data, where):
    """The initiative's values with those of the columns the sheet has."""
    if sheet_data is None:
        return None
    fields = {
        "title": "title",
        "purpose": "purpose",
        "benefit": "benefit",
        "target_group": "target_group",
        "department": "department_id",
        "co_owners": "co_owner_ids",
        "start_date": "start_date",
        "target_date": "target_date",
        "funding": "funding_source",
        "cost": "cost_estimate",
        "risks": "risks",
    }
    for key, name in fields.items():
        if key in where:
            setattr(current, name, getattr(sheet_data, name))
    principle_columns = [k for k in where if k.startswith(cols.PRINCIPLE_PREFIX)]
    for key in principle_columns:
        principle_id = int(key.removeprefix(cols.PRINCIPLE_PREFIX))
        if principle_id in sheet_data.principles:
            current.principles[principle_id] = sheet_data.principles[principle_id]
        else:
            current.principles.pop(principle_id, None)
    return current


FIELD_COLUMNS = {
    "title": "title",
    "purpose": "purpose",
    "benefit": "benefit",
    "target_group": "target_group",
    "department_id": "department",
    "co_owner_ids": "co_owners",
    "start_date": "start_date",
    "target_date": "target_date",
    "funding_source": "funding",
    "cost_estimate": "cost",
    "risks": "risks",
    "progress": "progress",
    "happened": "report",
}


def _label(key: str, principle_by_key) -> str:
    if key in principle_by_key:
        return principle_by_key[key].name_sv
    return str(cols.BY_KEY[key].label)


def _service_problems(row: Row, where, principle_by_key, lookup) -> None:
    """The rules of the registration form, from the initiatives service: the same everywhere."""
    errors = initiatives.check_all(row.data, lookup)
    marked = any(
        p.startswith(tuple(p2.name_sv + ":" for p2 in principle_by_key.values()))
        for p in row.problems
    )
    if row.update is not None:
        errors += initiatives.check_update_all(row.update)
    for error in errors:
        if error.field == "department_id" and row.data.department_id is None:
            continue  # already said: the department is missing or unknown
        if error.field == "principles" and (
            marked or not any(k.startswith(cols.PRINCIPLE_PREFIX) for k in where)
        ):
            continue  # said already: a principle marked without a motivation, or no column
        if error.field.startswith("motivation_"):
            key = cols.PRINCIPLE_PREFIX + error.field.removeprefix("motivation_")
        else:
            key = FIELD_COLUMNS.get(error.field)
        required = key in cols.BY_KEY and cols.BY_KEY[key].required
        if required and key not in where:
            continue  # the column is missing: said once for the sheet
        label = _label(key, principle_by_key) if key else _("Principles")
        row.problems.append(f"{label}: {error.message}")


def _read_row(
    line, values, where, principle_by_key, by_code, by_name, users, options, may_create_owners
) -> Row:
    row = Row(
        line=line,
        title=values.get("title", ""),
        department=values.get("department", ""),
        owner=values.get("owner", ""),
    )
    problems = row.problems
    for key, value in values.items():
        if has_control_characters(value, multiline=True):
            problems.append(
                _(
                    "%(column)s: the cell holds control characters.",
                    column=_label(key, principle_by_key),
                )
                if key != cols.IGNORE
                else _("A cell holds control characters.")
            )
    row.key = normalise_key(values.get("key", ""))
    if len(row.key) > KEY_LIMIT:
        problems.append(_("Import key: at most %(n)d characters.", n=KEY_LIMIT))
        row.key = ""

    department = None
    text = values.get("department", "")
    if "department" in where:
        if not text:
            problems.append(_("Department: the department is missing."))
        else:
            department = by_code.get(text.upper()) or by_name.get(cols.fold(text))
            if department is None:
                problems.append(
                    _("Department: there is no department “%(value)s”.", value=text[:80])
                )
            elif not department.active:
                problems.append(_("Department: “%(value)s” has been deactivated.", value=text[:80]))
                department = None

    email = normalise_email(values.get("owner", ""))
    row.owner_email = ""
    if "owner" in where:
        owner = users.get(email)
        if not email:
            problems.append(_("Owner: the owner's e-mail address is missing."))
        elif not EMAIL_RE.match(email) or len(email) > 254:
            problems.append(_("Owner: “%(value)s” is not an e-mail address.", value=email[:80]))
        elif owner is None:
            if may_create_owners and options.create_owners:
                row.owner_email = email  # created as a manager by the import
            elif may_create_owners:
                problems.append(
                    _(
                        "Owner: no user has the e-mail address “%(value)s”. Choose to create "
                        "the missing owners, or correct the address.",
                        value=email,
                    )
                )
            else:
                problems.append(
                    _(
                        "Owner: no user has the e-mail address “%(value)s”. Correct it, or ask "
                        "a system administrator to add the user.",
                        value=email,
                    )
                )
        elif not owner.active:
            problems.append(_("Owner: %(value)s has been deactivated.", value=email))
        elif owner.role not in OWNER_ROLES:
            problems.append(
                _(
                    "Owner: %(value)s is not a manager and cannot own initiatives.",
                    value=email,
                )
            )
        else:
            row.owner_id = owner.id
            row.owner_email = email

    co_owner_ids = []
    unknown = []
    for address in _SPLIT_EMAILS.split(values.get("co_owners", "")):
        address = normalise_email(address)
        if not address:
            continue
        user = users.get(address)
        if user is None or not user.active:
            unknown.append(address[:80])
        elif user.id not in co_owner_ids:
            co_owner_ids.append(user.id)
    if unknown:
        problems.append(
            _("Co-owners: no active user has the address %(value)s.", value=", ".join(unknown[:5]))
        )

    dates = {}
    for key in ("start_date", "target_date"):
        text = values.get(key, "")
        dates[key] = cols.parse_date(text) if text else None
        if text and dates[key] is None:
            problems.append(
                _(
                    "%(column)s: “%(value)s” is not a date. Write it as YYYY-MM-DD, e.g. "
                    "2026-03-01.",
                    column=cols.BY_KEY[key].sv,
                    value=text[:40],
                )
            )
    cost = None
    text = values.get("cost", "")
    if text:
        cost = cols.parse_whole_number(text, ("kronor", "kr", "sek", ":-"))
        if cost is None:
            problems.append(
                _("Cost: “%(value)s” is not a whole number of kronor.", value=text[:40])
            )

    principles = {}
    for key, principle in principle_by_key.items():
        text = values.get(key, "")
        if not text:
            continue
        if cols.is_mark(text):
            problems.append(
                _(
                    "%(principle)s: “%(value)s” marks the principle but does not say how the "
                    "initiative contributes. Write the motivation in the cell instead.",
                    principle=principle.name_sv,
                    value=text[:20],
                )
            )
        else:
            principles[principle.id] = text

    row.data = initiatives.InitiativeData(
        title=values.get("title", ""),
        purpose=values.get("purpose", ""),
        benefit=values.get("benefit", ""),
        target_group=values.get("target_group", ""),
        department_id=department.id if department else None,
        co_owner_ids=co_owner_ids,
        start_date=dates["start_date"],
        target_date=dates["target_date"],
        funding_source=values.get("funding", ""),
        cost_estimate=cost,
        risks=values.get("risks", ""),
        principles=principles,
    )
    row.update = _first_update(values, problems)
    if row.owner_id is not None and row.owner_id in co_owner_ids:
        co_owner_ids.remove(row.owner_id)
    return row


def _first_update(values: dict[str, str], problems: list[str]):
    status_text = values.get("status", "")
    if not status_text:
        if any(values.get(k) for k in ("health", "progress", "report")):
            problems.append(
                _(
                    "Status: give a status too, or leave the assessment, progress and status "
                    "report empty."
                )
            )
        return None
    status = cols.parse_status(status_text)
    if status is None:
        problems.append(
            _(
                "Status: “%(value)s” is not a status. Use Idé, Planerad, Pågående, Pausad, "
                "Genomförd or Avbruten.",
                value=status_text[:40],
            )
        )
    health_text = values.get("health", "")
    health = cols.parse_health(health_text) if health_text else Health.ON_TRACK
    if health is None:
        problems.append(
            _(
                "Assessment: “%(value)s” is not an assessment. Use Enligt plan, Risk or Avvikelse.",
                value=health_text[:40],
            )
        )
    progress_text = values.get("progress", "").removesuffix("%").strip()
    progress = cols.parse_whole_number(progress_text) if progress_text else 0
    if progress is None:
        problems.append(
            _(
                "Progress: “%(value)s” is not a whole number from 0 to 100.",
                value=values.get("progress", "")[:40],
            )
        )
    if status is None or health is None or progress is None:
        return None
    return initiatives.UpdateData(
        status=status, health=health, progress=progress, happened=values.get("report", "")
    )
