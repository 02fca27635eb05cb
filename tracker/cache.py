"""A per-process cache of computed portfolio figures that can never serve stale data.

Every transaction that changes anything a page can show moves the ``data_version`` counter on
just before it commits. What shows nowhere does not count: the audit trail, the counter itself, and
the sign-in bookkeeping on a user (last sign-in, session token, password hash); so sign-ins,
exports and refused requests leave every cached page valid. A cached value is stored under the
counter it was computed at, so as soon as any process commits a change, every process computes
afresh. Figures that depend on the clock (what is stale, which months the trend shows) also carry
the minute they were computed in.

The cache keeps only the entries of the newest generation (data version and minute) it has seen:
the first request that sees a newer one drops every older entry, so outdated pages never pile up
and a process's memory stays bounded (at most ``MAX_ENTRIES`` entries of one generation). A request
still reading an older generation (a transaction that began before the change) computes its value
without storing it.

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
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import DataVersion, utcnow

T = TypeVar("T")
MAX_ENTRIES = 128
_CHANGED = "tracker_data_changed"
# Tables whose rows no page shows as content, and columns of user_account that only sign-in and
# sign-out change: writing them leaves the data version where it is.
UNSHOWN_TABLES = frozenset({"audit_event", "data_version"})
UNSHOWN_COLUMNS = {"user_account": frozenset({"last_login_at", "session_token", "password_hash"})}


class FiguresCache:
    """Values of one generation (any ordered value: here the data version and the minute); a
    newer generation replaces every entry of the older ones."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._generation: Any = None
        self._lock = threading.Lock()
        self._max = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def _current(self, generation: Any) -> bool:
        """Whether ``generation`` is the newest seen (and now the cache's); called locked."""
        if self._generation is None or generation > self._generation:
            self._entries.clear()
            self._generation = generation
        return generation == self._generation

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], generation: Any = 0) -> T:
        with self._lock:
            if self._current(generation) and key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()
        with self._lock:
            if self._current(generation):
                self._entries[key] = value
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return value


def init_app(app: Flask) -> None:
    app.extensions["figures_cache"] = FiguresCache()


def current_version() -> int:
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


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


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave before at the same data version and minute."""
    if not enabled():
        return compute()
    minute = utcnow().replace(second=0, microsecond=0)
    return current_app.extensions["figures_cache"].get_or_compute(
        key, compute, generation=(current_version(), minute)
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


@event.listens_for(Session, "after_flush")
def _remember_change(session: Session, _context) -> None:
    # The new, dirty and deleted sets still hold what this flush wrote.
    added_or_deleted = (*session.new, *session.deleted)
    if any(_table_of(obj) not in UNSHOWN_TABLES for obj in added_or_deleted) or any(
        _shows(obj) for obj in session.dirty if session.is_modified(obj)
    ):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _remember_bulk_change(state) -> None:
    """Bulk INSERT, UPDATE and DELETE statements change data without a flush."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table not in UNSHOWN_TABLES:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _move_version_on(session: Session) -> None:
    # Commit flushes only after this hook: flush first, so that changes still pending count.
    session.flush()
    if not session.info.pop(_CHANGED, False):
        return
    result = session.execute(
        update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )
    if result.rowcount == 0:  # a database made with create_all rather than the migrations
        session.add(DataVersion(id=1, version=1))
        session.flush()
    session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop(_CHANGED, None)
