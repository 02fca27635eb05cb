"""Importing users from a CSV or XLSX file: parse, show every row's problems, write all or nothing.

Between the preview and the confirmation the validated rows travel in a signed, time-limited hidden
field bound to the admin who uploaded them; nothing is kept on the server. The rows are checked
again on confirmation, because the database may have changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ... import audit
from ...extensions import db
from ...models import Department, Role, User, normalise_email
from ...permissions import can_administer, require
from ...uploads import ImportFileError, check_row_count, heading_key, read_table
from . import AdminError
from .users import EMAIL_RE

MAX_ROWS = 2000
PAYLOAD_MAX_AGE = 3600  # seconds between preview and confirmation
SALT = "tracker.admin.user-import"
COLUMNS = ("name", "email", "role", "department")
# Headings accepted for each column, compared without case, spaces, hyphens and underscores.
HEADINGS = {
    "name": {"name", "namn"},
    "email": {"email", "epost", "epostadress", "emailaddress", "mail"},
    "role": {"role", "roll"},
    "department": {
        "department",
        "departmentcode",
        "avdelning",
        "avdelningskod",
        "kod",
        "code",
    },
}
ROLE_NAMES = {
    "manager": Role.MANAGER,
    "chef": Role.MANAGER,
    "management": Role.MANAGEMENT,
    "ledningsgrupp": Role.MANAGEMENT,
    "committee": Role.COMMITTEE,
    "nämnd": Role.COMMITTEE,
    "namnd": Role.COMMITTEE,
    "admin": Role.ADMIN,
    "systemförvaltare": Role.ADMIN,
    "systemforvaltare": Role.ADMIN,
}


@dataclass
class ImportRow:
    line: int  # as the user sees it in the file: the heading is line 1
    name: str
    email: str
    role: str
    department: str
    problems: list = field(default_factory=list)

    def values(self) -> list:
        return [self.line, self.name, self.email, self.role, self.department]


def _columns(header: list[str]) -> list[str]:
    """The column name of each heading, or ImportFileError naming what is wrong."""
    names = []
    for heading in header:
        key = heading_key(heading)
        name = next((c for c, accepted in HEADINGS.items() if key in accepted), None)
        if name is None or name in names:
            raise ImportFileError(
                _l(
                    "The columns must be exactly: name, e-mail, role, department code. "
                    "Column “%(heading)s” is not one of them, or appears twice.",
                    heading=heading.strip()[:50],
                )
            )
        names.append(name)
    if set(names) != set(COLUMNS):
        raise ImportFileError(
            _l("The columns must be exactly: name, e-mail, role, department code.")
        )
    return names


def parse_file(filename: str, data: bytes) -> list[ImportRow]:
    """The rows of a CSV or XLSX file with its heading checked; ImportFileError if unreadable."""
    header, body = read_table(filename, data, MAX_ROWS)
    columns = _columns(header)
    check_row_count(
        body,
        MAX_ROWS,
        _l("The file has a heading but no users."),
        _l("The file has more than %(n)d users. Split it into smaller files.", n=MAX_ROWS),
    )
    rows = []
    for number, cells in enumerate(body, start=2):
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        extra = [cell for cell in cells[len(columns) :] if cell.strip()]
        row = ImportRow(
            number, values["name"], values["email"], values["role"], values["department"]
        )
        if extra:
            row.problems.append(_l("The row has more cells than there are columns."))
        rows.append(row)
    return rows


def check_rows(rows: list[ImportRow]) -> bool:
    """Add every row's problems against the database and the rest of the file; True if none."""
    emails = {normalise_email(r.email) for r in rows}
    taken = set()
    email_list = sorted(emails)
    for start in range(0, len(email_list), 500):
        chunk = email_list[start : start + 500]
        taken.update(db.session.scalars(select(User.email).where(User.email.in_(chunk))))
    departments = {d.code.upper(): d for d in db.session.scalars(select(Department))}
    seen: dict[str, int] = {}
    for row in rows:
        email = normalise_email(row.email)
        if not " ".join(row.name.split()):
            row.problems.append(_l("The name is missing."))
        elif len(row.name) > 200:
            row.problems.append(_l("The name may be at most 200 characters long."))
        if not EMAIL_RE.match(email) or len(email) > 254:
            row.problems.append(_l("The e-mail address is not valid."))
        elif email in taken:
            row.problems.append(_l("There is already a user with this e-mail address."))
        elif email in seen:
            row.problems.append(
                _l("The e-mail address is also on line %(line)d.", line=seen[email])
            )
        else:
            seen[email] = row.line
        if row.role.strip().lower() not in ROLE_NAMES:
            row.problems.append(_l("Unknown role. Use manager, management, committee or admin."))
        code = row.department.strip().upper()
        if code:
            department = departments.get(code)
            if department is None:
                row.problems.append(_l("Unknown department code."))
            elif not department.active:
                row.problems.append(_l("The department is deactivated."))
    return not any(row.problems for row in rows)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign_rows(secret_key: str, actor: User, rows: list[ImportRow]) -> str:
    return _serializer(secret_key).dumps({"actor": actor.id, "rows": [r.values() for r in rows]})


def unsign_rows(secret_key: str, actor: User, payload: str) -> list[ImportRow]:
    """The rows of a preview this admin made within the hour, or ImportFileError."""
    try:
        data = _serializer(secret_key).loads(payload or "", max_age=PAYLOAD_MAX_AGE)
    except BadSignature:
        raise ImportFileError(
            _l("The preview has expired or is not valid. Upload the file again.")
        ) from None
    if not isinstance(data, dict) or data.get("actor") != actor.id:
        raise ImportFileError(_l("The preview has expired or is not valid. Upload the file again."))
    return [ImportRow(*values) for values in data["rows"]]


def import_users(actor: User, rows: list[ImportRow]) -> list[User]:
    """Create every user, or none: the caller commits once, or rolls back on AdminError.

    Imported users get no password: an admin issues each a one-time password when they start.
    """
    require(can_administer(actor))
    if not rows or not check_rows(rows):
        raise AdminError(_l("Some rows have problems. Nothing was imported."))
    departments = {d.code.upper(): d for d in db.session.scalars(select(Department))}
    users = []
    for row in rows:
        department = departments.get(row.department.strip().upper())
        user = User(
            name=" ".join(row.name.split()),
            email=row.email,
            role=ROLE_NAMES[row.role.strip().lower()],
            department=department,
            password_hash=None,
            must_change_password=True,
        )
        db.session.add(user)
        users.append(user)
    db.session.flush()
    for user in users:
        audit.record(
            actor,
            "user.create",
            user,
            {
                "name": user.name,
                "email": user.email,
                "role": user.role.value,
                "department": user.department.code if user.department else None,
                "imported": True,
            },
        )
    audit.record(actor, "user.import", None, {"count": len(users)})
    return users
