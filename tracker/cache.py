"""A per-process cache of computed portfolio figures that can never serve stale data.

Every transaction that changes anything a page can show moves the ``data_version`` counter on
just before it commits. What shows nowhere does not count: the audit trail, the counter itself, and
the sign-in bookkeeping on a user (last sign-in, session token, password hash); so sign-ins,
exports and refused requests leave every cached page valid. A cached value is stored under the
counter it was computed at, so as soon as any process commits a change, every process computes
afresh. Figures that depend on the clock (what is stale, which months the trend shows) also carry
the minute they were computed in.

Invalidating only what a write changes: besides that counter (row 1 of ``data_version``, moved on
by every change), a change that touches only initiatives and what belongs to one initiative (its
status updates, decisions, principle links, benefits, publication, support request, report marks:
rows with an ``initiative_id``) moves on the counter of each committee those initiatives belong
to (before and after a move between departments); any other change (a user, a department, the
settings, a principle, a frozen report, a bulk statement) moves on the shared counter instead,
which every committee's pages depend on. A page for the whole portfolio (the management group's,
the public pages) depends on row 1: any change shows on it at once, on every server. A page for
one committee (what a committee reader sees) depends on the shared counter and its committee's
only, so a status round in one committee leaves the other committees' pages cached.

The cache keeps only current entries: each scope (the whole portfolio, or one committee) holds the
entries of the newest generation (its counters and the minute) it has seen, and every lookup reads
all counters (one query) and drops each scope whose entries are older, so outdated pages never
pile up and a process's memory stays bounded (at most ``MAX_ENTRIES`` entries for the portfolio
and ``MAX_COMMITTEE_ENTRIES`` per committee). A request still reading an older generation (a
transaction that began before the change) computes its value without storing it.

``TRACKER_CACHE=off`` turns every page cache off (the figures, the dashboard's and the board's
HTML, the public pages); ``TRACKER_FIGURES_CACHE=false``, the older name, does the same.

The cache lives on the application (``app.extensions``), so a new application, as in the tests,
starts empty.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .extensions import db
from .models import DataVersion, Department, Initiative, utcnow

T = TypeVar("T")
MAX_ENTRIES = 128
MAX_COMMITTEE_ENTRIES = 32
# Rows of data_version: every change; changes not confined to committees; committee c's changes.
ALL_ROW = 1
SHARED_ROW = 2
COMMITTEE_ROW = 1000  # + the committee's id
_CHANGED = "tracker_data_changed"
_SHARED = "tracker_shared_change"
_INITIATIVES = "tracker_changed_initiatives"
_DEPARTMENTS = "tracker_changed_departments"
# Tables whose rows no page shows as content, and columns of user_account that only sign-in and
# sign-out change: writing them leaves the data version where it is.
UNSHOWN_TABLES = frozenset({"audit_event", "data_version"})
UNSHOWN_COLUMNS = {"user_account": frozenset({"last_login_at", "session_token", "password_hash"})}
# Tables that no cached page shows (the mail queue): a change of theirs still moves row 1 on,
# but does not make a committee's change a shared one.
UNCACHED_TABLES = frozenset({"mail_message"})


class FiguresCache:
    """Values of one generation (any ordered value: here the data version and the minute); a
    newer generation replaces every entry of the older ones.

    A value missing from the current generation is computed once: threads of one process (the
    gthread worker) that ask for it meanwhile wait for that computation instead of repeating it
    (and compute it themselves should it fail, or take longer than ``WAIT_SECONDS``)."""

    WAIT_SECONDS = 30.0

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._generation: Any = None
        self._lock = threading.Lock()
        self._max = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def _current(self, generation: Any) -> bool:
        """Whether ``generation`` is the newest seen (and now the cache's); called locked."""
        if self._generation is None or generation > self._generation:
            self._entries.clear()
            self._pending = {}
            self._generation = generation
        return generation == self._generation

    def older_than(self, generation: Any) -> bool:
        with self._lock:
            return self._generation is not None and self._generation < generation

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], generation: Any = 0) -> T:
        waited = False
        pending: threading.Event | None = None
        while True:
            with self._lock:
                if not self._current(generation):
                    pending = None
                    break  # an older generation: computed, never stored
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
                pending = self._pending.get(key)
                if pending is None or waited:
                    pending = self._pending[key] = threading.Event()
                    break
            # Another thread computes it: wait, then look again (once).
            pending.wait(self.WAIT_SECONDS)
            waited = True
        try:
            value = compute()
            with self._lock:
                if self._current(generation):
                    self._entries[key] = value
                    while len(self._entries) > self._max:
                        self._entries.popitem(last=False)
        finally:
            with self._lock:
                mine = self._pending.get(key)
                if mine is not None and mine is pending:
                    del self._pending[key]
            if pending is not None:
                pending.set()
        return value


Scope = int | None  # a committee's id, or None for the whole portfolio


def generation_of(scope: Scope, versions: dict[int, int], minute: Any) -> tuple:
    """The counters a scope's pages depend on, and the minute."""
    if scope is None:
        return (versions.get(ALL_ROW, 0), minute)
    return (versions.get(SHARED_ROW, 0), versions.get(COMMITTEE_ROW + scope, 0), minute)


class ScopedCache:
    """One ``FiguresCache`` per scope, each with the generation its scope's counters give."""

    def __init__(self):
        self._scopes: dict[Scope, FiguresCache] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(c) for c in list(self._scopes.values()))

    def get_or_compute(
        self, scope: Scope, key: Hashable, compute: Callable[[], T], versions: dict, minute: Any
    ) -> T:
        with self._lock:
            # Current entries only: a scope whose counters have moved on is dropped whole.
            for other, figures in list(self._scopes.items()):
                if figures.older_than(generation_of(other, versions, minute)):
                    del self._scopes[other]
            figures = self._scopes.get(scope)
            if figures is None:
                size = MAX_ENTRIES if scope is None else MAX_COMMITTEE_ENTRIES
                figures = self._scopes[scope] = FiguresCache(size)
        return figures.get_or_compute(key, compute, generation_of(scope, versions, minute))


def init_app(app: Flask) -> None:
    app.extensions["figures_cache"] = ScopedCache()


def current_version() -> int:
    """The counter every change moves on."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == ALL_ROW)) or 0


def current_versions() -> dict[int, int]:
    """Every counter (a few rows: one per committee, and two)."""
    return {
        row: version
        for row, version in db.session.execute(select(DataVersion.id, DataVersion.version))
    }


_OFF = frozenset({"off", "false", "0", "no"})


def _switched_on(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in _OFF
    return bool(value)


def enabled() -> bool:
    """``TRACKER_CACHE`` (default on); ``TRACKER_FIGURES_CACHE`` is the older name for it."""
    config = current_app.config
    return _switched_on(config.get("CACHE", True)) and _switched_on(
        config.get("FIGURES_CACHE", True)
    )


def cached(key: Hashable, compute: Callable[[], T], scope: Scope = None) -> T:
    """``compute()``, or what it gave before at the same counters and minute. ``scope``: the
    committee the value shows alone (a committee reader's pages), or None (the portfolio)."""
    if not enabled():
        return compute()
    minute = utcnow().replace(second=0, microsecond=0)
    return current_app.extensions["figures_cache"].get_or_compute(
        scope, key, compute, current_versions(), minute
    )


def _table_of(obj: Any) -> str:
    return getattr(obj, "__tablename__", "")


def _shows(obj: Any) -> bool:
    """Whether a flushed change of ``obj`` can alter what a page shows."""
    table = _table_of(obj)
    if table in UNSHOWN_TABLES:
        return False
    unshown = UNSHOWN_COLUMNS.get(table)
    if unshown is None:
        return True
    state = inspect(obj)
    if state.pending or state.deleted or state.was_deleted or not state.has_identity:
        return True
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return bool(changed - unshown)


def _values_of(obj: Any, attribute: str) -> set[int]:
    """The attribute's value now and what it held before this flush (a move)."""
    # Never loads: a value not in memory gives an empty set, and the change counts as shared.
    history = inspect(obj).attrs[attribute].load_history()
    values = {*history.added, *history.unchanged, *history.deleted}
    return {v for v in values if v is not None}


def _remember_scope(session: Session, obj: Any) -> None:
    """Which committees a change of ``obj`` shows in, or that it shows in every committee."""
    info = session.info
    if _table_of(obj) in UNCACHED_TABLES:
        return
    if isinstance(obj, Initiative):
        departments = _values_of(obj, "department_id")
        info.setdefault(_DEPARTMENTS, set()).update(departments)
        if not departments:
            info[_SHARED] = True
    elif "initiative_id" in inspect(type(obj)).columns:
        initiatives = _values_of(obj, "initiative_id")
        info.setdefault(_INITIATIVES, set()).update(initiatives)
        if not initiatives:
            info[_SHARED] = True
    else:
        info[_SHARED] = True


@event.listens_for(Session, "after_flush")
def _remember_change(session: Session, _context) -> None:
    # The new, dirty and deleted sets still hold what this flush wrote.
    added_or_deleted = [
        o for o in (*session.new, *session.deleted) if _table_of(o) not in UNSHOWN_TABLES
    ]
    dirty = [o for o in session.dirty if session.is_modified(o) and _shows(o)]
    for obj in (*added_or_deleted, *dirty):
        session.info[_CHANGED] = True
        _remember_scope(session, obj)


@event.listens_for(Session, "do_orm_execute")
def _remember_bulk_change(state) -> None:
    """Bulk INSERT, UPDATE and DELETE statements change data without a flush: every committee's
    pages count them."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table not in UNSHOWN_TABLES:
            state.session.info[_CHANGED] = True
            state.session.info[_SHARED] = True


def _loaded(session: Session, model: type, ident: int, attribute: str) -> Any:
    """An attribute of a row already in the session, or None (never a query)."""
    obj = session.identity_map.get(inspect(model).identity_key_from_primary_key((ident,)))
    return None if obj is None else inspect(obj).dict.get(attribute)


def _committees_changed(session: Session) -> set[int]:
    """The committees of the initiatives and departments changed: from what the session holds
    (a status update's initiative and department were loaded to write it), else one query."""
    departments = set(session.info.pop(_DEPARTMENTS, ()))
    initiatives = set(session.info.pop(_INITIATIVES, ()))
    for initiative_id in list(initiatives):
        department = _loaded(session, Initiative, initiative_id, "department_id")
        if department is not None:
            departments.add(department)
            initiatives.discard(initiative_id)
    committees = set()
    for department_id in list(departments):
        committee = _loaded(session, Department, department_id, "committee_id")
        if committee is not None:
            committees.add(committee)
            departments.discard(department_id)
    if initiatives or departments:
        of_initiatives = select(Initiative.department_id).where(
            Initiative.id.in_(sorted(initiatives))
        )
        committees |= set(
            session.scalars(
                select(Department.committee_id).where(
                    or_(Department.id.in_(sorted(departments)), Department.id.in_(of_initiatives))
                )
            )
        )
    return committees


def _bump(session: Session, row: int) -> None:
    """Move one counter on, making its row the first time (one statement on either database)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(DataVersion).values(id=row, version=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DataVersion.id], set_={"version": DataVersion.version + 1}
        )
    )


@event.listens_for(Session, "before_commit")
def _move_version_on(session: Session) -> None:
    # Commit flushes only after this hook: flush first, so that changes still pending count.
    session.flush()
    if not session.info.pop(_CHANGED, False):
        _forget_change(session)
        return
    shared = session.info.pop(_SHARED, False)
    committees = _committees_changed(session)
    # Row 1 first, in every transaction: it serialises the writers, so the other rows never
    # deadlock on PostgreSQL.
    result = session.execute(
        update(DataVersion).where(DataVersion.id == ALL_ROW).values(version=DataVersion.version + 1)
    )
    if result.rowcount == 0:  # a database made with create_all rather than the migrations
        session.add(DataVersion(id=ALL_ROW, version=1))
        session.flush()
    rows = [SHARED_ROW] if shared else [COMMITTEE_ROW + c for c in sorted(committees)]
    for row in rows:
        _bump(session, row)
    _forget_change(session)


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    for name in (_CHANGED, _SHARED, _INITIATIVES, _DEPARTMENTS):
        session.info.pop(name, None)
