"""Before and after in one run: the same pages from two checkouts, one request at a time, taken in
turns, so that both meet the same machine (on a small shared machine its speed drifts by a third
within minutes, which no two separate runs survive).

    git worktree add /tmp/before <commit>
    TRACKER_SECRET_KEY=... TRACKER_DATABASE_URL=sqlite:////path/seeded.db \\
    TRACKER_DEMO_PASSWORD=... TRACKER_CACHE=off \\
        python bench/compare.py /tmp/before . /board /dashboard '/initiatives?q=digital'

Each checkout is served by ``gunicorn --workers 1`` of its own on 127.0.0.1, on the database the
environment names (seed it first: ``tracker db upgrade && tracker seed-demo --initiatives
10000``); both sign in as the management group (``ledning@nykvarn.example``). Per page: a
warm-up, then ``--requests`` rounds of one request to each in turn; printed are each one's median
and the gunicorn worker's CPU time per request (from ``/proc``), and the second's as a share of
the first's. ``/healthz`` is always measured first, as the ceiling. Needs the ``bench`` extra
(locust brings requests).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

MANAGEMENT = "ledning@nykvarn.example"


@dataclass
class Server:
    tree: Path
    process: subprocess.Popen
    base: str
    session: requests.Session = field(default_factory=requests.Session)

    def worker_cpu(self) -> float:
        """The single worker's user + system CPU seconds."""
        child = subprocess.check_output(["pgrep", "-P", str(self.process.pid)]).split()[0]
        fields = Path(f"/proc/{int(child)}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tree: Path) -> Server:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(tree))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["tracker:create_app()"],
        cwd=tree,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    return Server(tree, process, f"http://127.0.0.1:{port}")


def wait_until_ready(server: Server) -> None:
    for _ in range(150):
        try:
            if requests.get(server.base + "/healthz", timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or the worker still starting
            time.sleep(0.2)
    raise SystemExit(f"{server.tree}: gunicorn did not answer /healthz")


def sign_in(server: Server) -> None:
    form = server.session.get(server.base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    response = server.session.post(
        server.base + "/login",
        data={
            "csrf_token": token.group(1) if token else "",
            "email": MANAGEMENT,
            "password": os.environ["TRACKER_DEMO_PASSWORD"],
        },
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"{server.tree}: sign-in answered {response.status_code}")


def measure(servers: list[Server], path: str, rounds: int) -> list[tuple[float, float]]:
    """(median ms, CPU ms per request) of each server."""
    for server in servers:
        for _ in range(3):
            server.session.get(server.base + path)
    times: list[list[float]] = [[] for _ in servers]
    cpu_before = [server.worker_cpu() for server in servers]
    for _ in range(rounds):
        for n, server in enumerate(servers):
            started = time.perf_counter()
            response = server.session.get(server.base + path)
            times[n].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{server.tree}: {path} answered {response.status_code}")
    return [
        (statistics.median(taken), (server.worker_cpu() - before) / rounds * 1000)
        for taken, server, before in zip(times, servers, cpu_before, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--requests", type=int, default=100, help="rounds per page")
    args = parser.parse_args()
    servers: list[Server] = []
    try:
        servers += [start(args.before.resolve()), start(args.after.resolve())]
        for server in servers:
            wait_until_ready(server)
            sign_in(server)
        print("| page | before p50 ms | after p50 ms | after / before | before CPU ms |", end="")
        print(" after CPU ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for path in ["/healthz", *args.paths]:
            (before, before_cpu), (after, after_cpu) = measure(servers, path, args.requests)
            print(
                f"| `{path}` | {before:.1f} | {after:.1f} | {after / before:.2f} "
                f"| {before_cpu:.1f} | {after_cpu:.1f} |",
                flush=True,
            )
    finally:
        for server in servers:
            server.process.send_signal(signal.SIGTERM)
            server.process.wait()


if __name__ == "__main__":
    main()
