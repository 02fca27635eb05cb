"""Benchmark of freezing committee reports (issue 13). Run on demand: ``python bench/freeze.py``.

Seeds a throw-away database with the demo municipality scaled to 10,000 initiatives (what
``tracker seed-demo --initiatives 10000`` loads, with its two past periods already frozen), then
freezes the current period's report of every committee at once, in one transaction, as the
"Fastställ" button does, and prints the time. The target: under 10 s for 10,000 initiatives.
Then it reads the biggest frozen report back and times its CSV and XLSX.

``--database-url postgresql://…`` runs it against an empty PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from tracker import create_app, demo
from tracker.extensions import db
from tracker.models import Committee, FrozenReport, User
from tracker.reports import periods, services

PASSWORD = "bench-password-1234"
TZ = ZoneInfo("Europe/Stockholm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": url,
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            if url.startswith("postgresql"):
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            db.create_all()
            started = time.perf_counter()
            summary = demo.seed(password=PASSWORD, initiatives=args.initiatives)
            db.session.commit()
            print(f"seeded in {time.perf_counter() - started:.1f} s: {summary}")

            management = db.session.scalar(
                select(User).where(User.email == "ledning@nykvarn.example")
            )
            period = periods.open_period(datetime.now(TZ).date())
            committees = list(db.session.scalars(select(Committee)))
            started, cpu = time.perf_counter(), time.process_time()
            frozen = services.freeze(
                management,
                period,
                services.FreezeRequest([c.id for c in committees], {}),
                tz=TZ,
                stale_days=30,
                organisation="Nykvarns kommun",
                locale="sv",
                now=datetime.now(UTC),
            )
            db.session.commit()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu  # SQLite runs in this process: its work counts too
            count = sum(r.initiative_count for r in frozen)
            size = sum(len(r.content) for r in frozen)
            print(
                f"froze {len(frozen)} committee reports of {count} initiatives "
                f"({size / 1e6:.1f} MB of JSON) in {elapsed:.2f} s wall, {cpu:.2f} s CPU "
                f"({'OK' if elapsed < 10 else 'TOO SLOW'}: target < 10 s)"
            )
            biggest = max(frozen, key=lambda r: r.initiative_count)
            report_id = biggest.id
            del biggest
            db.session.expire_all()
            assert db.session.get(FrozenReport, report_id) is not None

        client = app.test_client()
        response = client.post(
            "/login", data={"email": "ledning@nykvarn.example", "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code
        for extension in ("csv", "xlsx"):
            started = time.perf_counter()
            response = client.get(f"/reports/{report_id}.{extension}")
            assert response.status_code == 200, response.status_code
            print(
                f"  frozen report {extension}: {len(response.data) / 1e6:.1f} MB "
                f"in {time.perf_counter() - started:.2f} s"
            )


if __name__ == "__main__":
    main()
