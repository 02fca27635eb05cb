"""The benefits overview (/benefits) with the names a municipality writes
("Samhällsbyggnadskontoret", "Informationssäkerhetsutbildning för alla medarbetare"): its two
roll-ups and the list of every benefit fit their 1120 px column at 1280 and 1920 px (the list was
1,548 px and "Per avdelning" 1,152 px), and on a phone the list is a card per benefit and the
roll-ups scroll inside a focusable, labelled region, never the page."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.extensions import db
from tracker.models import (
    Benefit,
    BenefitKind,
    Direction,
    Frequency,
    Health,
    Indicator,
    Measurement,
    Status,
    User,
)

from .. import factories
from .helpers import assert_no_axe_violations, words_broken_across_lines

pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"

# (initiative, its status, department, benefit, kind, indicator, unit, direction,
#  baseline months ago, target months ahead, frequency, [(months ago, value)], baseline, target)
BENEFITS = [
    (
        "Informationssäkerhetsutbildning för alla medarbetare",
        Status.IN_PROGRESS,
        "IT- och digitaliseringsenheten",
        "Färre säkerhetsincidenter som beror på misstag",
        BenefitKind.STAFF,
        "Andel medarbetare som genomgått utbildningen",
        "%",
        Direction.HIGHER,
        14,
        10,
        Frequency.QUARTERLY,
        [(9, 20), (6, 41), (2, 58)],
        0,
        90,
    ),
    (
        "Tillgänglighetsanpassning av webbplatsen",
        Status.IN_PROGRESS,
        "Samhällsbyggnadskontoret",
        "Webbplatsen fungerar för invånare med funktionsnedsättning",
        BenefitKind.RESIDENTS,
        "Brister mot WCAG 2.1 AA i den årliga granskningen",
        "brister",
        Direction.LOWER,
        2,
        18,
        Frequency.YEARLY,
        [],
        143,
        0,
    ),
    (
        "Gemensam e-tjänsteplattform och Mina sidor",
        Status.IN_PROGRESS,
        "Samhällsbyggnadskontoret",
        "Fler ärenden startas digitalt via Mina sidor",
        BenefitKind.RESIDENTS,
        "Andel ärenden som startas digitalt",
        "%",
        Direction.HIGHER,
        20,
        6,
        Frequency.MONTHLY,  # measured last 8 months ago: overdue, its tag the widest cell
        [(14, 20), (8, 31)],
        5,
        60,
    ),
    (
        "Nytt ärendehanteringssystem",
        Status.DONE,
        "Samhällsbyggnadskontoret",
        "Kortare handläggningstid för bygglovsansökningar",
        BenefitKind.QUALITY,
        "Handläggningstid för bygglovsansökningar, median",
        "dagar",
        Direction.LOWER,
        24,
        2,
        Frequency.HALF_YEARLY,
        [(12, 30), (1, 19.5)],
        42,
        21,
    ),
]


def _shot(page, name: str) -> None:
    """A full-page screenshot into TRACKER_SCREENSHOTS, when set (as in test_layout)."""
    folder = os.environ.get("TRACKER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _months(today: date, months: int) -> date:
    return today + timedelta(days=round(30.44 * months))


@pytest.fixture(scope="module", autouse=True)
def _long_named_benefits(live_server):
    with live_server.app.app_context():
        manager = db.session.scalar(
            db.select(User).where(User.email == live_server.emails["manager"])
        )
        committee = factories.make_committee("SBN", "Samhällsbyggnadsnämnden")
        departments = {
            name: factories.make_department(committee, code, name)
            for code, name in (
                ("SBK", "Samhällsbyggnadskontoret"),
                ("ITD", "IT- och digitaliseringsenheten"),
            )
        }
        owner = factories.make_user(name="Karin Lundgren-Söderström", email="karin@example.se")
        today = date.today()
        for (
            title, status, department, benefit_title, kind, indicator, unit, direction,
            baseline_ago, target_ahead, frequency, measurements, baseline, target,
        ) in BENEFITS:  # fmt: skip
            initiative = factories.make_initiative(
                manager,
                departments[department],
                title=title,
                status=status,
                health=Health.ON_TRACK,
                progress=50,
                updates=1,
            )
            benefit = Benefit(
                initiative=initiative, title=benefit_title, kind=kind, owner_id=owner.id,
                created_by_id=manager.id,
            )  # fmt: skip
            benefit.indicator = Indicator(
                name=indicator, unit=unit, direction=direction,
                baseline_value=Decimal(baseline), baseline_date=_months(today, -baseline_ago),
                target_value=Decimal(target), target_date=_months(today, target_ahead),
                frequency=frequency,
            )  # fmt: skip
            for months_ago, value in measurements:
                benefit.indicator.measurements.append(
                    Measurement(
                        value=Decimal(str(value)),
                        measured_on=_months(today, -months_ago),
                        author_id=owner.id,
                    )
                )
            db.session.add(benefit)
        db.session.commit()
        db.session.remove()


# Each table of the overview against the region around it and the page's column; and every cell
# whose content is wider than the cell (a word or a tag sticking out).
MEASURE = """() => {
  const column = document.querySelector('#content').getBoundingClientRect();
  return Array.from(document.querySelectorAll('#benefits-overview table')).map(t => {
    const wrap = t.closest('.table-wrap');
    return {
      table: t.querySelector('caption')?.textContent.trim() || t.className,
      width: t.getBoundingClientRect().width,
      wrap: wrap.getBoundingClientRect().width,
      scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
      column: column.width,
      columns: Array.from(t.querySelectorAll('thead th'))
        .map(th => th.textContent.trim() + ' ' + Math.round(th.getBoundingClientRect().width)),
      overflowing: Array.from(t.querySelectorAll('th, td'))
        .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim()),
    };
  });
}"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_benefits_overview_fits_its_column(page, sign_in, width):
    sign_in("management")
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto("/benefits?lang=sv")
    overview = page.locator("#benefits-overview")
    for name in ("Samhällsbyggnadskontoret", "Informationssäkerhetsutbildning för alla"):
        assert overview.get_by_text(name).first.is_visible(), name
    assert overview.locator(".tag--stale").count() >= 1  # the overdue measurement's tag
    assert page.evaluate(FITS), page.evaluate("document.documentElement.scrollWidth")
    _shot(page, f"benefits-{width}")
    tables = page.evaluate(MEASURE)
    assert len(tables) == 3, tables
    for table in tables:
        assert table["width"] <= table["wrap"] + 1 and table["wrap"] <= table["column"] + 1, str(
            table
        )
        assert not table["scrolls"] and not table["overflowing"], str(table)
    # The names keep their words whole: departments, initiatives and the benefits' own titles.
    broken = words_broken_across_lines(
        page,
        ".benefits-table tbody th > a, .benefits-table tbody td > a, "
        ".benefit-rollup tbody th > a, .benefits-table .date",
    )
    assert not broken, broken
    assert_no_axe_violations(page, f"/benefits at {width} px")


def test_the_benefits_overview_on_a_phone(page, sign_in):
    sign_in("management")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/benefits?lang=sv")
    _shot(page, "benefits-390")
    assert page.evaluate(FITS), page.evaluate("document.documentElement.scrollWidth")
    # The list: a card per benefit, every cell inside the screen and naming its column.
    rows = page.locator(".benefits-table tbody tr")
    assert rows.count() == len(BENEFITS)
    for row in rows.all():
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('.benefits-table tbody td'))
          .map(td => getComputedStyle(td, '::before').content)"""
    )
    assert all(label.startswith('"') and label != '""' for label in labels), labels
    # Every table that is wider than the screen scrolls inside a region a keyboard can reach,
    # with a name.
    regions = page.evaluate(
        """() => Array.from(document.querySelectorAll('#benefits-overview .table-wrap')).map(w => ({
          scrolls: w.scrollWidth > w.clientWidth + 1, tabindex: w.getAttribute('tabindex'),
          role: w.getAttribute('role'),
          name: (document.getElementById(w.getAttribute('aria-labelledby') || '') || {}).textContent
        }))"""
    )
    scrolling = [r for r in regions if r["scrolls"]]
    assert scrolling, regions  # the roll-ups' nine columns do not fit 390 px
    for region in scrolling:
        assert region["tabindex"] == "0" and region["role"] == "region", region
        assert region["name"] and region["name"].strip(), region
    wrap = page.locator("#benefits-overview .table-wrap").first
    wrap.focus()
    page.keyboard.press("ArrowRight")
    wrap.evaluate("w => new Promise(done => setTimeout(done, 50))")
    page.wait_for_function("w => w.scrollLeft > 0", arg=wrap.element_handle())
    assert_no_axe_violations(page, "/benefits at 390 px")


CHART_LABELS = """() => Array.from(document.querySelectorAll('main .chart__svg text')).map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          height: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a};
})"""


@pytest.mark.parametrize("width", [390, 1280, 1920])
def test_an_indicators_chart_has_readable_labels_that_do_not_overlap(page, sign_in, width):
    """Each benefit's chart: its labels (baseline, target, first and last day) are at least 12 px
    on a phone and never on top of each other (the baseline's label sat on the last date)."""
    sign_in("management")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/benefits?lang=sv")
    links = page.locator("#benefits-overview a[href^='/benefits/']")
    hrefs = sorted({links.nth(i).get_attribute("href") for i in range(links.count())})
    assert hrefs
    for href in hrefs:
        page.goto(f"{href}?lang=sv")
        labels = page.evaluate(CHART_LABELS)
        assert len(labels) == 4, href
        for label in labels:
            assert label["height"] >= 12, (href, label)
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                apart = (
                    a["bottom"] <= b["top"]
                    or b["bottom"] <= a["top"]
                    or a["right"] <= b["left"]
                    or b["right"] <= a["left"]
                )
                assert apart, (href, a["text"], b["text"])
