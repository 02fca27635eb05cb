"""Scale-out, proven: two application servers (separate gunicorn processes on two ports) on one
PostgreSQL database and one Redis, as in the README's production layout.

- sign-in throttling counts across both servers (``TRACKER_RATELIMIT_STORAGE_URI=redis://…``);
- a status update posted on one is seen at once on the other's dashboard (the cache's data
  version lives in the database, so every process of every server sees the change);
- a session made on one works on the other;
- Redis going away degrades rate limiting to per-process counting with a warning in the log,
  never to a 500.

Each test starts its own ``redis-server`` (Debian's, on a free port on 127.0.0.1) and its own
two servers of one worker each. PostgreSQL only: two servers on one SQLite file is not a layout
the README offers. Marked ``slow``.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tracker.extensions import db
from tracker.models import Health, Status

from . import factories
from .conftest import TEST_DATABASE_URL, csrf_from
from .resilience_support import Client, Server, form_fields, free_port, gunicorn

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
FALLBACK_WARNING = "Rate limit storage unreachable - falling back to in-memory storage"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not TEST_DATABASE_URL,
        reason="PostgreSQL only: two application servers share one PostgreSQL database "
        "(set TRACKER_TEST_DATABASE_URL)",
    ),
]


# --- Redis ----------------------------------------------------------------------------------


@dataclass
class Redis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Redis goes away at once: SIGKILL, no goodbye to its clients."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[Redis]:
    if not os.path.exists(REDIS_SERVER):
        message = f"needs Debian's redis-server ({REDIS_SERVER}): apt-get install redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    command = [
        REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", str(tmp_path), "--daemonize", "no",
    ]  # fmt: skip
    with open(tmp_path / "redis.log", "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out)
    redis = Redis(port, process)
    try:
        deadline = time.monotonic() + 30
        while not redis.ping():
            assert process.poll() is None, (tmp_path / "redis.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "redis-server did not answer within 30 s"
            time.sleep(0.05)
        yield redis
    finally:
        redis.kill()


@contextlib.contextmanager
def two_servers(database_url: str, redis: Redis, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two gunicorn processes of one worker each (so that "per process" is one count each) on the
    same database, secret key and rate-limit store."""
    env = {"TRACKER_RATELIMIT_STORAGE_URI": redis.url}
    with (
        gunicorn(database_url, 1, tmp_path / "one.log", env=env) as one,
        gunicorn(database_url, 1, tmp_path / "two.log", env=env) as two,
    ):
        yield one, two


def _wrong_sign_in(client: Client, email: str) -> int:
    token = form_fields(client.get("/login").text)["csrf_token"]
    data = {"email": email, "password": "fel lösenord", "csrf_token": token}
    return client.post("/login", data).status


def _no_server_error(server: Server) -> None:
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, f"an exception in {server.url}'s log:\n{server.log_tail()}"


# --- the tests ------------------------------------------------------------------------------


def test_throttling_counts_across_servers_and_degrades_per_process_without_redis(
    app, org, database_url, redis_server, tmp_path
):
    limit = app.config["LOGIN_FAILURES_PER_MINUTE"]  # the servers read the same default
    with two_servers(database_url, redis_server, tmp_path) as (one, two):
        servers = (one, two)
        # 1. With Redis: failed sign-ins for one account, alternating between the servers, are
        # counted together: the limit is reached after `limit` of them in all, not per server.
        for n in range(limit):
            status = _wrong_sign_in(Client(servers[n % 2].url), org.manager.email)
            assert status == 401, f"failed sign-in {n + 1} of {limit} answered {status}"
        for server in servers:
            status = _wrong_sign_in(Client(server.url), org.manager.email)
            assert status == 429, f"{server.url} did not see the other server's failures"

        # 2. Redis goes away: rate limiting falls back to each process's own memory, with a
        # warning in the log, never a 500; the counts start afresh and are now per process.
        redis_server.kill()
        assert not redis_server.ping()
        email = org.management.email
        for n in range(limit):
            status = _wrong_sign_in(Client(one.url), email)
            assert status == 401, f"without Redis, failed sign-in {n + 1} answered {status}"
        assert _wrong_sign_in(Client(one.url), email) == 429, "the fallback does not throttle"
        # The other process has counted nothing: the same account may still try there.
        assert _wrong_sign_in(Client(two.url), email) == 401
        # A right sign-in goes on working where the address has tries left, and pages on both
        # (server one's own memory has used up the address's tries).
        client = Client(two.url)
        client.login(org.admin.email)
        for server in servers:
            client.base = server.url
            assert client.get("/dashboard").status == 200
            assert client.get("/healthz").status == 200

    for server in servers:
        log = server.log.read_text(errors="replace")
        assert FALLBACK_WARNING in log, f"no warning in {server.url}'s log:\n{server.log_tail()}"
        assert "WARNING" in log
        _no_server_error(server)


def _jar(client: Client) -> http.cookiejar.CookieJar:
    for handler in client.opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            return handler.cookiejar
    raise AssertionError("the client keeps no cookies")


def _off_track_figure(page: str) -> int:
    """The dashboard's key figure "Off track" (the link to the list filtered on it)."""
    match = re.search(
        r'<a href="[^"]*\bhealth=off_track[^"]*"><span class="figure__label">.*?'
        r'<span class="figure__value">([^<]*)</span>',
        page,
        re.DOTALL,
    )
    assert match, "no off-track figure on the dashboard"
    return int(re.sub(r"\D", "", match.group(1)))


def test_a_session_and_a_status_update_made_on_one_server_hold_on_the_other(
    app, org, database_url, redis_server, tmp_path
):
    initiative = factories.make_initiative(
        org.manager,
        updates=1,
        title="Skalningsprovets initiativ",
        status=Status.IN_PROGRESS,
        health=Health.ON_TRACK,
    )
    db.session.commit()
    with two_servers(database_url, redis_server, tmp_path) as (one, two):
        # A session made on one server works on the other (a browser behind the proxy: the
        # cookie is the host's, whichever server answered).
        manager = Client(one.url)
        manager.login(org.manager.email)
        manager.base = two.url
        page = manager.get(f"/initiatives/{initiative.id}")
        assert page.status == 200, f"the other server answered {page.status}: no session there"
        assert "Skalningsprovets initiativ" in page.text

        # The management's dashboard on server two, computed (and cached) before the update.
        management = Client(two.url)
        management.login(org.management.email)
        before = management.get("/dashboard")
        assert before.status == 200
        assert _off_track_figure(before.text) == 0
        assert management.get("/dashboard").status == 200  # served from two's cache

        # The manager posts a status update on server one...
        manager.base = one.url
        fields = form_fields(manager.get(f"/initiatives/{initiative.id}").text, "progress")
        fields.update(
            status="in_progress", health="off_track", progress="40", happened="Leverantören föll"
        )
        answer = manager.post(f"/initiatives/{initiative.id}/updates", fields)
        assert answer.status == 303, f"the status update answered {answer.status}"

        # ...and server two's dashboard shows it at once, with no wait and no restart.
        after = management.get("/dashboard")
        assert after.status == 200
        assert _off_track_figure(after.text) == 1
        assert "Skalningsprovets initiativ" in after.text  # under "Needs attention"

        # The session also works back on the first server; signing out on one ends it on both,
        # even for a copy of the cookie kept from before (the session is checked against the
        # database, not against a process's memory).
        management.base = one.url
        assert _off_track_figure(management.get("/dashboard").text) == 1
        kept = Client(two.url)
        for cookie in _jar(management):
            _jar(kept).set_cookie(cookie)
        token = csrf_from(management.get("/accessibility").text)
        assert management.post("/logout", {"csrf_token": token}).status == 302
        gone = kept.get("/dashboard")
        assert gone.status == 302 and "/login" in gone.location, "the session outlived sign-out"

    for server in (one, two):
        _no_server_error(server)
