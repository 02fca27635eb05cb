"""A per-process cache of computed portfolio figures that can never serve stale data.

Every transaction that changes anything moves the ``data_version`` counter on just before it
commits. A cached value is stored under the counter it was computed at, so as soon as any process
commits a change, every process computes afresh. Figures that depend on the clock (what is stale,
which months the trend shows) also carry the minute they were computed in.

The cache lives on the application (``app.extensions``), so a new application, as in the tests,
starts empty.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import DataVersion, utcnow

T = TypeVar("T")
MAX_ENTRIES = 128
_CHANGED = "tracker_data_changed"


class FiguresCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value


def init_app(app: Flask) -> None:
    app.extensions["figures_cache"] = FiguresCache()


def current_version() -> int:
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave before at the same data version and minute."""
    if not current_app.config.get("FIGURES_CACHE", True):
        return compute()
    minute = utcnow().replace(second=0, microsecond=0)
    full_key = (current_version(), minute, key)
    return current_app.extensions["figures_cache"].get_or_compute(full_key, compute)


@event.listens_for(Session, "after_flush")
def _remember_change(session: Session, _context) -> None:
    session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _remember_bulk_change(state) -> None:
    """Bulk INSERT, UPDATE and DELETE statements change data without a flush."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _move_version_on(session: Session) -> None:
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
