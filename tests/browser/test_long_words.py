"""Long Swedish words, as the municipality writes them: titles such as
"Informationssäkerhetsutbildning för alla medarbetare" and departments such as
"Samhällsbyggnadskontoret". The meeting mode keeps every word of a card's title on one line at the
widths a projector has, and the dashboard's roll-up and the list fit their column at 1280 px
(issue 12)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker.extensions import db
from tracker.models import Health, Initiative, Status, User, utcnow

from .. import factories
from .helpers import words_broken_across_lines

pytestmark = pytest.mark.browser

LONG_TITLES = [
    "Informationssäkerhetsutbildning för alla medarbetare",
    "Tillgänglighetsanpassning av webbplatsen",
    "Gemensam e-tjänsteplattform och Mina sidor",
    "Nytt ärendehanteringssystem",
]


@pytest.fixture(scope="module", autouse=True)
def _long_words(live_server):
    with live_server.app.app_context():
        manager = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        committee = factories.make_committee("BUNL", "Barn- och utbildningsnämnden")
        department = factories.make_department(committee, "SBKL", "Samhällsbyggnadskontoret")
        statuses = [Status.IN_PROGRESS, Status.DONE, Status.PLANNED, Status.CANCELLED]
        for title, status in zip(LONG_TITLES, statuses, strict=True):
            factories.make_initiative(
                manager,
                department,
                title=title,
                status=status,
                health=Health.AT_RISK,
                progress=50,
                updates=1,
                last_update_days_ago=75,  # the open ones need an update: the list's longest cell
            )
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("width", [1920, 1280])
def test_meeting_mode_titles_do_not_break_mid_word(page, sign_in, width):
    sign_in("management")
    page.set_viewport_size({"width": width, "height": 1080})
    page.goto("/board?present=1&lang=sv")
    titles = page.locator(".board-card__title").all_text_contents()
    assert all(any(title in t for t in titles) for title in LONG_TITLES), titles
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    broken = words_broken_across_lines(page, ".board-card__title a")
    assert not broken, broken
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.board-card__title'))
          .map(t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert min(sizes) >= 24, sizes


def test_rollup_with_long_names_fits_its_column_at_1280(page, sign_in):
    sign_in("management")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/dashboard?lang=sv")
    assert page.locator("table.rollup", has_text="Samhällsbyggnadskontoret").count() == 2
    for table in page.locator("table.rollup").all():
        box, wrap = table.bounding_box(), table.locator("xpath=..").bounding_box()
        assert box["width"] <= wrap["width"] + 1, (box, wrap)


def test_list_with_long_names_fits_its_column_at_1280(page, sign_in):
    sign_in("management")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/initiatives?department=SBKL&lang=sv")
    table = page.locator("#results table")
    assert table.locator("tbody tr").count() == len(LONG_TITLES)
    assert table.locator(".tag--stale").count() >= 1
    box, wrap = table.bounding_box(), table.locator("xpath=..").bounding_box()
    assert box["width"] <= wrap["width"] + 1, (box, wrap)


@pytest.mark.parametrize("width", [390, 1280, 1920])
def test_trend_chart_month_names_stand_apart(page, sign_in, width):
    """The trend's axis reads "feb mars apr", not "febmarsapr": at least 4 px between names
    (at 390 px the names touched)."""
    sign_in("management")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/dashboard?lang=sv")
    gaps = page.evaluate(
        """() => { const svg = Array.from(document.querySelectorAll('.chart__svg'))
            .find(s => s.querySelectorAll('.chart__tick').length >= 12);
          const ticks = Array.from(svg.querySelectorAll('.chart__tick'))
            .filter(t => /[a-zåäö]/.test(t.textContent) && getComputedStyle(t).display != 'none')
            .map(t => t.getBoundingClientRect());
          return ticks.slice(1).map((r, i) => r.left - ticks[i].right); }"""
    )
    # On a phone every other month is named (six names), wider all twelve.
    assert len(gaps) == (5 if width < 640 else 11) and min(gaps) >= 4, gaps


OPEN_COLLAPSED = (
    "() => document.querySelectorAll('.board__collapse').forEach(d => { d.open = true; })"
)


@pytest.mark.parametrize("width", [1920, 1280])
def test_board_titles_do_not_break_mid_word_where_the_cards_have_room(page, sign_in, width):
    """The ordinary board. Finished and cancelled initiatives fill the whole width when opened:
    their cards are wide enough for "e-tjänsteplattform" at 1280 px too. At 1920 px the board
    page takes more of the screen, so that the four open columns' cards hold
    "Informationssäkerhetsutbildning" (about 300 px). At 1280 px four columns in 1,120 px leave
    a card about 210 px of text, and the open columns may still break such a word."""
    sign_in("management")
    page.set_viewport_size({"width": width, "height": 1080})
    page.goto("/board?lang=sv")
    page.evaluate(OPEN_COLLAPSED)
    titles = page.locator(".board-card__title").all_text_contents()
    assert all(any(title in t for t in titles) for title in LONG_TITLES), titles
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    columns = page.evaluate(
        """() => Array.from(document.querySelectorAll('.board > .board__column'))
          .filter(c => !c.classList.contains('board__column--collapsed'))
          .map(c => Math.round(c.getBoundingClientRect().top))"""
    )
    assert len(columns) == 4 and len(set(columns)) == 1, columns  # four columns side by side
    where = "" if width >= 1920 else ".board__column--collapsed "
    broken = words_broken_across_lines(page, f"{where}.board-card__title a")
    assert not broken, broken


# An initiative's heading of long words: the demo's "Tillgänglighetsanpassning av webbplatsen"
# made its page 396 px wide at 390 and 320 px (the heading could not shrink below its longest
# word beside the actions); a word longer than a phone is wide breaks rather than widen the page,
# and words that fit a line ("Digital bygglovsprocess") are not broken.
HEADINGS = [
    "Digital bygglovsprocess",
    "Tillgänglighetsanpassning av webbplatsen",
    "Informationssäkerhetsutbildningsprogrammet för Samhällsbyggnadskontoret",
]


@pytest.fixture(scope="module")
def long_headings(live_server) -> dict[str, int]:
    """Title → id. Archived, so that they stay off the board (whose cards' words are checked
    above) and out of the active lists; the initiative's page is the same."""
    with live_server.app.app_context():
        manager = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        ids = {
            title: factories.make_initiative(
                manager, title=title, updates=1, archived_at=utcnow()
            ).id
            for title in HEADINGS
        }
        db.session.commit()
        db.session.remove()
    return ids


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize("title", HEADINGS)
def test_a_heading_of_long_words_wraps_within_a_phone(page, sign_in, long_headings, title, width):
    sign_in("manager")  # the owner: the heading has the actions beside it too
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/initiatives/{long_headings[title]}?lang=sv")
    heading = page.locator("main h1")
    assert heading.text_content().strip() == title
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('main h1').getBoundingClientRect().right]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[1], sizes
    if title == HEADINGS[0]:  # words that fit a line are never broken
        broken = words_broken_across_lines(page, "main h1")
        assert not broken, broken


ONE_WORD = "Självbetjäningsbiblioteksautomatiseringsprojektetsutvärderingsrapport"


@pytest.fixture(scope="module")
def one_long_word(live_server) -> Iterator[int]:
    """An active initiative of the manager titled with one word longer than a phone is wide,
    published with that word in its public summary."""
    from tracker.public import services as public

    with live_server.app.app_context():
        manager = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        management = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["management"])
        )
        initiative = factories.make_initiative(
            manager, title=ONE_WORD, status=Status.IN_PROGRESS, updates=1
        )
        db.session.flush()
        public.propose(manager, initiative, f"Om {ONE_WORD} och mer.")
        public.approve(management, initiative)
        db.session.commit()
        initiative_id = initiative.id
        db.session.remove()
    yield initiative_id
    with live_server.app.app_context():  # off the board and the lists of the other tests
        db.session.get(Initiative, initiative_id).archived_at = utcnow()
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("width", [390, 320])
def test_one_word_longer_than_a_phone_wraps_in_the_status_round_and_the_public_list(
    page, sign_in, live_server, one_long_word, width
):
    """A legend (the status round's initiative) and a public card grow to their longest word
    unless told to break it: the page then scrolled sideways."""
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    sign_in("manager")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/initiatives/round?lang=sv")
    assert page.locator("legend", has_text=ONE_WORD[:20]).count() == 1
    assert page.evaluate(fits), page.evaluate("document.documentElement.scrollWidth")
    page.context.clear_cookies()
    page.goto("/public?lang=sv")
    assert page.get_by_text(f"Om {ONE_WORD} och mer.").count() == 1
    assert page.evaluate(fits), page.evaluate("document.documentElement.scrollWidth")
