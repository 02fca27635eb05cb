"""The demo municipality, modelled on Nykvarns kommun (about 11,000 inhabitants).

``seed`` loads five committees, eleven departments, the three principles, the demo accounts and
about forty hand-written initiatives with months of status history. It only flushes; the caller
commits. ``initiatives=N`` scales the portfolio for benchmarks: the hand-written initiatives come
first, then variants of them for named units. The portfolio goes in without the ORM, with ids
given out in Python: by COPY on PostgreSQL and ``executemany`` on SQLite (``tracker.bulk``),
with the tally's triggers suspended and the tally counted once afterwards, so that a hundred
thousand initiatives with a million status updates load in a few minutes.

A fixed random seed makes the demo the same every time, relative to ``now``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import insert, select

from . import bulk
from .audit import record
from .auth.passwords import hash_password
from .benefits.demo import load as load_benefits
from .demo_data import (
    ACCOUNTS,
    AT_RISK,
    CANCELLED,
    COMMITTEES,
    DEMO_ACCOUNTS,
    DEPARTMENTS,
    DONE,
    HAPPENED,
    IDEA,
    IN_PROGRESS,
    MANAGER_OF,
    MATURITY_DEPARTMENTS,
    MATURITY_QUESTIONS,
    MATURITY_ROUNDS,
    MATURITY_TAGS,
    NEXT_STEPS,
    OFF_TRACK,
    ON_TRACK,
    PLANNED,
    PLANS,
    PRINCIPLES,
    PROBLEMS,
    SUPPORT,
    UNITS,
    VARIANT_STATUSES,
    VARIANT_WEIGHTS,
    Arc,
    Plan,
)
from .extensions import db
from .models import (
    Committee,
    Department,
    Health,
    Initiative,
    MaturityQuestion,
    MaturityRound,
    MaturityValue,
    Principle,
    PrincipleLink,
    Role,
    Status,
    StatusUpdate,
    SupportOutcome,
    SupportRequest,
    User,
    initiative_co_owner,
    initiative_maturity_category,
    tally,
)

__all__ = ["DEMO_ACCOUNTS", "is_empty", "seed"]

SEED = 2026
# About 10,000 status updates per batch: one COPY (PostgreSQL) per table and batch.
INITIATIVES_PER_BATCH = 1000


Progress = Callable[[str, int, int], None]  # (phase, done, total)


class Org(NamedTuple):
    """Database ids of the loaded organisation, by code, e-mail and key."""

    departments: dict[str, int]
    managers: dict[str, int]  # department code -> its manager
    users: dict[str, int]
    principles: dict[str, int]


class Built(NamedTuple):
    """The rows of one initiative, before it has an id."""

    initiative: dict[str, Any]
    updates: list[dict[str, Any]]
    links: list[dict[str, Any]]
    co_owners: list[int]


def is_empty() -> bool:
    """No users and no committees: nothing would clash with the demo."""
    no_users = db.session.scalar(select(User.id).limit(1)) is None
    return no_users and db.session.scalar(select(Committee.id).limit(1)) is None


def seed(
    password: str,
    initiatives: int | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    with_reports: bool = True,
    bulk_load: bool = True,
) -> str:
    """Load the demo municipality and flush. Returns a short summary of what was loaded.

    ``progress(phase, done, total)`` is called as the work goes on. The portfolio goes in with
    COPY (PostgreSQL) or ``executemany`` (SQLite), with the tally's triggers suspended and the
    tally counted once afterwards; ``bulk_load=False`` writes the same rows with plain INSERT
    statements and the triggers live (the reference the tests compare with)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    progress = progress or (lambda _phase, _done, _total: None)
    rng = random.Random(SEED)
    org = _load_organisation(hash_password(password), now)
    total = len(PLANS) if initiatives is None else initiatives
    connection = db.session.connection()
    writer = (bulk.Bulk if bulk_load else bulk.Plain)(connection)
    with tally.suspended(connection) if bulk_load else nullcontext():
        updates = _load_portfolio(org, total, rng, now, progress, writer)
    writer.finish()
    rounds = _load_maturity(org, now)
    benefits = load_benefits(now)  # before the reports, which keep the benefits as they stood
    reports = _load_reports(org, now, progress) if with_reports else 0
    published = _load_publications(org, now)
    db.session.flush()
    progress("analyze", 0, 1)
    writer.analyze()  # every table loaded, the reports and benefits too
    progress("analyze", 1, 1)
    record(None, "demo.seed", changes={"initiatives": total})
    return (
        f"{len(COMMITTEES)} committees, {len(DEPARTMENTS)} departments, {len(ACCOUNTS)} users, "
        f"{total} initiatives, {updates} status updates, {rounds} maturity rounds, "
        f"{reports} frozen committee reports, {benefits} benefits, "
        f"{published} initiatives on the public page"
    )


def _load_reports(org: Org, now: datetime, progress: Progress) -> int:
    """Three reporting periods, the two past ones frozen for every committee (issue 13)."""
    from . import settings
    from .reports import demo as report_demo

    management = db.session.get(User, org.users["ledning@nykvarn.example"])
    return report_demo.load(
        management, settings.organisation_name(), settings.stale_days(), now, progress
    )


def _load_publications(org: Org, now: datetime) -> int:
    """Some initiatives published for residents, one proposal awaiting approval."""
    from .public import demo as public_demo

    return public_demo.load(db.session.get(User, org.users["ledning@nykvarn.example"]), now)


def _load_organisation(password_hash: str, now: datetime) -> Org:
    committees = {short: Committee(short_name=short, name=name) for short, name in COMMITTEES}
    departments: dict[str, Department] = {}
    for code, name, committee, parent in DEPARTMENTS:
        departments[code] = Department(
            code=code,
            name=name,
            committee=committees[committee],
            parent=departments[parent] if parent else None,
        )
    principles = [
        Principle(
            key=key,
            name_sv=name_sv,
            name_en=name_en,
            description_sv=description_sv,
            description_en=description_en,
            sort_order=order,
        )
        for order, (key, name_sv, name_en, description_sv, description_en) in enumerate(
            PRINCIPLES, start=1
        )
    ]
    users = [
        User(
            email=email,
            name=name,
            role=Role(role),
            department=departments[code] if code else None,
            password_hash=password_hash,
            created_at=now - timedelta(days=365),
        )
        for email, role, name, code in ACCOUNTS
    ]
    db.session.add_all([*committees.values(), *departments.values(), *principles, *users])
    db.session.flush()
    return Org(
        departments={code: department.id for code, department in departments.items()},
        managers={u.department.code: u.id for u in users if u.role is Role.MANAGER},
        users={u.email: u.id for u in users},
        principles={p.key: p.id for p in principles},
    )


def _load_portfolio(
    org: Org,
    total: int,
    rng: random.Random,
    now: datetime,
    progress: Progress,
    writer: bulk.Plain,
) -> int:
    """Write ``total`` initiatives in batches; returns the number of status updates."""
    done = updates = 0
    progress("initiatives", 0, total)
    for batch in _chunks(_plans(total, rng), INITIATIVES_PER_BATCH):
        updates += _insert(writer, [_build(plan, org, rng, now) for plan in batch])
        done += len(batch)
        progress("initiatives", done, total)
    return updates


def _plans(total: int, rng: random.Random) -> Iterator[Plan]:
    """The hand-written initiatives, then variants of them for named units."""
    yield from PLANS[:total]
    for number in range(len(PLANS) + 1, total + 1):
        base = PLANS[(number - 1) % len(PLANS)]
        arc = _random_arc(rng)
        unit = rng.choice(UNITS[base.department])
        support = rng.choice(SUPPORT) if arc.health is OFF_TRACK and rng.random() < 0.5 else ""
        others = [code for code in MANAGER_OF if code != base.department]
        co_owners = (MANAGER_OF[rng.choice(others)],) if rng.random() < 0.1 else ()
        yield base._replace(
            title=f"{base.title} – {unit} {number}",
            arc=arc,
            latest="",
            support=support,
            co_owners=co_owners,
        )


def _random_arc(rng: random.Random) -> Arc:
    status = rng.choices(VARIANT_STATUSES, VARIANT_WEIGHTS)[0]
    if status is IDEA:
        return Arc(IDEA, ON_TRACK, 0, 0, 0)
    health = rng.choices((ON_TRACK, AT_RISK, OFF_TRACK), (70, 20, 10))[0]
    if status is DONE:
        return Arc(DONE, ON_TRACK, 100, rng.randint(7, 17), rng.randint(5, 150))
    if status is CANCELLED:
        health = rng.choice((AT_RISK, OFF_TRACK))
        return Arc(status, health, 5 * rng.randint(1, 12), rng.randint(4, 12), rng.randint(5, 150))
    stale = rng.random() < 0.15
    days_ago = rng.randint(40, 120) if stale else rng.randint(1, 25)
    if status is PLANNED:
        return Arc(status, health, rng.choice((0, 5, 10)), rng.randint(1, 4), days_ago)
    return Arc(status, health, 5 * rng.randint(2, 19), rng.randint(7, 17), days_ago)


def _build(plan: Plan, org: Org, rng: random.Random, now: datetime) -> Built:
    owner = org.managers[plan.department]
    times = [_moment(now, days, rng) for days in _update_days(plan.arc, rng)]
    first = times[0] if times else _moment(now, rng.randint(10, 90), rng)
    created = first - timedelta(days=rng.randint(3, 21))
    updates = _history(plan, owner, times, rng)
    latest = updates[-1] if updates else None
    start = _start_date(created, now, latest is None, rng)
    initiative = {
        "title": plan.title,
        "purpose": plan.purpose,
        "benefit": plan.benefit,
        "target_group": plan.target_group,
        "department_id": org.departments[plan.department],
        "owner_id": owner,
        "start_date": start,
        "target_date": start + timedelta(days=30 * plan.months),
        "funding_source": plan.funding,
        "cost_estimate": plan.cost,
        "risks": plan.risks,
        "status": latest["status"] if latest else IDEA,
        "health": latest["health"] if latest else ON_TRACK,
        "progress": latest["progress"] if latest else 0,
        "last_update_at": latest["created_at"] if latest else None,
        "created_at": created,
        "updated_at": latest["created_at"] if latest else created,
        "version": 1,
        "archived_at": None,
    }
    links = [
        {"principle_id": org.principles[key], "motivation": motivation}
        for key, motivation in plan.links
    ]
    return Built(initiative, updates, links, [org.users[email] for email in plan.co_owners])


def _start_date(created: datetime, now: datetime, idea: bool, rng: random.Random) -> date:
    """An idea has a hoped-for start ahead; the others started soon after they were created."""
    if idea:
        return now.date() + timedelta(days=rng.randint(30, 120))
    return created.date() + timedelta(days=rng.randint(1, 14))


def _update_days(arc: Arc, rng: random.Random) -> list[int]:
    """How many days ago each update was posted, oldest first, all on different days.

    The first update is six to nine months back (further if there are many updates), the latest
    ``arc.days_ago``; the ones between are spread evenly with some jitter.
    """
    n, last = arc.updates, max(arc.days_ago, 1)
    if n <= 1:
        return [last] * n
    first = max(rng.randint(180, 270), last + 6 * (n - 1))
    step = (first - last) / (n - 1)
    jitter = int(step // 4)
    days = [round(first - i * step) for i in range(n)]
    return [d + rng.randint(-jitter, jitter) if 0 < i < n - 1 else d for i, d in enumerate(days)]


def _moment(now: datetime, days_ago: int, rng: random.Random) -> datetime:
    """A time in office hours (UTC) ``days_ago`` days before ``now``; always before ``now``."""
    day = now - timedelta(days=days_ago)
    return day.replace(hour=rng.randint(6, 15), minute=rng.randint(0, 59), second=0, microsecond=0)


def _history(
    plan: Plan, owner: int, times: list[datetime], rng: random.Random
) -> list[dict[str, Any]]:
    """The status updates of one initiative, oldest first, ending where its arc ends."""
    statuses = _statuses(plan.arc.status, len(times))
    progresses = _progresses(statuses, plan.arc.progress, rng)
    healths = _healths(plan.arc.health, len(times), rng)
    rows = []
    for i, (at, status, health, progress) in enumerate(
        zip(times, statuses, healths, progresses, strict=True)
    ):
        rows.append(
            {
                "author_id": owner,
                "created_at": at,
                "status": status,
                "health": health,
                "progress": progress,
                **_texts(plan, status, health, progress, i == len(times) - 1, rng),
            }
        )
    return rows


def _statuses(final: Status, n: int) -> list[Status]:
    """Planned first (when there are three updates or more), then in progress, then ``final``."""
    if n == 0:
        return []
    if final is PLANNED:
        return [PLANNED] * n
    head = [PLANNED] if n >= 3 else []
    return head + [IN_PROGRESS] * (n - len(head) - 1) + [final]


def _progresses(statuses: list[Status], final: int, rng: random.Random) -> list[int]:
    """Progress in steps of five that never goes back and ends at ``final``."""
    values: list[int] = []
    previous = 0
    for i, status in enumerate(statuses):
        if i == len(statuses) - 1:
            value = final
        else:
            goal = final * (i + 1) / len(statuses)
            if status is PLANNED:
                goal = min(goal, 5)
            value = min(max(5 * round((goal + rng.uniform(-4, 4)) / 5), previous), final)
        values.append(value)
        previous = value
    return values


def _healths(final: Health, n: int, rng: random.Random) -> list[Health]:
    """Mostly on track with an occasional risk; a red ending is preceded by a yellow one."""
    healths = [AT_RISK if 0 < i < n - 1 and rng.random() < 0.1 else ON_TRACK for i in range(n)]
    if n:
        healths[-1] = final
    red_after_yellow = n >= 2 and final is OFF_TRACK
    yellow_for_a_while = n >= 3 and final is AT_RISK and rng.random() < 0.5
    if red_after_yellow or yellow_for_a_while:
        healths[-2] = AT_RISK
    return healths


def _texts(
    plan: Plan, status: Status, health: Health, progress: int, latest: bool, rng: random.Random
) -> dict[str, str]:
    if latest and plan.latest:
        happened = plan.latest
    else:
        happened = _pick(HAPPENED[status], status, progress, rng)
        if health is not ON_TRACK:
            happened += " " + rng.choice(PROBLEMS)
    if latest:
        support = plan.support
    else:
        # An earlier update in trouble asks now and then (the request is withdrawn with the
        # next update that does not ask: see _support_history).
        asks = health is OFF_TRACK or (health is AT_RISK and rng.random() < 0.5)
        support = rng.choice(SUPPORT) if asks and rng.random() < 0.5 else ""
    return {
        "happened": happened,
        "next_steps": _pick(NEXT_STEPS[status], status, progress, rng),
        "support_needed": support,
    }


def _pick(texts: tuple[str, ...], status: Status, progress: int, rng: random.Random) -> str:
    """Any of ``texts``; for work in progress, one from the part that fits ``progress``."""
    if status is not IN_PROGRESS:
        return rng.choice(texts)
    middle = round(progress / 100 * (len(texts) - 1))
    return texts[min(max(middle + rng.randint(-1, 1), 0), len(texts) - 1)]


_INITIATIVE_FIELDS = (
    "title",
    "purpose",
    "benefit",
    "target_group",
    "department_id",
    "owner_id",
    "start_date",
    "target_date",
    "funding_source",
    "cost_estimate",
    "risks",
    "status",
    "health",
    "progress",
    "last_update_at",
    "created_at",
    "updated_at",
    "version",
    "archived_at",
)
_UPDATE_FIELDS = (
    "author_id",
    "created_at",
    "status",
    "health",
    "progress",
    "happened",
    "next_steps",
    "support_needed",
)
INITIATIVE_COLUMNS = ("id", *_INITIATIVE_FIELDS)
UPDATE_COLUMNS = ("id", "initiative_id", *_UPDATE_FIELDS)
LINK_COLUMNS = ("id", "initiative_id", "principle_id", "motivation")
CO_OWNER_COLUMNS = ("initiative_id", "user_id")
SUPPORT_COLUMNS = (
    "id",
    "initiative_id",
    "opened_at",
    "opened_by_id",
    "opened_by_update_id",
    "latest_update_id",
    "text",
    "closed_at",
    "closed_by_id",
    "outcome",
)


def _support_history(initiative_id: int, rows: list[tuple[int, dict]]) -> list[list]:
    """The support requests an initiative's updates make, in order: an update that asks opens
    one (or rewords the open one); in the demo's story the owner withdraws it with the next
    update that does not ask. So the latest update's request, if it asks, is the open one, and
    the frozen reports of earlier periods have requests asked, open and withdrawn."""
    requests: list[list] = []
    current: list | None = None
    for update_id, row in rows:
        if row["support_needed"]:
            if current is None:
                current = [initiative_id, row["created_at"], row["author_id"], update_id,
                           update_id, row["support_needed"], None, None, None]  # fmt: skip
                requests.append(current)
            else:
                current[4], current[5] = update_id, row["support_needed"]
        elif current is not None:
            current[6:9] = [row["created_at"], row["author_id"], SupportOutcome.WITHDRAWN.value]
            current = None
    return requests


def _insert(writer: bulk.Plain, built: list[Built]) -> int:
    """Write a batch of initiatives and their rows; returns the number of status updates.

    Ids are handed out here, so that every table's rows go in at once; an initiative whose
    latest update asks for support has that request open."""
    ids = writer.next_ids(Initiative.__table__, len(built))
    update_ids = iter(writer.next_ids(StatusUpdate.__table__, sum(len(b.updates) for b in built)))
    link_ids = iter(writer.next_ids(PrincipleLink.__table__, sum(len(b.links) for b in built)))
    initiatives, updates, links, co_owners, requests = [], [], [], [], []
    for id_, b in zip(ids, built, strict=True):
        initiatives.append((id_, *(b.initiative[name] for name in _INITIATIVE_FIELDS)))
        numbered = [(next(update_ids), row) for row in b.updates]
        updates.extend(
            (update_id, id_, *(row[name] for name in _UPDATE_FIELDS)) for update_id, row in numbered
        )
        links.extend(
            (next(link_ids), id_, row["principle_id"], row["motivation"]) for row in b.links
        )
        co_owners.extend((id_, user) for user in b.co_owners)
        requests.extend(_support_history(id_, numbered))
    support_ids = writer.next_ids(SupportRequest.__table__, len(requests))
    support = [
        (support_id, *request) for support_id, request in zip(support_ids, requests, strict=True)
    ]
    writer.write(Initiative.__table__, INITIATIVE_COLUMNS, initiatives)
    writer.write(StatusUpdate.__table__, UPDATE_COLUMNS, updates)
    writer.write(PrincipleLink.__table__, LINK_COLUMNS, links)
    writer.write(initiative_co_owner, CO_OWNER_COLUMNS, co_owners)
    writer.write(SupportRequest.__table__, SUPPORT_COLUMNS, support)
    return len(updates)


def _load_maturity(org: Org, now: datetime) -> int:
    """Two DiMiOS rounds, for the organisation and a few departments, and the category tags of
    some hand-written initiatives. Returns the number of rounds."""
    from .maturity.structure import ensure_categories

    categories = {c.key: c for c in ensure_categories()}
    order = list(categories)
    questions = {}
    for number, (key, code, cap_sv, cap_en, text_sv, text_en) in enumerate(MATURITY_QUESTIONS):
        questions[code] = MaturityQuestion(
            key=code,
            category=categories[key],
            capability_sv=cap_sv,
            capability_en=cap_en,
            text_sv=text_sv,
            text_en=text_en,
            sort_order=number + 1,
        )
    db.session.add_all(questions.values())
    for name, measured_on, respondents, rate, percents in MATURITY_ROUNDS:
        round_ = MaturityRound(
            name=name,
            measured_on=date.fromisoformat(measured_on),
            respondents=respondents,
            response_rate=rate,
            created_at=now - timedelta(days=30),
        )
        for code, percent in percents.items():
            question = questions[code]
            round_.values.append(MaturityValue(question=question, percent=percent))
            for department, offsets in MATURITY_DEPARTMENTS.items():
                shift = offsets[order.index(question.category.key)]
                round_.values.append(
                    MaturityValue(
                        question=question,
                        department_id=org.departments[department],
                        percent=max(0, min(100, percent + shift)),
                    )
                )
        db.session.add(round_)
    titles = db.session.execute(
        select(Initiative.id, Initiative.title).where(Initiative.title.in_(MATURITY_TAGS))
    ).all()
    tags = [
        {"initiative_id": id_, "category_id": categories[key].id}
        for id_, title in titles
        for key in MATURITY_TAGS[title]
    ]
    if tags:
        db.session.execute(insert(initiative_maturity_category), tags)
    db.session.flush()
    return len(MATURITY_ROUNDS)


T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
