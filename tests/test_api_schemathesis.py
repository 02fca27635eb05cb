"""Property-based tests generated from the OpenAPI description (Schemathesis, in-process WSGI).

With a valid read-write admin token, every operation gets a bounded number of generated requests:
none may answer with a server error, and every answer must match the description.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from tracker import create_app
from tracker.api import tokens
from tracker.config import normalise_database_url
from tracker.extensions import db

from . import factories

_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
_FILE = os.path.join(tempfile.gettempdir(), f"tracker-schemathesis-{os.getpid()}.sqlite3")
# Made at import so that the operations can be parametrised; the database is filled by a fixture.
APP = create_app(
    {
        "TESTING": True,
        "SECRET_KEY": "schemathesis",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(_URL) if _URL else f"sqlite:///{_FILE}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "API_RATE_LIMIT": "100000/minute",
        "API_WRITE_RATE_LIMIT": "100000/minute",
        "API_ADDRESS_RATE_LIMIT": "100000/minute",
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def api_app():
    with APP.app_context():
        if not _URL:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(_FILE + suffix)
        if _URL:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        org = factories.make_org()
        for _ in range(3):
            factories.make_initiative(org.manager, principles=org.principles[:1], updates=2)
        secret = tokens.create_token(
            org.admin,
            name="schemathesis",
            scope="read_write",
            expires_on=tokens.local_today() + timedelta(days=30),
        ).secret
        db.session.commit()
        db.session.remove()
    APP.config["TEST_TOKEN"] = secret
    yield APP
    with APP.app_context():
        db.session.remove()
        if _URL:
            db.drop_all()
        db.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(_FILE + suffix)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_description(case, api_app):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_app.config['TEST_TOKEN']}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
