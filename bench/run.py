"""Load benchmark: the demo municipality at scale, under gunicorn, loaded by locust.

    python bench/run.py --db sqlite --initiatives 10000 --duration 20
    python bench/run.py --db postgresql --database-url postgresql://user@127.0.0.1:5432/empty_db
    python bench/run.py --db postgresql           # a throw-away cluster (Debian's PostgreSQL)

It creates a throw-away database, runs ``tracker db upgrade`` and ``tracker seed-demo
--initiatives N`` (about ten status updates per initiative), starts gunicorn on 127.0.0.1 with
``--workers`` sync workers, waits for /healthz, then runs locust headless in a second process once
per measured request, each for ``--duration`` seconds with ``--users`` signed-in users sending
requests back to back. It prints requests/s, p50, p95, p99 and errors, and each page's throughput
as a share of /healthz throughput in the same run, checks the targets of issue 7, and writes the
results to ``bench/results/<date>-<time>-<database>.json`` and ``.md``. It stops by itself and
stops gunicorn (and the throw-away cluster) on the way out. Needs ``pip install -e '.[bench]'``.

Only 127.0.0.1 is ever loaded. The machine's load average is recorded with the results, because
other processes on a small machine move the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PASSWORD = "bench-password-1234"
READER = "ledning@nykvarn.example"  # the management group: reads the whole portfolio

# scenario: (locust user classes, target share of /healthz throughput, target p95 in ms)
SCENARIOS: dict[str, tuple[str, float | None, float | None]] = {
    "healthz": ("Healthz", None, None),
    "dashboard": ("Dashboard", 0.25, 150),
    "initiatives": ("Initiatives", 0.15, 200),
    "board": ("Board", 0.10, 250),
    "initiative": ("Initiative", None, None),
    "public": ("Public", None, None),
    "post_update": ("PostUpdate", None, 250),
    # issue 20: another filter or search word on every request, and reads under writes
    "dashboard_filters": ("DashboardFilters", 0.15, None),
    "board_filters": ("BoardFilters", 0.15, None),
    "list_filters": ("ListFilters", 0.15, None),
    "search": ("Search", 0.15, None),
    "mixed": ("MixedReader MixedWriter", None, None),
}
# What the mixed scenario reports, one row per request it makes: (share, p95, p99).
MIXED = {
    "mixed_dashboard": (0.15, None, 300),
    "mixed_board": (0.15, None, 300),
    "mixed_post_update": (None, None, 150),
}
PATHS = {
    "healthz": "/healthz",
    "dashboard": "/dashboard",
    "initiatives": "/initiatives",
    "board": "/board",
    "initiative": "/initiatives/<id>",
    "public": "/public (no sign-in; every active initiative published)",
    "post_update": "POST /initiatives/<id>/updates",
    "dashboard_filters": "/dashboard?<1-2 filters, new each request>",
    "board_filters": "/board?<1-2 filters, new each request>",
    "list_filters": "/initiatives?<1-2 filters>&page=<1-20>",
    "search": "/initiatives?q=<word>&page=<1-3>&sort=<any>",
    "mixed_dashboard": "/dashboard while status updates are posted",
    "mixed_board": "/board while status updates are posted",
    "mixed_post_update": "POST /initiatives/<id>/updates at --write-rate/s beside the readers",
}


@dataclass
class Result:
    name: str
    path: str
    requests: int
    seconds: float
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    ratio: float | None = None
    cpu_ms: float | None = None  # the gunicorn workers' CPU time per request, where known
    target: str = ""
    met: bool | None = None


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tracker_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tracker.cli import main; main()", *args]


# --- the database ---------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_postgres(workdir: Path) -> Iterator[str]:
    """A PostgreSQL cluster of its own on 127.0.0.1, removed afterwards (as .ci/run does)."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        sys.exit("No PostgreSQL server found: apt-get install postgresql, or give --database-url.")
    pg_bin = bins[-1].parent
    data = workdir / "pg"
    data.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run = [*as_postgres, str(pg_bin / "pg_ctl"), "-D", str(data / "data")]
    subprocess.run(
        [*as_postgres, str(pg_bin / "initdb"), "-D", str(data / "data"), "-A", "trust", "-U",
         "postgres", "--encoding=UTF8", "--locale=C.UTF-8"],
        check=True, stdout=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run(
        [*run, "-l", str(data / "server.log"), "-o", options, "-w", "-t", "60", "start"],
        check=True, stdout=subprocess.DEVNULL, timeout=90,
    )  # fmt: skip
    try:
        subprocess.run(
            [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             "tracker_bench"],
            check=True, timeout=60,
        )  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/tracker_bench"
    finally:
        subprocess.run([*run, "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL, timeout=60)


def seed(env: dict[str, str], initiatives: int) -> None:
    started = time.perf_counter()
    subprocess.run(tracker_command("db", "upgrade"), env=env, check=True, timeout=300,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    subprocess.run(tracker_command("seed-demo", "--initiatives", str(initiatives)), env=env,
                   check=True, timeout=1800)  # fmt: skip
    log(f"migrated and seeded {initiatives} initiatives in {time.perf_counter() - started:.1f} s")


def publish_all_active(env: dict[str, str]) -> None:
    """The admin's "publish all active initiatives", so that /public shows a real portfolio."""
    code = (
        "from tracker import create_app; from tracker.extensions import db; "
        "from tracker.models import PublicationSettings as S; app = create_app(); ctx = "
        "app.app_context(); ctx.push(); row = db.session.get(S, 1) or S(id=1); "
        "row.publish_all_active = True; db.session.add(row); db.session.commit()"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def make_plan(database_url: str, path: Path) -> None:
    """Who signs in and which initiatives they open or update, from the seeded database."""
    from tracker.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.email, i.id FROM initiative i JOIN user_account u ON u.id = i.owner_id "
                "WHERE u.role = 'manager' AND i.archived_at IS NULL ORDER BY i.id"
            )
        ).all()
        ids = conn.scalars(
            text("SELECT id FROM initiative WHERE archived_at IS NULL ORDER BY id")
        ).all()
        committees = conn.scalars(text("SELECT short_name FROM committee WHERE active")).all()
        departments = conn.scalars(text("SELECT code FROM department WHERE active")).all()
        principles = conn.scalars(text("SELECT key FROM principle WHERE retired_at IS NULL")).all()
        titles = conn.scalars(text("SELECT title FROM initiative ORDER BY id LIMIT 2000")).all()
    engine.dispose()
    words: dict[str, int] = {}
    for title in titles:
        for word in title.lower().split():
            word = word.strip(".,:;()\"'")
            if len(word) >= 5 and word.isalpha():
                words[word] = words.get(word, 0) + 1
    # Common and rare words alike, so that a search finds many rows or a few.
    ranked = sorted(words, key=lambda w: (-words[w], w))
    search_words = ranked[:30] + ranked[-30:]
    managers: dict[str, list[int]] = {}
    for email, initiative_id in rows:
        managers.setdefault(email, []).append(initiative_id)
    plan = {
        "password": PASSWORD,
        "reader": READER,
        "managers": {email: own[:200] for email, own in managers.items()},
        "initiatives": list(ids),
        "committees": list(committees),
        "departments": list(departments),
        "principles": list(principles),
        "words": search_words,
    }
    path.write_text(json.dumps(plan))


# --- gunicorn -------------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], port: int, workers: int, logfile: Path, threads: int = 1
) -> Iterator[int]:
    # More than one thread: gunicorn's gthread worker. A short write then runs beside the long
    # reads of its process (the GIL switches between them) instead of waiting behind them.
    threading = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    if threads > 1:
        # glibc gives each thread an arena of its own; a few keep a threaded worker's RSS where a
        # sync worker's would be (the README's production section says the same).
        env = {"MALLOC_ARENA_MAX": "2", **env}
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers), *threading, "--bind",
        f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning",
        "tracker:create_app()",
    ]  # fmt: skip
    with open(logfile, "ab") as log_file:  # the application logs every sign-in: keep them out
        process = subprocess.Popen(
            command, env=env, cwd=REPO, start_new_session=True, stdout=log_file, stderr=log_file
        )
    try:
        wait_for_health(port, process)
        yield process.pid
    finally:
        stop(process)


def wait_for_health(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with code {process.returncode}")
        url = f"http://127.0.0.1:{port}/healthz"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- locust ---------------------------------------------------------------------------------


def run_scenario(
    name: str, port: int, plan: Path, args, workdir: Path, workers: list[int]
) -> list[Result]:
    classes = SCENARIOS[name][0].split()
    users = args.users + (args.writers if name == "mixed" else 0)
    duration = args.duration
    out = workdir / f"{name}.json"
    env = {
        **os.environ,
        "BENCH_PLAN": str(plan),
        "BENCH_USERS": str(users),
        "BENCH_DURATION": str(duration),
        "BENCH_OUT": str(out),
        "BENCH_WRITERS": str(args.writers),
        "BENCH_WRITE_RATE": str(args.write_rate),
    }
    # The locustfile stops the run `duration` seconds after the last user signed in; this is
    # only a cap in case sign-in never completes.
    run_time = duration + 60 + users
    command = [
        sys.executable, "-m", "locust", "-f", str(BENCH / "locustfile.py"), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{run_time}s",
        "--host", f"http://127.0.0.1:{port}", "--only-summary", "--stop-timeout", "10",
        "--loglevel", "WARNING", "--exit-code-on-error", "0", *classes,
    ]  # fmt: skip
    out.unlink(missing_ok=True)  # never the figures of an earlier run (the warm-up)
    cpu_before = workers_cpu(workers)
    with open(workdir / f"locust-{name}.log", "wb") as locust_log:
        subprocess.run(
            command, env=env, cwd=workdir, timeout=run_time + 120, check=False,
            stdout=locust_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    cpu = workers_cpu(workers) - cpu_before
    if not out.exists():
        sys.exit(f"locust wrote no results for {name}: see {workdir}/locust-{name}.log")
    data = json.loads(out.read_text())
    seconds = data["seconds"] or 1.0
    if data["setup_errors"] or data["users_ready"] < users:
        print(f"  {name}: only {data['users_ready']}/{users} users signed in: "
              f"{data['setup_errors']}", file=sys.stderr)  # fmt: skip
    for sample in data["error_samples"]:
        print(f"  {name}: error: {sample}", file=sys.stderr)
    missing = len(data["setup_errors"]) + (users - data["users_ready"])
    by_name = data.get("times_by_name") or {name: data["times_ms"]}
    if name != "mixed":
        by_name = {name: data["times_ms"]}
    errors = dict.fromkeys(by_name, 0)
    for sample in data["error_samples"]:
        errors[sample.split(":")[0]] = errors.get(sample.split(":")[0], 0)
    results = []
    total = sum(len(t) for t in by_name.values()) or 1
    for row, times in sorted(by_name.items()):
        times = sorted(times)
        results.append(
            Result(
                name=row,
                path=PATHS.get(row, row),
                requests=len(times),
                seconds=round(seconds, 2),
                rps=round(len(times) / seconds, 1),
                p50=round(percentile(times, 50), 1),
                p95=round(percentile(times, 95), 1),
                p99=round(percentile(times, 99), 1),
                # errors are counted for the whole run; a mixed run's go to every row
                errors=data["errors"] + missing,
                cpu_ms=round(cpu * 1000 / total, 2) if cpu and name != "mixed" else None,
            )
        )
    return results


def workers_cpu(pids: list[int]) -> float:
    """User and system CPU seconds the gunicorn workers have used (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def workers_rss(pids: list[int]) -> list[float]:
    """Each gunicorn worker's resident set size in MiB (VmRSS in Linux /proc)."""
    sizes = []
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
    return pids


def percentile(sorted_times: list[float], p: float) -> float:
    if not sorted_times:
        return float("nan")
    if len(sorted_times) == 1:
        return sorted_times[0]
    return statistics.quantiles(sorted_times, n=100, method="inclusive")[int(p) - 1]


def judge(results: list[Result]) -> None:
    ceiling = next((r.rps for r in results if r.name == "healthz"), None)
    for result in results:
        if ceiling:
            result.ratio = round(result.rps / ceiling, 3)
        if result.name in MIXED:
            share, p95, p99 = MIXED[result.name]
        else:
            _cls, share, p95 = SCENARIOS[result.name]
            p99 = None
        wanted, ok = [], result.errors == 0
        if share is not None:
            wanted.append(f"≥ {share:.0%} of /healthz")
            ok = ok and result.ratio is not None and result.ratio >= share
        if p95 is not None:
            wanted.append(f"p95 < {p95} ms")
            ok = ok and result.p95 < p95
        if p99 is not None:
            wanted.append(f"p99 ≤ {p99} ms")
            ok = ok and result.p99 <= p99
        if result.name == "mixed_post_update":
            wanted.append("its rate reached")
            ok = ok and result.rps >= 0.9 * WRITE_RATE[0]
        wanted.append("0 errors")
        result.target = ", ".join(wanted)
        result.met = ok


WRITE_RATE = [10.0]


# --- the report -----------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    lines = [
        "| request | req/s | p50 ms | p95 ms | p99 ms | errors | share of /healthz "
        "| CPU ms/request | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        ratio = f"{r.ratio:.1%}" if r.ratio is not None else ""
        cpu = f"{r.cpu_ms:.1f}" if r.cpu_ms is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        lines.append(
            f"| `{r.path}` | {r.rps:.1f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.errors} "
            f"| {ratio} | {cpu} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def machine() -> dict:
    commit = ""
    with contextlib.suppress(Exception):
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout.strip()  # fmt: skip
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
    }


def write_results(args, results: list[Result], meta: dict) -> Path:
    out_dir = Path(args.results)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    base = out_dir / (f"{stamp}-{args.db}" + ("-cache-off" if args.cache == "off" else ""))
    payload = {**meta, "results": [asdict(r) for r in results]}
    base.with_suffix(".json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    load = meta["load_average"]
    body = [
        f"# Benchmark {meta['date']} on {args.db}",
        "",
        f"{meta['initiatives']} initiatives, {meta['status_updates']} status updates; "
        f"{server(meta['workers'], meta['threads'])}; {meta['users']} signed-in locust users on "
        "127.0.0.1, "
        f"{meta['duration']} s per request; page cache {args.cache}. "
        f"Machine: {meta['machine']['cores']} cores, Python "
        f"{meta['machine']['python']}, commit {meta['machine']['commit'] or '?'}; load average "
        f"{load['before']} before, {load['after']} after.",
        "",
        table(results),
        "",
    ]
    if meta["rss_mib"]:
        m = meta["rss_mib"]
        body += [
            f"Worker RSS around the mixed-load run (before: after {meta['warm_up']} s of the "
            f"same load): {m['before']} MiB before, {m['after']} MiB "
            f"after; largest growth {m['growth']}× (target ≤ {RSS_GROWTH}×): "
            f"{'met' if m['met'] else '**not met**'}.",
            "",
        ]
    base.with_suffix(".md").write_text("\n".join(body))
    return base


RSS_GROWTH = 1.3  # issue 20: a worker's RSS after the mixed load within 1.3× of before it


def rss_judged(rss: dict[str, list[float]]) -> dict:
    """The workers' RSS before and after the mixed scenario, and whether it stayed in bounds."""
    if not rss.get("before") or len(rss.get("after", [])) != len(rss["before"]):
        return {}
    growth = max(a / b for a, b in zip(rss["after"], rss["before"], strict=True))
    return {**rss, "growth": round(growth, 2), "met": growth <= RSS_GROWTH}


def server(workers: int, threads: int) -> str:
    if threads > 1:
        return f"gunicorn {workers} gthread workers × {threads} threads"
    return f"gunicorn {workers} sync workers"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (else throw-away)")
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per request")
    parser.add_argument("--users", type=int, default=16, help="concurrent signed-in clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (> 1: the gthread worker)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), help="measure only these (healthz is kept)"
    )
    parser.add_argument(
        "--cache", choices=("on", "off"), default="on", help="TRACKER_CACHE for gunicorn"
    )
    parser.add_argument("--write-rate", type=float, default=10.0, help="mixed: updates/s")
    parser.add_argument("--writers", type=int, default=2, help="mixed: managers posting")
    parser.add_argument(
        "--warm-up", type=int, default=5, help="mixed: seconds of the same load before the RSS"
    )
    parser.add_argument("--results", default=str(BENCH / "results"), help="where results go")
    parser.add_argument("--exports", action="store_true", help="also run bench/exports.py")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not 1 <= args.duration <= 600 or not 1 <= args.users <= 256:
        parser.error("--duration must be 1-600 s and --users 1-256")
    if not 1 <= args.threads <= 64 or not 0 <= args.warm_up <= 60:
        parser.error("--threads must be 1-64 and --warm-up 0-60 s")
    if args.database_url and args.db != "postgresql":
        parser.error("--database-url is for --db postgresql")
    WRITE_RATE[0] = args.write_rate
    if not 0 < args.write_rate <= 100 or not 1 <= args.writers <= 16:
        parser.error("--write-rate must be 0-100 and --writers 1-16")
    names = list(SCENARIOS)
    if args.only:
        names = [n for n in SCENARIOS if n == "healthz" or n in args.only]

    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    load_before = os.getloadavg()
    try:
        with contextlib.ExitStack() as stack:
            if args.db == "sqlite":
                url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            elif args.database_url:
                url = args.database_url
            else:
                url = stack.enter_context(throwaway_postgres(workdir))
            env = {
                **os.environ,
                "TRACKER_SECRET_KEY": secrets.token_hex(32),
                "TRACKER_DATABASE_URL": url,
                "TRACKER_DEMO_PASSWORD": PASSWORD,
                # Every request comes from 127.0.0.1: the public pages' limit per address would
                # measure the limiter, not the page.
                "TRACKER_PUBLIC_RATELIMIT": "1000000 per minute",
                "PYTHONDONTWRITEBYTECODE": "1",
                "TRACKER_CACHE": args.cache,
            }
            seed(env, args.initiatives)
            publish_all_active(env)
            plan = workdir / "plan.json"
            make_plan(url, plan)
            updates = count_updates(url)
            port = free_port()
            master = stack.enter_context(
                gunicorn(env, port, args.workers, workdir / "gunicorn.log", args.threads)
            )
            log(f"{server(args.workers, args.threads)} on 127.0.0.1:{port}")
            workers = worker_pids(master)
            results = []
            rss: dict[str, list[float]] = {}
            for name in names:
                log(f"{name}: {args.users} users for {args.duration} s")
                if name == "mixed":
                    # The same load for a few seconds first, unrecorded: the workers' templates
                    # compiled and their caches filled, as in a server that has been running.
                    warm = argparse.Namespace(**{**vars(args), "duration": args.warm_up})
                    if args.warm_up:
                        run_scenario(name, port, plan, warm, workdir, workers)
                    rss["before"] = workers_rss(workers)
                rows = run_scenario(name, port, plan, args, workdir, workers)
                if name == "mixed":
                    rss["after"] = workers_rss(workers)
                    log(f"  worker RSS {rss['before']} MiB before, {rss['after']} MiB after")
                results += rows
                for r in rows:
                    log(f"  {r.name}: {r.rps:.1f} req/s, p95 {r.p95:.1f} ms, p99 {r.p99:.1f} ms, "
                        f"{r.errors} errors")  # fmt: skip
        judge(results)
        meta = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": args.db,
            "initiatives": args.initiatives,
            "status_updates": updates,
            "workers": args.workers,
            "threads": args.threads,
            "warm_up": args.warm_up,
            "rss_mib": rss_judged(rss),
            "users": args.users,
            "duration": args.duration,
            "cache": args.cache,
            "machine": machine(),
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            },
        }
        print()
        print(table(results))
        base = write_results(args, results, meta)
        print(f"\nResults: {base}.json and {base}.md")
        log_file = workdir / "gunicorn.log"
        if log_file.exists() and "Traceback" in log_file.read_text(errors="replace"):
            print(f"gunicorn logged tracebacks: see {log_file}", file=sys.stderr)
            args.keep = True
        if args.exports:
            print()
            subprocess.run([sys.executable, str(BENCH / "exports.py")], check=False, timeout=1800)
        memory_met = meta["rss_mib"].get("met", True)
        return 0 if memory_met and all(r.met is not False for r in results) else 1
    finally:
        if args.keep:
            print(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def count_updates(url: str) -> int:
    from tracker.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM status_update"))
    engine.dispose()
    return int(count)


if __name__ == "__main__":
    sys.exit(main())
