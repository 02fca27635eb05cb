"""For the tests that send two requests at the same instant on PostgreSQL: whether one of them
is waiting for a lock, seen from a connection of its own."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


class LockWatcher:
    def __init__(self, url) -> None:
        self.engine = create_engine(url, poolclass=NullPool)

    def someone_waits(self) -> bool:
        """Whether another connection to the database waits for a lock (a row's, or a lock
        on a name) right now."""
        with self.engine.connect() as conn:
            return bool(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                )
            )

    def dispose(self) -> None:
        self.engine.dispose()
