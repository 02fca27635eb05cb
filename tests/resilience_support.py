"""Helpers for the resilience tests: a gunicorn server, a signed-in HTTP client, a form reader and
a TCP relay that can cut a server off from PostgreSQL. Standard library only, loopback only."""

from __future__ import annotations

import contextlib
import html
import http.cookiejar
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .factories import PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- gunicorn -------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The worker processes: the children of the gunicorn master."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def gunicorn(
    database_url: str, workers: int, log: Path, wait: bool = True, env: dict | None = None
) -> Iterator[Server]:
    port = free_port()
    extra_env = env or {}
    env = {
        **os.environ,
        **extra_env,
        "TRACKER_SECRET_KEY": "resilience-test-secret-key",
        "TRACKER_DATABASE_URL": database_url,
        # The test users' cheap hashes (tests/factories.py): no slow rehash at every sign-in.
        "TRACKER_ARGON2_PARAMETERS": '{"time_cost": 1, "memory_cost": 1024, "parallelism": 1}',
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
        f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
        "--log-level", "warning", "tracker:create_app()",
    ]  # fmt: skip
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        if wait:
            wait_until_listening(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_until_listening(server: Server, timeout: float = 180) -> None:
    """Until a worker answers /healthz (with any status: the database may be away on purpose).
    The master listens before its workers have booted, so a bare connect is not enough."""
    deadline = time.monotonic() + timeout
    last: OSError | None = None
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"gunicorn exited:\n{server.log_tail()}"
        try:
            Client(server.url, timeout=5).get("/healthz")
            return
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise AssertionError(
        f"gunicorn did not answer within {timeout} s ({last!r}):\n{server.log_tail()}"
    )


# --- a browser-like client ------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


@dataclass
class Answer:
    status: int
    text: str
    location: str = ""


class Client:
    """Cookies, CSRF tokens from the pages, redirects not followed: what a browser sends."""

    def __init__(self, base: str, timeout: float = 30):
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def request(self, method: str, path: str, data: dict | list | None = None) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
                return Answer(response.status, text, response.headers.get("Location", ""))
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            return Answer(error.code, text, error.headers.get("Location", ""))

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data) -> Answer:
        return self.request("POST", path, data)

    def login(self, email: str, password: str = PASSWORD) -> None:
        token = form_fields(self.get("/login").text)["csrf_token"]
        answer = self.post("/login", {"email": email, "password": password, "csrf_token": token})
        assert answer.status == 302, f"sign-in as {email} answered {answer.status}"


# --- forms ----------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The values a browser would send for the first form with a CSRF token that is not the
    sign-out form: inputs, checked boxes, text areas and selected options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self.current: list[tuple[str, str]] | None = None
        self.textarea: str | None = None
        self.text = ""
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                self.current.append(
                    (a["name"], a.get("value") or ("y" if kind == "checkbox" else ""))
                )
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], ""
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.current.append((self.select, a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


def form_fields(page: str, must_have: str = "csrf_token") -> dict[str, str | list[str]]:
    """The first form on the page that has ``must_have`` (and is not just a CSRF token, as the
    sign-out form is), as a dict; a name sent more than once maps to a list."""
    reader = _FormReader()
    reader.feed(page)
    for pairs in reader.forms:
        names = {name for name, _ in pairs}
        if must_have in names and names - {"csrf_token"}:
            fields: dict[str, str | list[str]] = {}
            for name, value in pairs:
                if name in fields:
                    previous = fields[name]
                    fields[name] = (
                        [*previous, value] if isinstance(previous, list) else [previous, value]
                    )
                else:
                    fields[name] = value
            return fields
    if must_have == "csrf_token":
        # The sign-in page: only e-mail, password and token.
        for pairs in reader.forms:
            if any(name == "csrf_token" for name, _ in pairs):
                return dict(pairs)
    raise AssertionError(f"no form with {must_have} on the page")


def escaped(text: str) -> str:
    return html.escape(text, quote=True)


# --- a relay that can cut the connection to the database ------------------------------------


class Relay:
    """Forwards 127.0.0.1:<port> to a database server; ``cut()`` closes every connection and stops
    listening (the database "goes away"), ``restore()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Relay:
        self.restore()
        return self

    def __exit__(self, *_exc) -> None:
        self.cut()

    def restore(self) -> None:
        self._stop.clear()
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.setblocking(False)
        self._thread = threading.Thread(target=self._serve, args=(listener,), daemon=True)
        self._thread.start()

    def cut(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _serve(self, listener: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ, None)
        peers: dict[socket.socket, socket.socket] = {}
        try:
            while not self._stop.is_set():
                for key, _mask in selector.select(timeout=0.1):
                    if key.data is None:
                        client, _ = listener.accept()
                        upstream = socket.create_connection(self.target, timeout=5)
                        for sock in (client, upstream):
                            sock.setblocking(False)
                        peers[client], peers[upstream] = upstream, client
                        selector.register(client, selectors.EVENT_READ, "peer")
                        selector.register(upstream, selectors.EVENT_READ, "peer")
                        continue
                    sock = key.fileobj
                    other = peers.get(sock)
                    try:
                        chunk = sock.recv(65536)
                    except OSError:
                        chunk = b""
                    if chunk and other is not None:
                        with contextlib.suppress(OSError):
                            other.setblocking(True)
                            other.sendall(chunk)
                            other.setblocking(False)
                            continue
                    for end in (sock, other):
                        if end is not None and end in peers:
                            selector.unregister(end)
                            peers.pop(end, None)
                            end.close()
        finally:
            for sock in list(peers):
                with contextlib.suppress(Exception):
                    selector.unregister(sock)
                sock.close()
            selector.unregister(listener)
            listener.close()
            selector.close()
