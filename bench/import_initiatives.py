"""Benchmark of the initiatives import (issue 18): ``python bench/import_initiatives.py``.

Seeds a throw-away SQLite database (or the empty PostgreSQL database of ``--database-url``) with
the demo municipality, writes a sheet of ``--rows`` initiatives (default 1,000) as XLSX and as
CSV, each row with three principles, dates, a cost, a co-owner and a first status update, and
imports it through the real endpoints, signed in as the admin: the upload and its preview, then
the confirmation that writes everything in one transaction. The target: a 1,000-row sheet
imported, preview and confirmation together, within 5 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select, text

from tracker import create_app, demo
from tracker.extensions import db
from tracker.models import Department, Initiative, Role, User

PASSWORD = "bench-password-1234"
ACCOUNT = "admin@nykvarn.example"
TARGET_SECONDS = 5.0
HEADING = [
    "Importnyckel", "Titel", "Syfte", "Nytta för invånarna", "Målgrupp", "Avdelning",
    "Ägare (e-post)", "Medägare (e-post)", "Startdatum", "Måldatum", "Finansiering",
    "Kostnad (kr)", "Risker", "Tillgänglighet", "Trygghet", "Effektivitet", "Status",
    "Bedömning", "Framdrift (%)", "Lägesrapport",
]  # fmt: skip


def make_app(database_url: str):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        demo.seed(password=PASSWORD)
        db.session.commit()
    return app


def sheet_rows(app, count: int) -> list[list[str]]:
    with app.app_context():
        departments = list(db.session.scalars(select(Department).where(Department.active)))
        managers = list(db.session.scalars(select(User).where(User.role == Role.MANAGER)))
    rows = [HEADING]
    for n in range(count):
        department = departments[n % len(departments)]
        owner = managers[n % len(managers)]
        co_owner = managers[(n + 1) % len(managers)]
        rows.append(
            [
                f"BENCH-{n:05}",
                f"Importerat initiativ {n}",
                f"Syftet med initiativ {n}: att göra något bättre för invånarna. " * 3,
                "Kortare väntetider och färre blanketter.",
                "Invånare",
                department.code,
                owner.email,
                co_owner.email,
                "2026-01-15",
                "2026-12-31",
                "Ordinarie budget",
                f"{(n % 50 + 1) * 10000}",
                "Leverantören hinner inte.",
                "Fungerar med skärmläsare och på mobilen.",
                "Säker inloggning med e-legitimation.",
                "Mindre manuellt arbete.",
                ["Planerad", "Pågående", "Pausad", "Idé"][n % 4],
                ["Enligt plan", "Risk", "Avvikelse"][n % 3],
                str(n % 101),
                "Förstudien är klar.",
            ]
        )
    return rows


def as_xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_csv(rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def run_import(
    app, name: str, content: bytes, rows: int, existing: str = "skip"
) -> tuple[float, float, float]:
    client = app.test_client()
    response = client.post("/login", data={"email": ACCOUNT, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(
        "/initiatives/import",
        data={"file": (io.BytesIO(content), name), "existing": existing},
        content_type="multipart/form-data",
    )
    preview = time.perf_counter() - started
    html = response.get_data(as_text=True)
    shown = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))[:1500]
    assert response.status_code == 200, (response.status_code, shown)
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', html).group(1)
    started = time.perf_counter()
    response = client.post(
        "/initiatives/import", data={"payload": payload, "action": "import", "existing": existing}
    )
    confirm = time.perf_counter() - started
    cpu = time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    with app.app_context():
        imported = db.session.scalar(
            select(func.count(Initiative.id)).where(Initiative.title.like("Importerat initiativ%"))
        )
    assert imported == rows, imported
    return preview, confirm, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (it is emptied)")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("xlsx", "csv"):
            url = args.database_url or f"sqlite:///{Path(tmp) / f'{kind}.sqlite3'}"
            app = make_app(url)
            rows = sheet_rows(app, args.rows)
            content = as_xlsx(rows) if kind == "xlsx" else as_csv(rows)
            preview, confirm, cpu = run_import(app, f"bench.{kind}", content, args.rows)
            total = preview + confirm
            verdict = "ok" if total <= TARGET_SECONDS else f"SLOWER than {TARGET_SECONDS:.0f} s"
            failed |= total > TARGET_SECONDS
            print(
                f"{kind:>4}: {args.rows} rows, {len(content) / 1024:.0f} KiB: preview "
                f"{preview:.2f} s + import {confirm:.2f} s = {total:.2f} s ({verdict}); "
                f"CPU time of this process {cpu:.2f} s; load average {os.getloadavg()[0]:.1f} "
                f"on {os.cpu_count()} CPUs"
            )
            # The same sheet again, changed, updating what was imported (optimistic locking).
            changed = [rows[0]] + [[*r[:2], r[2] + " Ändrat.", *r[3:]] for r in rows[1:]]
            content = as_xlsx(changed) if kind == "xlsx" else as_csv(changed)
            preview, confirm, cpu = run_import(app, f"bench.{kind}", content, args.rows, "update")
            print(
                f"{kind:>4}: the same {args.rows} rows again, updating: preview {preview:.2f} s + "
                f"import {confirm:.2f} s = {preview + confirm:.2f} s; CPU time {cpu:.2f} s"
            )
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
