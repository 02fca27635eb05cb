"""Benchmark of the committee exports (issue 5). Run on demand: ``python bench/exports.py``.

Seeds throw-away SQLite databases with the demo municipality scaled to 200, 1,000 and 10,000
initiatives, then asks the real endpoints (through the test client, signed in as the management
group) for CSV and XLSX of every initiative and a PDF of 200. Each export is timed without
tracemalloc, then run again under tracemalloc for its peak of Python memory. The targets on a
2-core machine: CSV of 10,000 < 1 s, XLSX of 10,000 < 3 s, PDF of 200 < 10 s, and CSV/XLSX
memory that does not grow with the number of rows (compare 1,000 with 10,000).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from tracker import create_app, demo
from tracker.extensions import db

PASSWORD = "bench-password-1234"
ACCOUNT = "ledning@nykvarn.example"


def make_app(path: Path, initiatives: int):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        demo.seed(password=PASSWORD, initiatives=initiatives)
        db.session.commit()
    print(f"  seeded {initiatives:>6} initiatives in {time.perf_counter() - started:.1f} s")
    return app


def signed_in_client(app):
    client = app.test_client()
    response = client.post("/login", data={"email": ACCOUNT, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def download(client, extension: str) -> int:
    """The whole export, read block by block as a server would send it; returns its size."""
    response = client.get(f"/exports/initiatives.{extension}")
    assert response.status_code == 200, (extension, response.status_code)
    size = sum(len(block) for block in response.response)
    response.close()
    return size


def measure(client, extension: str) -> tuple[float, float, int]:
    """Seconds (without tracemalloc) and peak MiB (with), and the file size."""
    download(client, extension)  # warm up: templates, first queries
    started = time.perf_counter()
    size = download(client, extension)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    download(client, extension)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--pdf-rows", type=int, default=200)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted({args.pdf_rows, 1_000, args.rows})
        for n in sizes:
            app = make_app(Path(tmp) / f"bench-{n}.sqlite3", n)
            client = signed_in_client(app)
            formats = ["csv", "xlsx"] + (["pdf", "docx"] if n == args.pdf_rows else [])
            for extension in formats:
                seconds, peak, size = measure(client, extension)
                results.append((extension, n, seconds, peak, size))
                print(
                    f"  {extension:<4} {n:>6} rows  {seconds:6.2f} s  "
                    f"peak {peak:6.1f} MiB  {size / 1024:8.0f} KiB"
                )
            with app.app_context():
                db.engine.dispose()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {maxrss:.0f} MiB (includes seeding)")
    targets = {("csv", args.rows): 1.0, ("xlsx", args.rows): 3.0, ("pdf", args.pdf_rows): 10.0}
    failed = False
    for extension, n, seconds, _peak, _size in results:
        target = targets.get((extension, n))
        if target is not None:
            verdict = "ok" if seconds < target else "SLOWER THAN TARGET"
            failed |= seconds >= target
            print(f"{extension} of {n}: {seconds:.2f} s (target < {target:.0f} s) {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
