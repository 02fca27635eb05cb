"""Dashboard, board and decisions (issue: portfolio board and dashboard)."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tracker.extensions import db
from tracker.models import AuditEvent, Decision, DecisionKind, Health, Status, User
from tracker.portfolio import board, dashboard
from tracker.portfolio.decisions import DecisionData, DecisionError, record_decision
from tracker.portfolio.filters import PortfolioFilter, parse

from . import factories
from .conftest import csrf_from


@pytest.fixture
def portfolio(org):
    """A hand-built portfolio whose every figure is known.

    IT (KS):  A in progress, off track, support asked, 40 %, principles 1+2
              B planned, on track, stale (60 days), 10 %, principle 1
              C done, on track, 100 %, principle 3
    HR (KS):  none
    GRS (BUN): D in progress, at risk, 60 %, principle 2
              E idea, no update, principle 1 (created long ago, but ideas are never stale)
              F archived (counts nowhere)
    """
    p1, p2, p3 = org.principles
    it, _hr, grs = org.departments
    m, o = org.manager, org.other_manager
    make = factories.make_initiative
    items = {
        "A": make(
            m,
            it,
            [p1, p2],
            updates=2,
            status=Status.IN_PROGRESS,
            health=Health.OFF_TRACK,
            progress=40,
            support_requested=True,
            title="A",
        ),
        "B": make(
            m,
            it,
            [p1],
            updates=1,
            last_update_days_ago=60,
            status=Status.PLANNED,
            health=Health.ON_TRACK,
            progress=10,
            title="B",
        ),
        "C": make(
            m,
            it,
            [p3],
            updates=1,
            status=Status.DONE,
            health=Health.ON_TRACK,
            progress=100,
            title="C",
        ),
        "D": make(
            o,
            grs,
            [p2],
            updates=3,
            status=Status.IN_PROGRESS,
            health=Health.AT_RISK,
            progress=60,
            title="D",
        ),
        "E": make(o, grs, [p1], status=Status.IDEA, title="E", created_at=factories.days_ago(200)),
        "F": make(
            o,
            grs,
            [p1],
            updates=1,
            status=Status.IN_PROGRESS,
            title="F",
            archived_at=factories.days_ago(1),
        ),
    }
    db.session.commit()
    return items


def _user(org, role):
    return db.session.get(User, org.user(role).id)


def test_dashboard_figures_every_cell(org, portfolio):
    view = dashboard.build(_user(org, "management"), PortfolioFilter(), stale_days=30)
    p1, p2, p3 = (p.id for p in org.principles)
    t = view.totals
    assert t.total == 5
    assert t.by_status == {
        Status.IDEA: 1,
        Status.PLANNED: 1,
        Status.IN_PROGRESS: 2,
        Status.PAUSED: 0,
        Status.DONE: 1,
        Status.CANCELLED: 0,
    }
    # Health counts active initiatives only: A (off), B (on), D (at risk).
    assert t.by_health == {Health.ON_TRACK: 1, Health.AT_RISK: 1, Health.OFF_TRACK: 1}
    assert (t.stale, t.support) == (1, 1)
    assert t.average_progress == round((40 + 10 + 60) / 3)
    assert t.coverage == {p1: 3, p2: 2, p3: 1}

    groups = {g.committee.short_name: g for g in view.committees}
    assert list(groups) == ["BUN", "KS"]  # ordered by name: Barn- och …, Kommunstyrelsen
    ks = {row.department.code: row.counts for row in groups["KS"].departments}
    assert list(ks) == ["HR", "IT"]
    assert ks["HR"].total == 0 and ks["HR"].coverage == {}  # shown although empty
    it = ks["IT"]
    assert (it.total, it.stale, it.support) == (3, 1, 1)
    assert it.by_status[Status.IN_PROGRESS] == 1 and it.by_status[Status.PLANNED] == 1
    assert it.by_status[Status.DONE] == 1
    assert it.by_health == {Health.ON_TRACK: 1, Health.AT_RISK: 0, Health.OFF_TRACK: 1}
    assert it.coverage == {p1: 2, p2: 1, p3: 1}
    assert groups["KS"].counts.total == 3
    bun = groups["BUN"].departments[0].counts
    assert (bun.total, bun.stale, bun.support) == (2, 0, 0)
    assert bun.by_status[Status.IDEA] == 1 and bun.by_status[Status.IN_PROGRESS] == 1
    assert bun.by_health == {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.OFF_TRACK: 0}
    assert bun.coverage == {p1: 1, p2: 1}

    # Needs attention: red first, then support, then silent.
    assert [(a.initiative.title, a.off_track, a.support, a.stale) for a in view.attention] == [
        ("A", True, True, False),
        ("B", False, False, True),
    ]
    # The trend counts status updates of the selection (A 2, B 1, C 1, D 3; F is archived).
    assert sum(m.updates for m in view.trend) == 7
    assert view.trend[-1].label == date.today().strftime("%Y-%m")


def test_dashboard_filters_apply_to_every_figure(org, portfolio):
    user = _user(org, "management")
    view = dashboard.build(user, parse(MultiDict({"committee": "BUN"})), stale_days=30)
    assert view.totals.total == 2
    assert [g.committee.short_name for g in view.committees] == ["BUN"]
    view = dashboard.build(user, parse(MultiDict({"principle": "trygghet"})), stale_days=30)
    assert view.totals.total == 2  # A and D
    view = dashboard.build(user, parse(MultiDict({"health": "off_track"})), stale_days=30)
    assert [a.initiative.title for a in view.attention] == ["A"]


def test_committee_reader_sees_only_their_committee(org, portfolio):
    reader = _user(org, "committee")
    reader.committee_id = org.committees[1].id
    db.session.commit()
    view = dashboard.build(reader, PortfolioFilter(), stale_days=30)
    assert view.totals.total == 2
    assert [g.committee.short_name for g in view.committees] == ["BUN"]


@pytest.mark.parametrize("role", ["admin", "management", "committee", "manager"])
def test_dashboard_and_board_pages_for_every_role(org, portfolio, client, auth, role):
    auth.login(org.user(role).email)
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Needs attention" in page and "Principle coverage" in page
    page = client.get("/board?lang=sv").get_data(as_text=True)
    assert "Pågående" in page and ">A<" in page
    decide_link = "Registrera ett beslut" in page
    assert decide_link == (role in ("admin", "management"))


def test_dashboard_fragment_for_htmx(org, portfolio, client, auth):
    auth.login("ledning@example.se")
    response = client.get("/dashboard?committee=KS", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="dashboard"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_board_columns_counts_and_urgency(org, portfolio):
    columns = {c.status: c for c in board.columns(_user(org, "management"), PortfolioFilter(), 30)}
    assert {s: c.total for s, c in columns.items()} == {
        Status.IDEA: 1,
        Status.PLANNED: 1,
        Status.IN_PROGRESS: 2,
        Status.PAUSED: 0,
        Status.DONE: 1,
        Status.CANCELLED: 0,
    }
    assert [i.title for i in columns[Status.IN_PROGRESS].cards] == ["A", "D"]  # red first
    assert columns[Status.DONE].collapsed and not columns[Status.IN_PROGRESS].collapsed


def test_board_shows_the_most_urgent_50_and_loads_more(org, client, auth, monkeypatch):
    monkeypatch.setattr(board, "CARDS_PER_COLUMN", 3)
    for n in range(5):
        factories.make_initiative(
            org.manager,
            principles=org.principles[:1],
            updates=1,
            last_update_days_ago=n + 1,
            status=Status.IN_PROGRESS,
            title=f"Kort {n}",
        )
    factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        updates=1,
        status=Status.IN_PROGRESS,
        health=Health.OFF_TRACK,
        title="Rött",
    )
    db.session.commit()
    column = {c.status: c for c in board.columns(_user(org, "management"), PortfolioFilter(), 30)}
    shown = column[Status.IN_PROGRESS]
    # Red first, then the oldest update.
    assert [i.title for i in shown.cards] == ["Rött", "Kort 4", "Kort 3"] and shown.more == 3
    auth.login("ledning@example.se")
    response = client.get("/board/in_progress/more?offset=3", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Kort 2" in html and "Kort 0" in html and "<html" not in html
    assert client.get("/board/nonsense/more").status_code == 404


def test_a_column_of_51_shows_50_cards_on_the_page(org, client, auth):
    """The specified 50 (issue 4), not fewer: the 51st, the least urgent, behind "show more"."""
    for n in range(51):
        factories.make_initiative(
            org.manager,
            principles=org.principles[:1],
            updates=1,
            last_update_days_ago=n + 1,
            status=Status.IN_PROGRESS,
            title=f"Kort {n:02d}",
        )
    db.session.commit()
    auth.login("ledning@example.se")
    html = client.get("/board").get_data(as_text=True)
    titles = re.findall(r"data-card-link[^>]*>([^<]+)</a>", html)
    assert len(titles) == 50 and "Kort 50" in titles and "Kort 00" not in titles
    more = client.get("/board/in_progress/more?offset=50", headers={"HX-Request": "true"})
    assert re.findall(r"data-card-link[^>]*>([^<]+)</a>", more.get_data(as_text=True)) == [
        "Kort 00"
    ]


def test_cards_name_their_principles_in_order_in_each_language(org, client, auth, monkeypatch):
    """A card names its guiding principles in the principles' order, whatever order they were
    linked in, on the board and in the cards that "show more" brings; a card without any names
    none."""
    monkeypatch.setattr(board, "CARDS_PER_COLUMN", 1)
    p1, p2, p3 = org.principles
    for title, principles in (("Först", [p3, p1]), ("Sedan", [p2, p3]), ("Utan", [])):
        factories.make_initiative(
            org.manager, principles=principles, updates=1, status=Status.IN_PROGRESS, title=title
        )
    db.session.commit()
    auth.login("ledning@example.se")

    def meta_lines(html: str) -> dict[str, str]:
        cards = re.findall(r'<li class="board-card.*?</li>', html, re.S)
        return {
            re.search(r"data-card-link[^>]*>([^<]+)</a>", card).group(1): " | ".join(
                re.findall(r'<p class="board-card__meta">([^<]*)</p>', card)
            )
            for card in cards
        }

    board_html = client.get("/board?lang=sv").get_data(as_text=True)
    more = [
        client.get(
            f"/board/in_progress/more?offset={offset}", headers={"HX-Request": "true"}
        ).get_data(as_text=True)
        for offset in (1, 2)
    ]
    shown = meta_lines(board_html + "".join(more))
    assert set(shown) == {"Först", "Sedan", "Utan"}
    assert "Tillgänglighet · Effektivitet" in shown["Först"]
    assert "Trygghet · Effektivitet" in shown["Sedan"]
    assert not any(p.name_sv in shown["Utan"] for p in org.principles)
    english = meta_lines(client.get("/board?lang=en").get_data(as_text=True))
    assert any(
        "Accessibility · Efficiency" in line or "Security and trust · Efficiency" in line
        for line in english.values()
    )


def test_the_list_the_page_and_the_api_name_principles_in_the_boards_order(org, client, auth):
    """Linked in reverse order, the principles are named in the principles' order everywhere
    an initiative is shown: the list's row, its page, and the API (as on the board's card)."""
    from tracker.api import tokens

    p1, p2, p3 = org.principles
    initiative = factories.make_initiative(
        org.manager, principles=[p3, p1], updates=1, status=Status.IN_PROGRESS, title="Omvänd"
    )
    secret = tokens.create_token(
        org.manager, name="ordning", scope="read", expires_on=tokens.local_today() + timedelta(30)
    ).secret
    db.session.commit()
    auth.login("chef@example.se")

    row = re.search(r"Omvänd.*?</tr>", client.get("/initiatives").get_data(as_text=True), re.S)
    assert "Tillgänglighet · Effektivitet" in row.group(0)
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert re.findall(r"<dt>(Tillgänglighet|Trygghet|Effektivitet)</dt>", page) == [
        "Tillgänglighet",
        "Effektivitet",
    ]
    auth.logout()
    bearer = {"Authorization": f"Bearer {secret}"}
    one = client.get(f"/api/v1/initiatives/{initiative.id}", headers=bearer).get_json()
    assert [link["principle"] for link in one["principle_links"]] == [p1.key, p3.key]
    assert one["principles"] == [p1.key, p3.key]
    listed = client.get("/api/v1/initiatives", headers=bearer).get_json()
    assert [i["principles"] for i in listed["items"] if i["id"] == initiative.id] == [
        [p1.key, p3.key]
    ]


def test_the_words_on_every_card_follow_the_language_from_request_to_request(
    org, portfolio, client, auth
):
    """The cards' fixed words are translated once per page: the next page in the other
    language has them in that language (A asks for support; management may decide)."""
    auth.login("ledning@example.se")
    for language, support, decide, other in (
        ("sv", "Ber om stöd", "Registrera ett beslut", "Record a decision"),
        ("en", "Asks for support", "Record a decision", "Registrera ett beslut"),
        ("sv", "Ber om stöd", "Registrera ett beslut", "Record a decision"),
    ):
        html = client.get(f"/board?lang={language}").get_data(as_text=True)
        assert f'<span class="tag tag--support">{support}</span>' in html, language
        assert f"{decide}<span" in html and f"{other}<span" not in html, language


def test_presentation_mode_records_decisions_back_into_the_meeting(org, portfolio, client, auth):
    """The chair records decisions from the meeting mode; the link leads back to the same
    filtered board in the meeting mode, at the same card. No export link in the meeting."""
    auth.login("ledning@example.se")
    html = client.get("/board?present=1&committee=KS").get_data(as_text=True)
    assert "board--present" in html and "Exportera detta urval" not in html
    link = re.search(r'href="(/initiatives/(\d+)/decisions\?return_to=[^"]+)"', html)
    assert link, "no decision link on the meeting's cards"
    form = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    back = re.search(r'name="return_to" type="hidden" value="([^"]+)"', form) or re.search(
        r'type="hidden" name="return_to" value="([^"]+)"', form
    )
    assert back, form
    target = back.group(1).replace("&amp;", "&")
    assert target.startswith("/board?") and "present=1" in target and "committee=KS" in target
    assert target.endswith(f"#card-{link.group(2)}")


def test_an_initiative_opened_from_the_meeting_leads_back_to_it(org, portfolio, client, auth):
    """A card in the meeting mode opens the initiative with the way back to the same filtered
    board, at the same card; the link is offered only for a path of the board."""
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    auth.login("ledning@example.se")
    html = client.get("/board?present=1&committee=KS").get_data(as_text=True)
    card = re.search(r'href="(/initiatives/(\d+)\?return_to=[^"]+)" id="card-(\d+)"', html)
    assert card and card.group(2) == card.group(3), "no way back on the meeting's cards"
    page = client.get(unescape(card.group(1))).get_data(as_text=True)
    back = re.search(r'id="back-to-meeting"[^>]*href="([^"]+)"', page)
    assert back and "Tillbaka till mötet" in page
    target = unescape(back.group(1))
    parts = urlsplit(target)
    assert parts.path == "/board" and parts.fragment == f"card-{card.group(2)}"
    assert parse_qs(parts.query) == {"committee": ["KS"], "present": ["1"]}
    # A decision taken from that page goes back to the meeting as well.
    decide = re.search(r'href="(/initiatives/\d+/decisions\?return_to=[^"]+)"', page)
    assert decide and "present%3D1" in decide.group(1)
    # Outside the meeting mode, and for any other target, no way back is offered.
    plain = client.get("/board?committee=KS").get_data(as_text=True)
    assert re.search(rf'href="/initiatives/{card.group(2)}" id="card-', plain)
    for hostile in (
        "https://evil.example/board",
        "//evil.example/board",
        "/initiatives",
        "/board/../admin",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        other = client.get(f"/initiatives/{card.group(2)}", query_string={"return_to": hostile})
        assert other.status_code == 200 and "back-to-meeting" not in other.get_data(as_text=True)


def _queries(client, count_queries, path):
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def _add(org, n):
    for i in range(n):
        factories.make_initiative(
            org.manager if i % 2 else org.other_manager,
            principles=org.principles[: 1 + i % 3],
            updates=1,
            status=list(Status)[i % 6],
            health=list(Health)[i % 3],
        )
    db.session.commit()


@pytest.mark.parametrize("path", ["/dashboard", "/board", "/dashboard?committee=KS&stale=1"])
def test_queries_do_not_grow_with_the_portfolio(org, client, auth, count_queries, path):
    auth.login("ledning@example.se")
    _add(org, 10)
    small = _queries(client, count_queries, path)
    _add(org, 490)
    large = _queries(client, count_queries, path)
    assert small == large, (small, large)


# --- decisions -------------------------------------------------------------------------------


def decision_form(**overrides):
    data = {
        "decided_on": date.today().isoformat(),
        "meeting": "Kommunledningsgruppen 2026-11-24",
        "kind": "prioritise",
        "text": "",
        "comment": "Viktigt för invånarna",
    }
    data.update(overrides)
    return data


def _post(client, path, data):
    token = csrf_from(client.get("/accessibility").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


@pytest.mark.parametrize(
    "role,allowed",
    [("admin", True), ("management", True), ("committee", False), ("manager", False)],
)
def test_only_management_and_admins_record_decisions(org, portfolio, client, auth, role, allowed):
    auth.login(org.user(role).email)
    initiative_id = portfolio["A"].id
    assert client.get(f"/initiatives/{initiative_id}/decisions").status_code == (
        200 if allowed else 403
    )
    response = _post(client, f"/initiatives/{initiative_id}/decisions", decision_form())
    assert response.status_code == (303 if allowed else 403)
    assert db.session.scalar(select(func.count(Decision.id))) == (1 if allowed else 0)


def test_decision_is_audited_and_shown_to_the_owner(org, portfolio, client, auth):
    auth.login("ledning@example.se")
    initiative_id = portfolio["A"].id
    response = _post(
        client,
        f"/initiatives/{initiative_id}/decisions",
        decision_form(kind="other", text="Utreds vidare", return_to="board"),
    )
    assert response.headers["Location"] == "/board"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "initiative.decision"))
    assert event.entity_id == initiative_id and event.changes["text"] == "Utreds vidare"
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Utreds vidare" in page and "Kommunledningsgruppen 2026-11-24" in page
    auth.logout()
    auth.login("chef@example.se")
    assert "Utreds vidare" in client.get("/").get_data(as_text=True)


def test_decision_validation_keeps_input(org, portfolio, client, auth):
    auth.login("ledning@example.se")
    initiative_id = portfolio["A"].id
    response = _post(
        client,
        f"/initiatives/{initiative_id}/decisions",
        decision_form(kind="other", text="", comment="Min kommentar"),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Skriv beslutet." in html and "Min kommentar" in html
    response = _post(client, f"/initiatives/{initiative_id}/decisions", decision_form(meeting=""))
    assert response.status_code == 422


def test_decision_form_reports_field_and_rule_errors_in_one_pass(org, portfolio, client, auth):
    """A missing date (the form's check), a missing meeting, "other" without its wording and a
    status the kind cannot set (the rules): all four at once, with what was typed kept."""
    auth.login("ledning@example.se")
    response = _post(
        client,
        f"/initiatives/{portfolio['A'].id}/decisions",
        decision_form(
            decided_on="", meeting="", kind="other", text="", new_status="done",
            comment="Min kommentar",
        ),
    )  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = re.search(r'id="error-summary".*?</ul>', html, re.S).group(0)
    for message in (
        "Ange beslutsdatum.",
        "Ange vilket möte som fattade beslutet.",
        "Skriv beslutet.",
        "Bara ett beslut om att pausa eller avsluta ändrar statusen.",
    ):
        assert message in summary, message
    assert summary.count("<li") == 4
    assert "Min kommentar" in html
    assert re.search(r'<input[^>]*\bchecked\b[^>]*value="other"', html)
    # A kind nobody offered: its own error, and the rules that need the kind wait for it.
    response = _post(
        client,
        f"/initiatives/{portfolio['A'].id}/decisions",
        decision_form(kind="nonsense", meeting="", new_status="done", decided_on="2999-01-01"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Beslutsdatumet kan inte ligga i framtiden." in html
    assert "Ange vilket möte som fattade beslutet." in html
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_an_implausibly_early_decision_date_is_refused_with_the_date_kept(
    org, portfolio, client, auth
):
    """1900-01-01 is a typo, not a decision: refused with the earliest plausible date named (a
    year before the initiative began), what was typed kept; that date itself is taken."""
    from tracker.portfolio.decisions import earliest_decision_date

    auth.login("ledning@example.se")
    initiative = portfolio["A"]
    path = f"/initiatives/{initiative.id}/decisions?lang=sv"
    response = _post(client, path, decision_form(decided_on="1900-01-01", comment="Gammalt"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    earliest = earliest_decision_date(initiative)
    assert f"Ange ett beslutsdatum från och med {earliest.isoformat()}" in html
    assert 'value="1900-01-01"' in html and "Gammalt" in html
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    response = _post(client, path, decision_form(decided_on=earliest.isoformat()))
    assert response.status_code == 303
    assert db.session.scalar(select(Decision.decided_on)) == earliest


def test_decisions_are_append_only(org, portfolio):
    actor = _user(org, "management")
    initiative = portfolio["A"]
    first = record_decision(
        actor, initiative, DecisionData(date.today(), "KLG", DecisionKind.PAUSE)
    )
    record_decision(actor, initiative, DecisionData(date.today(), "KLG", DecisionKind.CLOSE))
    db.session.commit()
    assert db.session.get(Decision, first.id).kind == DecisionKind.PAUSE
    assert db.session.scalar(select(func.count(Decision.id))) == 2
    with pytest.raises(DecisionError):
        record_decision(
            actor, initiative, DecisionData(date(2999, 1, 1), "KLG", DecisionKind.PAUSE)
        )


@pytest.mark.parametrize("path", ["/dashboard", "/board", "/initiatives"])
def test_export_link_carries_the_filter_inside_the_swapped_fragment(org, client, auth, path):
    auth.login("namnd@example.se")
    html = client.get(f"{path}?committee=KS&stale=1", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "/exports?committee=KS&amp;stale=1" in html


def test_the_dashboards_off_track_figure_and_the_list_it_links_to_agree(org, client, auth):
    """Health and support are counted over the active initiatives; the figure's link lists the
    same ones, so a cancelled initiative left red is in neither."""
    import html as html_lib

    for title, status in (("Röd pågående", Status.IN_PROGRESS), ("Röd avbruten", Status.CANCELLED)):
        factories.make_initiative(
            org.manager, principles=org.principles[:1], updates=1, status=status,
            health=Health.OFF_TRACK, title=title,
        )  # fmt: skip
    db.session.commit()
    auth.login("ledning@example.se")
    page = client.get("/dashboard").get_data(as_text=True)
    figure = re.search(
        r'<li class="figure figure--bad"><a href="([^"]+)">.*?figure__value">(\d+)<', page
    )
    assert figure.group(2) == "1"
    listed = client.get(html_lib.unescape(figure.group(1))).get_data(as_text=True)
    assert "Röd pågående" in listed and "Röd avbruten" not in listed
    # Filtered to finished statuses only: nothing active, a zero that links nowhere.
    done = client.get("/dashboard?status=cancelled").get_data(as_text=True)
    assert re.search(r'<li class="figure figure--bad"><span class="figure__label">', done)
