"""What an export holds: the user's visible initiatives narrowed by the contract's filters.

The writers (``tabular``, ``documents``) only format. Everything here runs a fixed number of
queries per chunk of rows, so an export of 10,000 initiatives costs the same number of queries as
one of 10, give or take one round per chunk, and holds only one chunk in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from .. import downloads, models
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Committee,
    Department,
    Health,
    Initiative,
    Principle,
    PrincipleLink,
    Status,
    StatusUpdate,
    SupportRequest,
    User,
    utcnow,
)
from ..permissions import committee_scope
from ..portfolio.filters import PortfolioFilter
from ..portfolio.services import principle_ids, stale_condition, visible_initiatives
from .cells import clean

FORMATS = ("csv", "xlsx", "pdf", "docx")
# A document (PDF, Word) of more initiatives than this is refused; a spreadsheet serves better.
DOCUMENT_LIMIT = 500
CHUNK_SIZE = 1000


# --- the selection ----------------------------------------------------------------------------


def export_query(user: User, filters: PortfolioFilter, stale_days: int) -> Select:
    """The initiatives of the export, in report order: committee, department, title."""
    return (
        filters.apply(visible_initiatives(user), stale_condition(stale_days))
        .join(Department, Initiative.department_id == Department.id)
        .join(Committee, Department.committee_id == Committee.id)
        .order_by(Committee.name, Department.name, Initiative.title, Initiative.id)
    )


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


@dataclass(frozen=True)
class Summary:
    total: int
    by_status: dict[Status, int]
    # Health of the active initiatives only, as on the dashboard: a finished one has no health.
    by_health: dict[Health, int]
    stale: int
    average_progress: int | None


def summarise(query: Select, stale_days: int) -> Summary:
    """Counts by status and health, in one aggregate query."""
    sub = (
        query.order_by(None)
        .with_only_columns(
            Initiative.status,
            Initiative.health,
            Initiative.progress,
            case((stale_condition(stale_days), 1), else_=0).label("stale"),
        )
        .subquery()
    )
    by_status = dict.fromkeys(Status, 0)
    by_health = dict.fromkeys(Health, 0)
    total = stale = 0
    progress_sum = active_count = 0
    rows = db.session.execute(
        select(
            sub.c.status,
            sub.c.health,
            func.count(),
            func.sum(sub.c.stale),
            func.sum(sub.c.progress),
        ).group_by(sub.c.status, sub.c.health)
    )
    for status, health, n, n_stale, progress in rows:
        status, health = Status(status), Health(health)
        total += n
        stale += int(n_stale or 0)
        by_status[status] += n
        if status in ACTIVE_STATUSES:
            by_health[health] += n
            active_count += n
            progress_sum += int(progress or 0)
    average = round(progress_sum / active_count) if active_count else None
    return Summary(total, by_status, by_health, stale, average)


def summary_of(rows: list[Row]) -> Summary:
    """The same figures as ``summarise``, from rows already at hand (a frozen report's)."""
    by_status = dict.fromkeys(Status, 0)
    by_health = dict.fromkeys(Health, 0)
    stale = progress_sum = active = 0
    for row in rows:
        by_status[row.status] += 1
        stale += int(row.stale)
        if row.status in ACTIVE_STATUSES:
            by_health[row.health] += 1
            active += 1
            progress_sum += row.progress
    average = round(progress_sum / active) if active else None
    return Summary(len(rows), by_status, by_health, stale, average)


@dataclass(frozen=True)
class Table:
    """A titled table of text that every writer can add after the status list, e.g. what
    changed since the last committee report. Plain data, so a frozen snapshot can feed it."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    empty: str = ""  # shown instead of an empty table
    # The same rows for a workbook, typed: headers and rows of (kind, value) cells as the XLSX
    # writer takes them (numbers as numbers, dates as dates); None: the text rows.
    sheet: tuple[list[str], list[list[tuple[str, Any]]]] | None = None


# --- rows -------------------------------------------------------------------------------------


def _dirty(values: tuple) -> bool:
    return any(type(v) is str and clean(v) is not v for v in values)


@cache
def _text_fields(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


class _CleanText:
    """Every text of an export row without control characters, whatever the database holds
    (data from before input refused them, or written by other means): one bad character in a
    user's name made every Word file with that user's initiatives fail."""

    def __post_init__(self) -> None:
        # Through __dict__: the same as object.__setattr__ on a frozen dataclass, at a fraction
        # of the cost (10,000 rows of 20 fields), and only where cleaning changed something.
        values = self.__dict__
        for name in _text_fields(type(self)):
            value = values[name]
            if type(value) is str:  # not the str enums (Status, Health)
                cleaned = clean(value)
                if cleaned is not value:
                    values[name] = cleaned
            elif type(value) is list and value and any(_dirty(t) for t in value):
                values[name] = [tuple(clean(v) if type(v) is str else v for v in t) for t in value]


@dataclass(frozen=True)
class UpdateInfo(_CleanText):
    day: date
    happened: str
    next_steps: str
    support_needed: str


@dataclass(frozen=True)
class SupportInfo(_CleanText):
    """The initiative's open support request: what it asks, since when, for how many days."""

    text: str
    since: date
    days: int

    def one_line(self) -> str:
        return f"{self.text} ({self.since.isoformat()})"


@dataclass(frozen=True)
class DecisionInfo(_CleanText):
    day: date | None
    meeting: str
    text: str
    comment: str

    def one_line(self) -> str:
        parts = [self.day.isoformat() if self.day else "", self.meeting]
        head = " ".join(p for p in parts if p)
        return f"{head}: {self.text}" if head else self.text


@dataclass(frozen=True)
class Row(_CleanText):
    id: int
    title: str
    purpose: str
    committee: str
    department: str
    owner: str
    status: Status
    status_label: str
    health: Health
    health_label: str
    progress: int
    start_date: date | None
    target_date: date | None
    last_update: date | None
    stale: bool
    principles: list[tuple[str, str]]  # (name, motivation)
    update: UpdateInfo | None
    decision: DecisionInfo | None
    cost_estimate: int | None = None  # kronor
    support: SupportInfo | None = None

    @classmethod
    def of_clean(cls, **values: Any) -> Row:
        """The same row as ``Row(**values)`` (every field given), for a caller that has cleaned
        the text already (``rows`` does, once per distinct name): no second look at each field."""
        row = object.__new__(cls)
        row.__dict__.update(values)
        return row

    @property
    def cost_text(self) -> str:
        """ "1 200 000 kr", or "" when no estimate was given."""
        if self.cost_estimate is None:
            return ""
        return f"{self.cost_estimate:,}".replace(",", "\N{NO-BREAK SPACE}") + "\N{NO-BREAK SPACE}kr"

    @property
    def principle_names(self) -> str:
        return ", ".join(name for name, _motivation in self.principles)


class LocalDates:
    """The local calendar day of UTC moments, as ``moment.astimezone(tz).date()`` gives it, at
    a fraction of the cost for thousands of rows: a day without a change of UTC offset (every
    day but two a year) is one addition, the offset looked up once per UTC day."""

    def __init__(self, tz: tzinfo):
        self.tz = tz
        self.offsets: dict[date, timedelta | None] = {}

    def __call__(self, moment: datetime | None) -> date | None:
        if moment is None:
            return None
        day = moment.astimezone(UTC).date() if moment.utcoffset() else moment.date()
        offset = self.offsets.get(day, False)
        if offset is False:
            offset = self.offsets[day] = self._offset(day)
        if offset is None:  # the offset changes that day
            return moment.astimezone(self.tz).date()
        return (moment + offset).date()

    def _offset(self, day: date) -> timedelta | None:
        first = datetime.combine(day, time(0), UTC).astimezone(self.tz).utcoffset()
        last = datetime.combine(day, time(23, 59, 59, 999999), UTC).astimezone(self.tz).utcoffset()
        return first if first == last else None


def _chunks(query: Select, stale_days: int, chunk_size: int, *extra: Any) -> Iterator[list]:
    """The export's columns, streamed ``chunk_size`` rows at a time: id, title, purpose,
    committee, department, owner, status, health, progress, start date, target date, last
    update, stale, then ``extra``. Core rows, not the ORM's result machinery: plain tuples are
    all an export reads."""
    columns = query.with_only_columns(
        Initiative.id,
        Initiative.title,
        Initiative.purpose,
        Committee.name,
        Department.name,
        User.name,
        Initiative.status,
        Initiative.health,
        Initiative.progress,
        Initiative.start_date,
        Initiative.target_date,
        Initiative.last_update_at,
        case((stale_condition(stale_days), True), else_=False),
        *extra,
    ).join(User, Initiative.owner_id == User.id)
    result = db.session.connection().execute(columns.execution_options(stream_results=True))
    yield from result.partitions(chunk_size)


def rows(
    query: Select,
    stale_days: int,
    locale: str,
    tz: tzinfo,
    chunk_size: int = CHUNK_SIZE,
    updates: bool = True,
) -> Iterator[Row]:
    """The export's rows, fetched ``chunk_size`` at a time, with four more queries per chunk
    (principle links, latest status updates, latest decisions, open support requests).
    ``updates=False`` leaves the status updates out (``Row.update`` is None): the spreadsheets
    do not show them, and they are the most expensive of the four.

    Plain column tuples rather than ORM objects: an export only reads, and building 40,000
    objects for 10,000 initiatives would cost more than the whole file.
    """
    local_date = LocalDates(tz)
    # Each text cleaned once: the names repeat from row to row, and ``Row.of_clean`` does not
    # check them again.
    principles = {p.id: clean(p.name(locale)) for p in db.session.scalars(select(Principle))}
    statuses = {s: (s, clean(str(s.label))) for s in Status}  # by member or by stored value
    healths = {h: (h, clean(str(h.label))) for h in Health}
    names: dict[str, str] = {}

    def name(text: str) -> str:
        cleaned = names.get(text)
        if cleaned is None:
            cleaned = names[text] = clean(text)
        return cleaned

    for chunk in _chunks(query, stale_days, chunk_size, Initiative.cost_estimate):
        ids = [r[0] for r in chunk]
        links = principle_links(ids)
        latest = latest_updates(ids, local_date) if updates else {}
        decisions = latest_decisions(ids)
        requests = open_requests(ids, local_date)
        for (
            id_,
            title,
            purpose,
            committee,
            department,
            owner,
            status,
            health,
            progress,
            start_date,
            target_date,
            last_update_at,
            stale,
            cost_estimate,
        ) in chunk:
            status, status_label = statuses[status]
            health, health_label = healths[health]
            yield Row.of_clean(
                id=id_,
                title=clean(title),
                purpose=clean(purpose),
                committee=name(committee),
                department=name(department),
                owner=name(owner),
                status=status,
                status_label=status_label,
                health=health,
                health_label=health_label,
                progress=progress,
                start_date=start_date,
                target_date=target_date,
                last_update=local_date(last_update_at),
                stale=bool(stale),
                principles=[(principles.get(pid, ""), text) for pid, text in links.get(id_, ())],
                update=latest.get(id_),
                decision=decisions.get(id_),
                cost_estimate=cost_estimate,
                support=requests.get(id_),
            )


def sheet_rows(
    query: Select, stale_days: int, locale: str, tz: tzinfo, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple]:
    """The spreadsheet's rows as plain tuples, in the order of ``tabular.COLUMNS`` (title,
    committee, department, owner, status label, health label, progress, start date, target
    date, last update, stale, principle names, support text, support since, latest decision,
    purpose, id), without a ``Row`` per initiative: the CSV of 10,000 initiatives reads its rows
    from this. The text is as the database holds it (``csv_text`` cleans what it writes), the
    principle names joined as ``Row.principle_names``, the labels, support and decision as
    ``rows`` gives them; a missing support or decision is None."""
    local_date = LocalDates(tz)
    principles = {p.id: clean(p.name(locale)) for p in db.session.scalars(select(Principle))}
    statuses = {s: clean(str(s.label)) for s in Status}
    healths = {h: clean(str(h.label)) for h in Health}
    joined: dict[tuple[int, ...], str] = {(): ""}
    for chunk in _chunks(query, stale_days, chunk_size):
        ids = [r[0] for r in chunk]
        links = principle_ids(ids)
        decisions = latest_decisions(ids)
        requests = open_requests(ids, local_date)
        for (
            id_,
            title,
            purpose,
            committee,
            department,
            owner,
            status,
            health,
            progress,
            start_date,
            target_date,
            last_update_at,
            stale,
        ) in chunk:
            ids_of = links.get(id_, ())
            names = joined.get(ids_of)
            if names is None:
                names = joined[ids_of] = ", ".join(principles.get(p, "") for p in ids_of)
            support = requests.get(id_)
            decision = decisions.get(id_)
            yield (
                title,
                committee,
                department,
                owner,
                statuses[status],
                healths[health],
                progress,
                start_date,
                target_date,
                local_date(last_update_at),
                bool(stale),
                names,
                support.text if support else None,
                support.since if support else None,
                decision.one_line() if decision else None,
                purpose,
                id_,
            )


def principle_links(ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(principle id, motivation) of each initiative, in principle order."""
    links: dict[int, list[tuple[int, str]]] = {}
    query = (
        select(PrincipleLink.initiative_id, PrincipleLink.principle_id, PrincipleLink.motivation)
        .join(Principle, Principle.id == PrincipleLink.principle_id)
        .where(PrincipleLink.initiative_id.in_(ids))
        .order_by(PrincipleLink.initiative_id, Principle.sort_order, Principle.id)
    )
    for initiative_id, principle_id, motivation in db.session.connection().execute(query).all():
        links.setdefault(initiative_id, []).append((principle_id, clean(motivation)))
    return links


def _newest(model: Any, ids: list[int], *conditions):
    """A subquery of the id of the newest row of ``model`` per initiative in ``ids`` (among the
    rows that meet ``conditions``)."""
    newest = (
        func.row_number()
        .over(partition_by=model.initiative_id, order_by=(model.created_at.desc(), model.id.desc()))
        .label("newest")
    )
    ranked = select(model.id, newest).where(model.initiative_id.in_(ids), *conditions).subquery()
    return select(ranked.c.id).where(ranked.c.newest == 1)


def latest_updates(ids: list[int], tz: tzinfo | LocalDates) -> dict[int, UpdateInfo]:
    """The latest status update of each initiative that says something (what happened or next
    steps), in one query: a bare confirmation in a status round does not empty the report."""
    if not ids:
        return {}
    local_date = tz if isinstance(tz, LocalDates) else LocalDates(tz)
    says_something = (StatusUpdate.happened != "") | (StatusUpdate.next_steps != "")
    query = select(
        StatusUpdate.initiative_id,
        StatusUpdate.created_at,
        StatusUpdate.happened,
        StatusUpdate.next_steps,
        StatusUpdate.support_needed,
    ).where(StatusUpdate.id.in_(_newest(StatusUpdate, ids, says_something)))
    return {
        initiative_id: UpdateInfo(
            day=local_date(created_at),
            happened=happened or "",
            next_steps=next_steps or "",
            support_needed=support_needed or "",
        )
        for initiative_id, created_at, happened, next_steps, support_needed in (
            db.session.connection().execute(query)
        )
    }


def open_requests(ids: list[int], tz: tzinfo | LocalDates) -> dict[int, SupportInfo]:
    """The open support request of each initiative, in one query."""
    if not ids:
        return {}
    local_date = tz if isinstance(tz, LocalDates) else LocalDates(tz)
    now = utcnow()
    query = select(
        SupportRequest.initiative_id, SupportRequest.text, SupportRequest.opened_at
    ).where(SupportRequest.initiative_id.in_(ids), SupportRequest.closed_at.is_(None))
    return {
        initiative_id: SupportInfo(
            text=text or "",
            since=local_date(opened_at),
            days=max(0, (now - opened_at).days),
        )
        for initiative_id, text, opened_at in db.session.connection().execute(query)
    }


def latest_decisions(ids: list[int]) -> dict[int, DecisionInfo]:
    """The latest decision on each initiative. The decisions of the board feature live in
    another part of the code base; this is the one place that reads them, and it answers with
    nothing where the model does not exist, so the exports work either way."""
    decision_model = getattr(models, "Decision", None)
    if decision_model is None or not ids:
        return {}
    query = select(decision_model).where(decision_model.id.in_(_newest(decision_model, ids)))
    return {d.initiative_id: _decision_info(d) for d in db.session.scalars(query)}


def _decision_info(decision: Any) -> DecisionInfo:
    text = getattr(decision, "summary", None) or getattr(decision, "text", "") or ""
    return DecisionInfo(
        day=getattr(decision, "decided_on", None),
        meeting=getattr(decision, "meeting", "") or "",
        text=str(text),
        comment=getattr(decision, "comment", "") or "",
    )


# --- describing the selection -----------------------------------------------------------------


def report_committee(user: User, filters: PortfolioFilter) -> Committee | None:
    """The committee the export is about: the one filtered on, else the filtered department's,
    else the reader's own scope."""
    committee_id = filters.committee_id
    if committee_id is None and filters.department_id:
        committee_id = db.session.scalar(
            select(Department.committee_id).where(Department.id == filters.department_id)
        )
    committee_id = committee_id or committee_scope(user)
    return db.session.get(Committee, committee_id) if committee_id else None


def describe_filter(user: User, filters: PortfolioFilter, locale: str) -> list[tuple[str, str]]:
    """The filter in words, as (label, value) pairs, for the documents and the summary sheet."""
    described: list[tuple[str, str]] = []
    if filters.committee_id:
        committee = db.session.get(Committee, filters.committee_id)
        described.append((_("Committee"), f"{committee.name} ({committee.short_name})"))
    if filters.department_id:
        described.append((_("Department"), db.session.get(Department, filters.department_id).name))
    if filters.principle_id:
        principle = db.session.get(Principle, filters.principle_id)
        described.append((_("Principle"), principle.name(locale)))
    if filters.statuses:
        described.append((_("Status"), ", ".join(str(s.label) for s in filters.statuses)))
    if filters.healths:
        described.append((_("Health"), ", ".join(str(h.label) for h in filters.healths)))
    if filters.stale:
        described.append((_("Only those that need an update"), _("Yes")))
    if filters.support:
        described.append((_("Only those that ask for support"), _("Yes")))
    if filters.q:
        described.append((_("Search"), filters.q))
    scope = committee_scope(user)
    if scope is not None and scope != filters.committee_id:
        committee = db.session.get(Committee, scope)
        described.append((_("Your access is limited to"), committee.name))
    if not described:
        described.append((_("Selection"), _("None: every initiative you may see")))
    return described


def filter_for_audit(filters: PortfolioFilter) -> dict[str, list[str]]:
    return filters.as_args().to_dict(flat=False)


# --- file names ---------------------------------------------------------------------------------


def file_names(committee: Committee | None, day: date, extension: str) -> tuple[str, str]:
    """An ASCII file name and its UTF-8 original, e.g. ``statuslista-bun-2026-11-27.xlsx``."""
    which = committee.short_name if committee else _("all")
    stem = _("status-list")
    return downloads.file_names(f"{stem}-{which.lower()}-{day.isoformat()}.{extension}")


def content_disposition(committee: Committee | None, day: date, extension: str) -> str:
    """An attachment (ASVS 3.2.1) with both the plain and the RFC 5987 file name."""
    return downloads.attachment(file_names(committee, day, extension)[1])


def local_today(tz: tzinfo) -> date:
    return datetime.now(tz).date()
