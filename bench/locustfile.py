"""Locust users for ``bench/run.py``: one user class per measured request.

``bench/run.py`` starts locust once per scenario, naming the class on the command line, with:

- ``BENCH_PLAN``: a JSON file with the demo password, the reader account, the managers' own
  initiatives (for posting status updates) and the ids of initiatives to open;
- ``BENCH_USERS``: how many users the run spawns;
- ``BENCH_DURATION``: seconds to measure, counted from the moment the last user signed in;
- ``BENCH_OUT``: where to write the results (JSON).

Every user signs in once through the real form (CSRF token and all) in ``on_start``. The
measurement window opens only when every user has signed in, so that sign-in (slow on purpose:
Argon2) is not part of any figure, and closes ``BENCH_DURATION`` seconds later, when the run
stops. Response times are kept in full, so ``run.py`` computes exact percentiles rather than
locust's rounded ones.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from urllib.parse import urlencode

import gevent
from locust import constant, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115
USERS = int(os.environ.get("BENCH_USERS", "16"))
DURATION = float(os.environ.get("BENCH_DURATION", "20"))
ENVIRONMENT = None


class Recorder:
    """Response times (ms) and errors inside the measurement window."""

    def __init__(self) -> None:
        self.ready = 0
        self.started: float | None = None
        self.stopped: float | None = None
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.setup_errors: list[str] = []

    def user_ready(self) -> None:
        self.ready += 1
        if self.ready == USERS:
            self.started = time.perf_counter()
            # Measure for DURATION seconds from here, then stop the whole run.
            gevent.spawn_later(DURATION, ENVIRONMENT.runner.quit)

    @property
    def measuring(self) -> bool:
        return self.started is not None and self.stopped is None


RECORDER = Recorder()


@events.init.add_listener
def _on_init(environment, **_kwargs):
    global ENVIRONMENT
    ENVIRONMENT = environment


@events.request.add_listener
def _on_request(name, response_time, exception, **_kwargs):
    if not RECORDER.measuring or name.startswith("setup:"):
        return
    RECORDER.times.setdefault(name, []).append(response_time)
    if exception is not None:
        RECORDER.errors.append(f"{name}: {exception}"[:300])


@events.test_stop.add_listener
def _on_test_stop(**_kwargs):
    RECORDER.stopped = time.perf_counter()
    out = {
        "users_ready": RECORDER.ready,
        "users": USERS,
        "seconds": (RECORDER.stopped - RECORDER.started) if RECORDER.started else 0.0,
        "times_ms": [t for times in RECORDER.times.values() for t in times],
        "times_by_name": RECORDER.times,
        "errors": len(RECORDER.errors),
        "error_samples": sorted(set(RECORDER.errors))[:10],
        "setup_errors": RECORDER.setup_errors[:10],
    }
    with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as file:
        json.dump(out, file)


def _csrf(html: str) -> str | None:
    match = CSRF_RE.search(html)
    return (match.group(1) or match.group(2)) if match else None


class SignedIn(FastHttpUser):
    """A demo account that signs in once, then sends its request as fast as it can."""

    abstract = True
    wait_time = constant(0)
    email = PLAN["reader"]
    path = "/healthz"
    name = "healthz"
    sequence = 0

    def on_start(self) -> None:
        SignedIn.sequence += 1
        self.number = SignedIn.sequence
        self.rng = random.Random(self.number)
        try:
            self.sign_in()
        except Exception as error:  # noqa: BLE001 - reported, and the user stops
            RECORDER.setup_errors.append(f"{self.email}: {error}"[:300])
            raise StopUser from error
        RECORDER.user_ready()

    def sign_in(self) -> None:
        with self.client.get("/login", name="setup:login", catch_response=True) as page:
            token = _csrf(page.text or "")
        form = {"email": self.email, "password": PLAN["password"], "csrf_token": token or ""}
        with self.client.post(
            "/login", data=form, name="setup:login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
                raise RuntimeError(f"sign-in answered {response.status_code}")

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class Healthz(SignedIn):
    @task
    def healthz(self) -> None:
        self.get("/healthz", "healthz")


class Dashboard(SignedIn):
    @task
    def dashboard(self) -> None:
        self.get("/dashboard", "dashboard")


class Initiatives(SignedIn):
    @task
    def initiatives(self) -> None:
        self.get("/initiatives", "initiatives")


class Board(SignedIn):
    @task
    def board(self) -> None:
        self.get("/board", "board")


def random_filter(rng: random.Random, search: bool = True) -> dict:
    """One or two of the portfolio filters, with values from the seeded database, so that
    nearly every request asks for a selection not asked for just before."""
    choices = [
        lambda: {"committee": rng.choice(PLAN["committees"])},
        lambda: {"department": rng.choice(PLAN["departments"])},
        lambda: {"principle": rng.choice(PLAN["principles"])},
        lambda: {"status": rng.sample(STATUSES, rng.randint(1, 2))},
        lambda: {"health": rng.choice(HEALTHS)},
        lambda: {"stale": "1"},
        lambda: {"support": "1"},
    ]
    if search and PLAN.get("words"):
        choices.append(lambda: {"q": rng.choice(PLAN["words"])})
    args: dict = {}
    for pick in rng.sample(choices, rng.randint(1, 2)):
        args.update(pick())
    return args


STATUSES = ["idea", "planned", "in_progress", "paused", "done", "cancelled"]
HEALTHS = ["on_track", "at_risk", "off_track"]
SORTS = ["title", "-updated", "health", "-progress", "department", "status"]


class DashboardFilters(SignedIn):
    """The dashboard with another filter on every request (a meeting filtering live)."""

    @task
    def dashboard_filters(self) -> None:
        query = urlencode(random_filter(self.rng), doseq=True)
        self.get(f"/dashboard?{query}", "dashboard_filters")


class BoardFilters(SignedIn):
    @task
    def board_filters(self) -> None:
        query = urlencode(random_filter(self.rng), doseq=True)
        self.get(f"/board?{query}", "board_filters")


class Search(SignedIn):
    """The list with a search word, a page and a sort that change on every request."""

    @task
    def search(self) -> None:
        args = {
            "q": self.rng.choice(PLAN["words"]),
            "page": self.rng.randint(1, 3),
            "sort": self.rng.choice(SORTS),
        }
        self.get(f"/initiatives?{urlencode(args)}", "search")


class ListFilters(SignedIn):
    @task
    def list_filters(self) -> None:
        args = {**random_filter(self.rng, search=False), "page": self.rng.randint(1, 20)}
        self.get(f"/initiatives?{urlencode(args, doseq=True)}", "list_filters")


class MixedReader(SignedIn):
    """Reads the dashboard and the board in turn while MixedWriter posts status updates."""

    @task
    def mixed_dashboard(self) -> None:
        self.get("/dashboard", "mixed_dashboard")

    @task
    def mixed_board(self) -> None:
        self.get("/board", "mixed_board")


class Initiative(SignedIn):
    @task
    def initiative(self) -> None:
        initiative_id = self.rng.choice(PLAN["initiatives"])
        self.get(f"/initiatives/{initiative_id}", "initiative")


class Public(SignedIn):
    """A resident: no sign-in, the public list of published initiatives."""

    def sign_in(self) -> None:
        return None

    @task
    def public(self) -> None:
        self.get("/public", "public")


class PostUpdate(SignedIn):
    """A manager posting status updates to their own initiatives, as the form does."""

    def on_start(self) -> None:
        managers = sorted(PLAN["managers"])
        self.email = managers[(SignedIn.sequence) % len(managers)]
        self.own = PLAN["managers"][self.email]
        super().on_start()

    def sign_in(self) -> None:
        super().sign_in()
        with self.client.get(
            f"/initiatives/{self.own[0]}", name="setup:token", catch_response=True
        ) as page:
            self.token = _csrf(page.text or "")
            if not self.token:
                page.failure("no CSRF token on the initiative page")
                raise RuntimeError("no CSRF token on the initiative page")

    @task
    def post_update(self) -> None:
        self.post(self.name_of_post)

    name_of_post = "post_update"

    def post(self, name: str) -> None:
        initiative_id = self.rng.choice(self.own)
        form = {
            "csrf_token": self.token,
            "status": "in_progress",
            "health": self.rng.choice(("on_track", "at_risk")),
            "progress": str(self.rng.randint(10, 90)),
            "happened": "Lasttest: status uppdaterad.",
            "next_steps": "",
            "support_needed": "",
        }
        with self.client.post(
            f"/initiatives/{initiative_id}/updates",
            data=form,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"HTTP {response.status_code}")


class MixedWriter(PostUpdate):
    """A manager posting at a fixed rate: ``BENCH_WRITERS`` of them share ``BENCH_WRITE_RATE``
    status updates a second."""

    fixed_count = int(os.environ.get("BENCH_WRITERS", "2"))
    wait_time = constant_throughput(
        float(os.environ.get("BENCH_WRITE_RATE", "10")) / max(1, fixed_count)
    )
    name_of_post = "mixed_post_update"
