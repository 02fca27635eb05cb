"""OpenID providers for the tests, on 127.0.0.1.

- ``OpenIDProvider``: a REAL provider, the npm package ``oidc-provider`` run by Node from
  ``tests/oidc/`` (``npm install --no-audit --no-fund`` there; ``.ci/run`` does it). It signs
  tokens with its own key, enforces PKCE, refuses a code used twice, and serves the development
  login form (any password). The claims of each login come from a JSON file that the tests
  rewrite between sign-ins.
- ``MisbehavingProvider``: a small provider in this process for what a real one will not do on
  request: tokens signed with a stranger's key, for another audience, expired, with another nonce,
  no ID token at all, or a discovery document that is nonsense. The flow (discovery, JWKS,
  authorization redirect, token endpoint) is the same one the product uses with a real provider.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "tracker"
CLIENT_SECRET = "a-test-client-secret-that-is-long-enough"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("TRACKER_REQUIRE_OIDC_PROVIDER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


class OpenIDProvider:
    def __init__(self, tmp: Path, redirect_uris: list[str], post_logout_redirect_uris: list[str]):
        node = shutil.which("node")
        if node is None:
            _unavailable("node is not installed: the OpenID provider tests need Node 20")
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            _unavailable(
                "run `npm install --no-audit --no-fund` in tests/oidc for the OpenID provider tests"
            )
        self.accounts_file = tmp / "accounts.json"
        self.accounts: dict[str, dict[str, Any]] = {}
        self._write_accounts()
        config = {
            "port": 0,
            "accounts": str(self.accounts_file),
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                    "post_logout_redirect_uris": post_logout_redirect_uris,
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                }
            ],
        }
        config_file = tmp / "provider.json"
        config_file.write_text(json.dumps(config))
        self.log = (tmp / "provider.log").open("w+")
        self._config_file = config_file
        self._node = node
        # A loaded machine (two suites and Chromium on two cores) can stall or lose a start
        # now and then; a provider that did not come up is started again, up to three times.
        failures: list[str] = []
        for _attempt in range(3):
            port = self._start()
            if port is not None:
                break
            failures.append(self._last_failure)
        else:
            self.log.close()
            pytest.fail("the OpenID provider did not start:\n" + "\n---\n".join(failures))
        self.port = port
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.discovery_url = self.issuer + "/.well-known/openid-configuration"
        self._wait_for_discovery()

    def _start(self) -> int | None:
        """Start Node with the provider; its port, or None (and why in ``_last_failure``)."""
        self.log.flush()
        log_start = self.log.tell()  # this attempt's output only, in a failure
        self.process = subprocess.Popen(
            [self._node, str(PROVIDER_DIR / "provider.mjs"), str(self._config_file)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        found: list[int] = []
        listening = threading.Event()
        stdout = self.process.stdout

        def read():
            # Every line is read to the end: the provider prints notices on stdout during
            # requests, and a pipe nobody reads fills up and stops it.
            for line in stdout:
                match = re.match(r"LISTENING (\d+)", line)
                if match and not found:
                    found.append(int(match.group(1)))
                    listening.set()
            stdout.close()
            listening.set()  # the process ended

        threading.Thread(target=read, daemon=True).start()
        started = time.monotonic()
        listening.wait(90)
        if found:
            return found[0]
        waited = time.monotonic() - started
        self._stop_process()  # its exit code is known from here on
        self.log.flush()
        self.log.seek(log_start, os.SEEK_SET)
        output = self.log.read()[-3000:]
        self.log.seek(0, os.SEEK_END)
        self._last_failure = f"after {waited:.1f} s, exit code {self.process.returncode}:\n{output}"
        return None

    def _wait_for_discovery(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.discovery_url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail("the OpenID provider's discovery document never answered")

    def metadata(self) -> dict:
        return requests.get(self.discovery_url, timeout=5).json()

    def _write_accounts(self) -> None:
        self.accounts_file.write_text(json.dumps(self.accounts))

    def set_account(self, login: str, **claims: Any) -> None:
        """Who ``login`` is at the provider from now on (claims of the next ID token)."""
        self.accounts[login] = claims
        self._write_accounts()

    def _stop_process(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def stop(self) -> None:
        self._stop_process()
        self.log.close()

    def authenticate(self, authorize_url: str, login: str, back_to: str) -> str:
        """Sign in at the provider as ``login`` (its development login form, then its consent
        form) and return the URL the provider sends the browser back to (starting ``back_to``)."""
        session = requests.Session()
        url, method, data = authorize_url, "GET", None
        for _ in range(20):
            response = session.request(method, url, data=data, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                method, data = "GET", None
                if url.startswith(back_to):
                    return url
                continue
            assert response.status_code == 200, (response.status_code, response.text[:500])
            html = response.text
            action = re.search(r'<form[^>]*action="([^"]+)"', html)
            assert action, html[:1000]
            url = urljoin(url, action.group(1))
            method = "POST"
            if 'name="login"' in html:
                data = {"prompt": "login", "login": login, "password": "any"}
            else:
                data = {"prompt": "consent"}
        raise AssertionError("the provider never sent the browser back")


# --- a provider that misbehaves on request ------------------------------------------------------


class MisbehavingProvider:
    """Discovery, JWKS, an authorization endpoint that signs in at once, and a token endpoint
    whose ID token the test shapes: ``claims`` (overrides; None removes a claim), ``sign_with``
    ("own", "stranger", "secret": HS256 with the client secret, or "none": unsigned),
    ``no_id_token``, ``discovery`` ("ok", "html", "wrong_issuer", "500", "list", "null": JSON
    that is no object) and ``algorithms`` (the discovery's signing algorithms)."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "good-key", "use": "sig"})
        self.stranger = RSAKey.generate_key(2048, parameters={"kid": "good-key", "use": "sig"})
        self.claims: dict[str, Any] = {}
        self.sign_with = "own"
        self.no_id_token = False
        self.discovery = "ok"
        self.algorithms = ["RS256"]
        self.subject = "misbehaving-subject"
        self.codes: dict[str, str] = {}  # code -> nonce
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: Any):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    return provider._discovery(self)
                if parts.path == "/jwks":
                    return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                if parts.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query.get("nonce", "")
                    target = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query.get("state", "")})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                nonce = provider.codes.pop(form.get("code", ""), None)
                if nonce is None:
                    return self._json(400, {"error": "invalid_grant"})
                body = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
                if not provider.no_id_token:
                    body["id_token"] = provider.id_token(nonce)
                return self._json(200, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.discovery_url = self.issuer + "/.well-known/openid-configuration"
        # A short poll: shutdown() waits for one (half a second by default, every teardown).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def _discovery(self, handler) -> None:
        if self.discovery == "html":
            data = b"<html><body>Maintenance</body></html>"
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        if self.discovery in ("list", "null"):
            handler._json(200, [] if self.discovery == "list" else None)
            return
        if self.discovery == "500":
            handler._json(500, {"error": "server_error"})
            return
        issuer = self.issuer + ("/someone-else" if self.discovery == "wrong_issuer" else "")
        handler._json(
            200,
            {
                "issuer": issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": self.algorithms,
                "code_challenge_methods_supported": ["S256"],
            },
        )

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.subject,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "nonce": nonce,
            "email": "misbehaving@nykvarn.example",
            "email_verified": True,
            "name": "Mis Behaving",
            "roles": ["manager"],
        }
        for key, value in self.claims.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        if self.sign_with == "none":
            import base64

            def part(value: dict) -> str:
                data = json.dumps(value).encode()
                return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

            return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
        if self.sign_with == "secret":
            from joserfc.jwk import OctKey

            secret = OctKey.import_key(CLIENT_SECRET)
            return jwt.encode({"alg": "HS256"}, claims, secret)
        key = self.key if self.sign_with == "own" else self.stranger
        return jwt.encode({"alg": "RS256", "kid": "good-key"}, claims, key)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
