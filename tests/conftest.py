"""Fixtures: a fresh application and database for every test, on SQLite or PostgreSQL.

Set TRACKER_TEST_DATABASE_URL (e.g. postgresql://user@127.0.0.1:5433/tracker_test) to run the suite
against PostgreSQL; otherwise each test gets its own SQLite file. With pytest-xdist (``-n 2``) each
worker gets a PostgreSQL database of its own, made on the same server.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db

from . import factories


def _database_of_this_worker(url: str | None) -> str | None:
    """Under pytest-xdist (``-n 2``), each worker has a PostgreSQL database of its own, the given
    one's name plus the worker's (``tracker_test_gw0``), made here when it does not exist yet. The
    environment variable is set to it too, for the fixtures and modules that read it themselves
    (the browser tests' live server, the Schemathesis module). SQLite needs nothing: every test
    has its own file under the worker's temporary folder."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{re.sub(r'[^a-z0-9_]', '_', worker.lower())}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    worker_url = base.set(database=name).render_as_string(hide_password=False)
    os.environ["TRACKER_TEST_DATABASE_URL"] = worker_url
    return worker_url


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("TRACKER_TEST_DATABASE_URL"))


def _share_url_builders() -> None:
    """Every test makes an application, and for each of its ~150 rules Werkzeug writes and
    compiles two URL builders (Python code, through ``ast`` and ``compile``): half of what
    ``create_app`` costs once the API description is lazy. A builder is a function of the rule's
    text, trace, converters' types and defaults only (it is handed the rule itself when called),
    so the applications of one test session share one per rule. Tests only: production makes
    its application once."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict = {}

    def shared(self: Rule, append_unknown: bool = True):
        key = (
            append_unknown,
            self.rule,
            tuple(self._trace),
            tuple((name, type(conv)) for name, conv in self._converters.items()),
            repr(sorted((self.defaults or {}).items(), key=repr)),
        )
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = compile_builder(self, append_unknown)
        return builder

    Rule._compile_builder = shared


_share_url_builders()


class _SharedTemplateCode(BytecodeCache):
    """Every test makes an application, and with it a Jinja environment that would parse and
    compile each template it renders again (a page's templates cost more to compile than to
    render). The applications of one test session share the compiled code of each template,
    keyed by its name and the checksum of its source (so an edited template compiles anew).
    Tests only: production makes its application, and compiles each template, once."""

    def __init__(self):
        self.codes: dict[tuple[str, str], Any] = {}

    def load_bytecode(self, bucket) -> None:
        bucket.code = self.codes.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket) -> None:
        self.codes[(bucket.key, bucket.checksum)] = bucket.code


SHARED_TEMPLATE_CODE = _SharedTemplateCode()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file with the whole schema, built once per session (and per xdist worker);
    each test starts from a copy of it, which is much cheaper than ``create_all`` every time."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    )
    with app.app_context():
        db.create_all()
        # Closing the last connection checkpoints the WAL into the file itself.
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(request, tmp_path) -> str:
    if TEST_DATABASE_URL:
        return normalise_database_url(TEST_DATABASE_URL)
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Cheap hashing keeps the suite fast; production uses the library's defaults.
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    }


class IsolatedClient(FlaskClient):
    """Each request runs in an application context of its own, as in production.

    The test itself holds an application context (and its own database session) for factories and
    assertions; without this, requests would share the test's ``g`` and session. The test's session
    is committed around each request: the request must see the test's data (and on SQLite would
    wait for its write lock), and the test must then see what the request wrote, not an old
    snapshot.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def app(app_config, tmp_path) -> Iterator:
    app = create_app(app_config)
    app.jinja_env.bytecode_cache = SHARED_TEMPLATE_CODE
    app.test_client_class = IsolatedClient
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        if TEST_DATABASE_URL:
            _fresh_postgres_schema()
        yield app
        db.session.remove()
        db.engine.dispose()


def _fresh_postgres_schema() -> None:
    """Empty every table when the schema is exactly the models' (the usual case: far cheaper
    than building the schema again); rebuild it when a test (a migration test, an aborted run)
    left anything else behind, or the database holds the tables of older models (a column
    added since: compared by table and column names)."""
    tables = [table.name for table in db.metadata.sorted_tables]
    columns = {
        (table.name, column.name) for table in db.metadata.sorted_tables for column in table.c
    }
    with db.engine.begin() as conn:
        present = {
            (table, column)
            for table, column in conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public'"
                )
            )
        }
        if present == columns:
            _empty_tables(conn, tables)
            return
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.create_all()


_SUPERUSER: dict[str, bool] = {}


def _empty_tables(conn, tables: list[str]) -> None:
    """Every row gone and every sequence back at 1, as ``TRUNCATE … RESTART IDENTITY`` leaves
    them. As a superuser (as in CI), a DELETE of each table with the triggers off (foreign keys
    included: every table is emptied) is several times faster than TRUNCATE on tables of a few
    rows; the tables the triggers keep (status_update_tally, frozen_report_entry) are emptied
    with the rest, and data_version's rows are made again on the first write, as after TRUNCATE."""
    url = str(conn.engine.url)
    if url not in _SUPERUSER:
        _SUPERUSER[url] = conn.scalar(text("SELECT current_setting('is_superuser')")) == "on"
    if not _SUPERUSER[url]:
        quoted = ", ".join(f'"{name}"' for name in tables)
        conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        return
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("; ".join(f'DELETE FROM "{name}"' for name in tables)))  # noqa: S608 - the models' table names
    conn.execute(
        text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c "
            "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
        )
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Sign in and out through the real forms, CSRF token and all."""

    def __init__(self, client):
        self.client = client

    def csrf_token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def login(self, email: str, password: str = factories.PASSWORD):
        with self.client.session_transaction() as session:
            signed_in = "_user_id" in session
        token = self.csrf_token("/accessibility" if signed_in else "/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = self.csrf_token("/accessibility")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def org(app) -> factories.Org:
    """A small organisation: two committees, three departments, one user of each role."""
    result = factories.make_org()
    db.session.commit()
    return result


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()

        def on_execute(_conn, _cursor, statement, *_args):
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)

    return counting
