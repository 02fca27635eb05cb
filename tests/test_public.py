"""Open to residents: publishing rights and steps, the public pages and the open data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Decision, DecisionKind, PublicationState, Status
from tracker.permissions import PermissionDenied
from tracker.public import services

from . import factories
from .conftest import csrf_from

SECRETS = ("HEMLIG-RISK", "HEMLIG-FINANS", "HEMLIG-STOD", "HEMLIG-KOMMENTAR", "HEMLIG-HANDE")
ROLES = ("admin", "management", "committee", "manager")


@pytest.fixture
def pub(org):
    """One published initiative full of non-public values, one unpublished and one proposed."""
    public = factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        title="Digital bokning",
        purpose="Boka tid på nätet",
        benefit="Mindre väntan",
        target_group="Alla invånare",
        risks="HEMLIG-RISK",
        funding_source="HEMLIG-FINANS",
        cost_estimate=987654,
        status=Status.IN_PROGRESS,
        updates=1,
    )
    public.updates[0].support_needed = "HEMLIG-STOD"
    public.updates[0].happened = "HEMLIG-HANDE"
    db.session.add(
        Decision(
            initiative_id=public.id,
            author=org.management,
            decided_on=factories.days_ago(1).date(),
            meeting="KLG",
            kind=DecisionKind.SUPPORT,
            text="HEMLIG-KOMMENTAR",
            comment="HEMLIG-KOMMENTAR",
        )
    )
    hidden = factories.make_initiative(
        org.manager, title="Ej publicerad HEMLIG-TITEL", status=Status.IN_PROGRESS
    )
    proposed = factories.make_initiative(
        org.manager, title="Föreslagen HEMLIG-FORSLAG", status=Status.PLANNED
    )
    db.session.flush()
    services.propose(org.manager, public, "Du kan boka tid på nätet.")
    services.approve(org.management, public)
    services.propose(org.manager, proposed, "Snart")
    db.session.commit()
    return {"public": public, "hidden": hidden, "proposed": proposed}


def _public_urls(pub):
    return [
        "/public",
        "/public/",
        "/public?lang=en",
        "/public?lang=sv&committee=KS",
        f"/public/initiatives/{pub['public'].id}",
        f"/public/initiatives/{pub['public'].id}?lang=en",
        "/public/initiatives.csv",
        "/public/initiatives.json?lang=en",
        "/public/catalog.rdf",
        "/public/catalog.ttl",
    ]


HOSTILE = [
    "/public?committee=<script>alert(1)</script>",
    "/public?department=%00",
    "/public?q=a%00b&committee=K%00S",
    "/public/initiatives.csv?q=%00",
    "/public?principle=' OR 1=1 --",
    "/public?status=secret",
    "/public?q=%25",
    "/public?q=" + "x" * 5000,
    "/public?health=off_track&stale=1",
    "/public/initiatives.csv?status=done&q=<b>",
    "/public/initiatives.json?committee=NOPE",
    "/public/initiatives/0",
    "/public/initiatives/99999999999999999999",
    "/public/initiatives/-1",
    "/public/initiatives/abc",
    "/public/nothing-here",
    "/public?lang=xx",
    "/public/reports/KS",
    "/public/reports/%00",
    "/public/reports/KS.csv",
    "/public/reports/%3Cb%3E.json",
    "/public/reports/" + "K" * 500,
]


# --- rights, for every role -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_propose_and_approve(org, role):
    initiative = factories.make_initiative(org.manager, status=Status.PLANNED)
    user = org.user(role)
    if role in ("admin", "manager"):
        services.propose(user, initiative, "Sammanfattning")
    else:
        with pytest.raises(PermissionDenied):
            services.propose(user, initiative, "Sammanfattning")
        services.propose(org.manager, initiative, "Sammanfattning")
    if role in ("admin", "management"):
        assert services.approve(user, initiative).state == PublicationState.PUBLISHED
    else:
        with pytest.raises(PermissionDenied):
            services.approve(user, initiative)
    if role == "committee":
        with pytest.raises(PermissionDenied):
            services.withdraw(user, initiative)
    else:
        assert services.withdraw(user, initiative).state == PublicationState.WITHDRAWN


def test_another_manager_may_not_propose_or_withdraw(org):
    initiative = factories.make_initiative(org.manager, status=Status.PLANNED)
    with pytest.raises(PermissionDenied):
        services.propose(org.other_manager, initiative, "x")
    with pytest.raises(PermissionDenied):
        services.withdraw(org.other_manager, initiative)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_change_the_public_settings(org, role):
    if role == "admin":
        services.set_allowed(org.admin, services.Allowed(True, True, True))
        assert services.allowed() == services.Allowed(True, True, True)
    else:
        with pytest.raises(PermissionDenied):
            services.set_allowed(org.user(role), services.Allowed(True, True, True))


def test_a_summary_is_required_and_bounded(org):
    initiative = factories.make_initiative(org.manager)
    for bad in ("", "   ", "x" * 2001, "a\x00b"):
        with pytest.raises(services.PublicationError):
            services.propose(org.manager, initiative, bad)


def test_only_a_proposal_can_be_approved(org):
    initiative = factories.make_initiative(org.manager)
    with pytest.raises(services.PublicationError):
        services.approve(org.management, initiative)


# --- the whole job through the browser's forms -------------------------------------------------


def _post(client, page, url, data):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_propose_approve_and_unpublish_at_once(org, client, auth):
    initiative = factories.make_initiative(org.manager, title="Synlig snart", status=Status.PLANNED)
    db.session.commit()
    page = f"/initiatives/{initiative.id}"
    public = f"/public/initiatives/{initiative.id}"
    assert client.get(public).status_code == 404

    auth.login(org.manager.email)
    response = _post(client, page, f"{page}/publication/propose", {"public_summary": ""})
    assert response.status_code == 422
    assert "Skriv en sammanfattning" in response.get_data(as_text=True)
    response = _post(
        client, page, f"{page}/publication/propose", {"public_summary": "För invånarna"}
    )
    assert response.status_code == 303
    assert client.get(public).status_code == 404  # proposed is not published
    # A manager sees no approve button and cannot approve by posting.
    assert "publication/approve" not in client.get(page).get_data(as_text=True)
    assert _post(client, page, f"{page}/publication/approve", {}).status_code == 403
    auth.logout()

    auth.login(org.management.email)
    assert "publication/approve" in client.get(page).get_data(as_text=True)
    assert _post(client, page, f"{page}/publication/approve", {}).status_code == 303
    text = client.get(public).get_data(as_text=True)
    assert "Synlig snart" in text and "För invånarna" in text

    assert _post(client, page, f"{page}/publication/withdraw", {}).status_code == 303
    assert client.get(public).status_code == 404
    assert "Synlig snart" not in client.get("/public").get_data(as_text=True)

    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_id == initiative.id, AuditEvent.action.like("publication.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["publication.propose", "publication.approve", "publication.withdraw"]


def test_the_management_group_finds_what_waits_for_its_approval(org, client, auth):
    """A proposal shows on the dashboard as a count with a link to the list of proposals; the
    list names each initiative with its summary and leads to where it is approved; once
    approved it is no longer waiting."""
    initiative = factories.make_initiative(org.manager, title="Väntar på ledningen")
    services.propose(org.manager, initiative, "Sammanfattning <b>för</b> invånarna")
    factories.make_initiative(org.manager, title="Inte föreslaget")
    db.session.commit()
    auth.login(org.management.email)
    dashboard = client.get("/dashboard?lang=sv").get_data(as_text=True)
    assert "1 förslag till de publika sidorna väntar på godkännande" in dashboard
    assert 'href="/publication/proposals"' in dashboard
    page = client.get("/publication/proposals").get_data(as_text=True)
    assert "Väntar på ledningen" in page and "Inte föreslaget" not in page
    assert "Sammanfattning &lt;b&gt;för&lt;/b&gt; invånarna" in page  # escaped
    assert f'href="/initiatives/{initiative.id}#publication"' in page
    assert org.manager.name in page
    url = f"/initiatives/{initiative.id}"
    assert _post(client, url, f"{url}/publication/approve", {}).status_code == 303
    assert "Inget förslag väntar på godkännande." in client.get("/publication/proposals").get_data(
        as_text=True
    )
    assert "/publication/proposals" not in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_approve_see_the_proposals(org, client, auth, role):
    initiative = factories.make_initiative(org.manager, title="Föreslaget")
    services.propose(org.manager, initiative, "Sammanfattning")
    db.session.commit()
    auth.login(org.user(role).email)
    response = client.get("/publication/proposals")
    if role in ("admin", "management"):
        assert response.status_code == 200 and "Föreslaget" in response.get_data(as_text=True)
    else:
        assert response.status_code == 403
        assert services.proposals_waiting(org.user(role)) == 0


def test_the_proposals_page_makes_one_query_whatever_their_number(org, client, auth, count_queries):
    auth.login(org.management.email)

    def queries() -> int:
        with count_queries() as counted:
            assert client.get("/publication/proposals").status_code == 200
        return counted.count

    few = queries()
    for n in range(12):
        services.propose(org.manager, factories.make_initiative(org.manager), f"Förslag {n}")
    db.session.commit()
    assert queries() == few


def test_a_cache_asks_again_so_an_unpublished_initiative_is_gone_at_once(pub, org, client):
    """A cache (the browser's, a proxy's) may keep a public page but must revalidate it every
    time: while nothing changed it gets 304, once the initiative is off the public pages it gets
    the 404 at once; a 404 is never kept (it would hide an initiative published a moment later)."""
    from tracker.public import services as publishing

    url = f"/public/initiatives/{pub['public'].id}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, no-cache"
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    listing = client.get("/public")
    assert listing.headers["Cache-Control"] == "public, no-cache" and listing.headers["ETag"]
    publishing.withdraw(org.management, pub["public"])
    db.session.commit()
    gone = client.get(url, headers={"If-None-Match": etag})
    assert gone.status_code == 404
    assert gone.headers["Cache-Control"] == "no-store"
    assert client.get("/public/initiatives/987654").headers["Cache-Control"] == "no-store"
    # Also where no public route matches: no cache keeps a 404, and no cookie is set.
    for path in ("/public/nothing", "/public/initiatives/0", "/public/initiatives/abc",
                 "/public/catalog.xml"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Set-Cookie" not in response.headers, path


def test_the_json_file_answers_its_errors_in_json(pub, app, client):
    """A program reading /public/initiatives.json gets JSON also when refused: a control
    character in the address (400) or too many requests (429)."""
    response = client.get("/public/initiatives.json?q=%00")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert "NUL" in response.get_json()["error"]
    app.config["PUBLIC_RATELIMIT"] = "1 per minute"
    client.get("/public/initiatives.json")
    limited = client.get("/public/initiatives.json")
    assert limited.status_code == 429 and limited.mimetype == "application/json"
    assert limited.get_json()["error"] and limited.headers["Retry-After"]
    assert limited.headers["Cache-Control"] == "no-store"


def test_post_without_csrf_is_refused(org, client, auth):
    initiative = factories.make_initiative(org.manager)
    db.session.commit()
    auth.login(org.manager.email)
    response = client.post(
        f"/initiatives/{initiative.id}/publication/propose", data={"public_summary": "x"}
    )
    assert response.status_code == 400
    assert services.publication_of(initiative) is None


def test_the_admin_settings_page(org, client, auth):
    auth.login(org.admin.email)
    response = _post(
        client,
        "/admin/publication",
        "/admin/publication",
        {"publish_all_active": "y", "show_cost": "y"},
    )
    assert response.status_code == 303
    assert services.allowed() == services.Allowed(True, True, False)
    auth.logout()
    auth.login(org.manager.email)
    assert client.get("/admin/publication").status_code == 403


# --- the public pages ------------------------------------------------------------------------


def test_public_pages_need_no_sign_in_and_set_no_cookie(pub, client):
    for url in _public_urls(pub) + HOSTILE:
        response = client.get(url)
        assert response.status_code < 500, url
        assert "Set-Cookie" not in response.headers, url
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_cookie_even_for_a_signed_in_visitor(org, pub, client, auth):
    auth.login(org.manager.email)
    for url in _public_urls(pub) + HOSTILE:
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
        # and the signed-in app is not shown: no navigation, no sign-out form
        assert "csrf_token" not in response.get_data(as_text=True), url


def test_language_from_the_query_string_only(pub, client):
    assert 'lang="en"' in client.get("/public?lang=en").get_data(as_text=True)
    # No memory of the choice: the next page is Swedish again.
    assert 'lang="sv"' in client.get("/public").get_data(as_text=True)
    assert "Digitala initiativ" in client.get("/public").get_data(as_text=True)
    assert "Digital initiatives" in client.get("/public?lang=en").get_data(as_text=True)


def test_unpublished_and_unknown_ids_give_the_same_404(pub, client):
    hidden = client.get(f"/public/initiatives/{pub['hidden'].id}")
    proposed = client.get(f"/public/initiatives/{pub['proposed'].id}")
    unknown = client.get("/public/initiatives/987654")
    assert hidden.status_code == proposed.status_code == unknown.status_code == 404
    # The same page, but for the id in the language link's address.
    bodies = {
        r.get_data(as_text=True).replace(f"/public/initiatives/{i}", "/public/initiatives/ID")
        for r, i in ((hidden, pub["hidden"].id), (proposed, pub["proposed"].id), (unknown, 987654))
    }
    assert len(bodies) == 1


def test_nothing_non_public_ever_appears(pub, client):
    urls = _public_urls(pub) + HOSTILE
    urls += [f"/public/initiatives/{pub['hidden'].id}", f"/public/initiatives/{pub['proposed'].id}"]
    urls += [f"/public?status={s.value}" for s in Status] + ["/public?q=HEMLIG"]
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        for secret in (*SECRETS, "HEMLIG-TITEL", "HEMLIG-FORSLAG", "987654", "987 654"):
            assert secret not in text, (url, secret)
        for person in (factories.PASSWORD, "chef@example.se", "Cecilia Chef", "Lena Ledning"):
            assert person not in text, (url, person)


def test_public_list_shows_published_with_filters(pub, org, client):
    assert "Digital bokning" in client.get("/public").get_data(as_text=True)
    assert "Digital bokning" in client.get("/public?committee=KS").get_data(as_text=True)
    assert "Digital bokning" not in client.get("/public?committee=BUN").get_data(as_text=True)
    key = org.principles[0].key
    assert "Digital bokning" in client.get(f"/public?principle={key}").get_data(as_text=True)
    assert "Digital bokning" not in client.get("/public?status=done").get_data(as_text=True)
    assert "Digital bokning" in client.get("/public?q=bokning").get_data(as_text=True)
    bad = client.get("/public?committee=NOPE")
    assert bad.status_code == 400 and "NOPE" in bad.get_data(as_text=True)


def test_public_list_and_open_data_filter_by_assessment(pub, org, client):
    """The portfolio's filters include the assessment (a public field): on the page and in the
    open data alike."""
    assert "Digital bokning" in client.get("/public?health=on_track").get_data(as_text=True)
    off = client.get("/public?health=off_track")
    assert off.status_code == 200 and "Digital bokning" not in off.get_data(as_text=True)
    assert 'id="f-health"' in off.get_data(as_text=True)
    assert client.get("/public/initiatives.json?health=off_track").get_json()["initiatives"] == []
    on_track = client.get("/public/initiatives.json?health=on_track").get_json()
    assert [i["title"] for i in on_track["initiatives"]] == ["Digital bokning"]
    assert "Digital bokning" not in client.get("/public/initiatives.csv?health=at_risk").text
    assert client.get("/public?health=bogus").status_code == 400


@pytest.mark.parametrize(
    "query", ["committee=NOPE", "status=secret", "principle=nope", "department=X", "health=red"]
)
def test_open_data_with_a_filter_that_names_nothing_is_400_not_everything(pub, client, query):
    """A mistyped filter must not hand a harvester the whole dataset as if it were filtered."""
    for url in (f"/public/initiatives.json?{query}", f"/public/initiatives.csv?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Digital bokning" not in response.text, url
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers
    assert client.get(f"/public/initiatives.json?{query}").get_json()["error"]
    assert "NOPE" in client.get("/public/initiatives.csv?committee=NOPE").text


def test_the_open_data_links_carry_every_filter_value(pub, client):
    html = client.get("/public?status=in_progress&status=planned&health=on_track").text
    csv_link = next(line for line in html.splitlines() if "initiatives.csv" in line)
    assert "status=in_progress" in csv_link and "status=planned" in csv_link
    assert "health=on_track" in csv_link


def test_cost_and_owner_only_when_the_admin_allows(pub, org, client):
    url = f"/public/initiatives/{pub['public'].id}"
    services.set_allowed(org.admin, services.Allowed(False, True, True))
    db.session.commit()
    text = client.get(url).get_data(as_text=True)
    assert "987 654" in text and "Cecilia Chef" in text
    data = client.get("/public/initiatives.json").get_json()
    assert data["initiatives"][0]["cost_estimate_sek"] == 987654
    assert data["initiatives"][0]["owner"]["name"] == "Cecilia Chef"


def test_publish_all_active_and_withdrawn_stays_off(pub, org, client):
    services.set_allowed(org.admin, services.Allowed(True, False, False))
    db.session.commit()
    text = client.get("/public").get_data(as_text=True)
    assert "Ej publicerad HEMLIG-TITEL" in text  # active, so published by the setting
    services.withdraw(org.management, pub["hidden"])
    db.session.commit()
    assert "Ej publicerad" not in client.get("/public").get_data(as_text=True)
    assert client.get(f"/public/initiatives/{pub['hidden'].id}").status_code == 404


def test_public_views_never_write(pub, client, count_queries):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with count_queries() as counter:
        for url in _public_urls(pub) + HOSTILE:
            client.get(url)
    writes = [
        s
        for s in counter.statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


@pytest.mark.parametrize("url", ["/public", "/public/initiatives.csv", "/public/catalog.ttl"])
def test_the_public_rate_limit_says_when_to_try_again(pub, app, client, url):
    """As the API's: a 429 with ``Retry-After`` (RFC 9110), in seconds, never cached."""
    app.config["PUBLIC_RATELIMIT"] = "2 per minute"
    codes = [client.get(url).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get(url)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 61  # the window, rounded up
    assert limited.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in limited.headers
    assert "För många försök" in limited.get_data(as_text=True)


def test_queries_do_not_grow_with_the_data(pub, org, client, count_queries):
    with count_queries() as small:
        client.get("/public")
    for i in range(15):
        initiative = factories.make_initiative(
            org.manager, principles=org.principles, status=Status.PLANNED, updates=1
        )
        services.propose(org.manager, initiative, f"S {i}")
        services.approve(org.management, initiative)
    db.session.commit()
    with count_queries() as large:
        client.get("/public")
    assert large.count == small.count


# --- open data -------------------------------------------------------------------------------


def test_csv_is_for_swedish_excel_and_licensed(pub, client):
    """Open data as a program reads it: the header row first, one row per initiative and
    nothing else (a title line above it was read as the header); the licence in ``Link``."""
    response = client.get("/public/initiatives.csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffId;")
    assert response.headers["Link"] == (
        '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'
    )
    records = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert [r["Titel"] for r in records] == ["Digital bokning"]
    assert records[0]["Sammanfattning för invånarna"] == "Du kan boka tid på nätet."
    assert "attachment" in response.headers["Content-Disposition"]


def test_an_open_data_csv_with_nothing_in_it_is_its_header(pub, client):
    body = client.get("/public/initiatives.csv?status=cancelled").get_data(as_text=True)
    lines = body.lstrip("\ufeff").splitlines()
    assert len(lines) == 1 and lines[0].startswith("Id;Titel;")


def test_json_is_licensed_cc0(pub, client):
    data = json.loads(client.get("/public/initiatives.json").get_data(as_text=True))
    assert data["metadata"]["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert [i["title"] for i in data["initiatives"]] == ["Digital bokning"]
    entry = data["initiatives"][0]
    assert "cost_estimate_sek" not in entry and "owner" not in entry
    assert entry["public_summary"] == "Du kan boka tid på nätet."
    assert entry["principles"][0]["motivation"]


def test_the_latest_report_is_the_swedish_calendar_day(pub, client):
    """A report posted at 00:30 in Stockholm (23:30 UTC the day before) is of that Swedish
    day, as on the signed-in pages and in the frozen reports."""
    from datetime import UTC, datetime

    pub["public"].last_update_at = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    db.session.commit()
    entry = client.get("/public/initiatives.json").get_json()["initiatives"][0]
    assert entry["latest_report"] == "2026-03-15"
    assert "2026-03-15" in client.get("/public/initiatives.csv").text
    assert "2026-03-14" not in client.get(f"/public/initiatives/{pub['public'].id}").text


VCARD_EMAIL = __import__("rdflib").URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")

REQUIRED = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
ASK {
  ?c a dcat:Catalog ; dct:title ?ct ; dct:description ?cd ; dct:publisher ?p ; dcat:dataset ?d ;
     dct:license ?cl ; dct:language ?cla .
  ?p <http://xmlns.com/foaf/0.1/name> ?pn .
  ?d a dcat:Dataset ; dct:title ?dt ; dct:description ?dd ; dcat:contactPoint ?cp ;
     dct:publisher ?p ; dcat:distribution ?dist ; dct:accrualPeriodicity ?f ; dcat:theme ?th ;
     dct:language ?dl .
  ?dist a dcat:Distribution ; dcat:accessURL ?u ; dct:license ?l ; dct:format ?fmt .
  FILTER(STR(?l) = "https://creativecommons.org/publicdomain/zero/1.0/")
}
"""


@pytest.mark.parametrize(
    "url,fmt", [("/public/catalog.rdf", "xml"), ("/public/catalog.ttl", "turtle")]
)
def test_dcat_catalogue_has_what_dcat_ap_se_requires(pub, client, app, url, fmt):
    graph = Graph().parse(data=client.get(url).get_data(as_text=True), format=fmt)
    assert graph.query(REQUIRED).askAnswer
    names = {str(o) for o in graph.objects(None, __import__("rdflib").FOAF.name)}
    assert names == {app.config["ORGANISATION_NAME"]}
    emails = {str(o) for o in graph.objects(None, VCARD_EMAIL)}
    assert emails == {"mailto:" + app.config["CONTACT_EMAIL"]}
    urls = {str(o) for o in graph.objects(None, __import__("rdflib").DCAT.accessURL)}
    assert any(u.endswith("/public/initiatives.csv") for u in urls)
    assert any(u.endswith("/public/initiatives.json") for u in urls)
    for u in urls:
        path = u.split("localhost", 1)[-1]
        assert client.get(path).status_code == 200


# --- the committees' last frozen reports ------------------------------------------------------


def test_last_frozen_report_shows_published_initiatives_and_public_fields_only(org, client):
    from .test_reports import at, freeze, initiative, period, update

    older = period(org, "Tertial 3 2025", "2025-09-01", "2025-12-31")
    newer = period(org)
    shown = initiative(org, "Visas i rapporten", status=Status.IN_PROGRESS, risks="HEMLIG-RISK")
    hidden = initiative(org, "Döljs HEMLIG-TITEL", status=Status.IN_PROGRESS)
    for item in (shown, hidden):
        update(item, at("2025-12-10"), progress=20, happened="HEMLIG-HANDE", support="HEMLIG-STOD")
        update(item, at("2026-02-01"), progress=40, happened="HEMLIG-HANDE", support="HEMLIG-STOD")
    freeze(org, older)
    freeze(org, newer)
    services.propose(org.manager, shown, "Sammanfattning")
    services.approve(org.management, shown)
    db.session.commit()

    index = client.get("/public").get_data(as_text=True)
    assert "Kommunstyrelsen: Tertial 1 2026" in index
    assert "Tertial 3 2025" not in index  # only the last report of each committee
    assert "/public/reports/KS" in index
    response = client.get("/public/reports/KS")
    assert "Set-Cookie" not in response.headers
    text = response.get_data(as_text=True)
    assert "Visas i rapporten" in text and "40 %" in text
    assert client.get("/public/reports/BUN").status_code == 404  # nothing frozen
    report_csv = client.get("/public/reports/KS.csv")
    data_files = [
        report_csv.get_data(as_text=True),
        json.dumps(client.get("/public/reports/KS.json").get_json(), ensure_ascii=False),
    ]
    assert data_files[0].startswith("\ufeffId;Titel;")  # the header first: open data
    assert "publicdomain/zero" in report_csv.headers["Link"]
    for body in data_files:
        assert "Visas i rapporten" in body
        for secret in ("HEMLIG-TITEL", "HEMLIG-HANDE", "HEMLIG-STOD", "HEMLIG-RISK", "Cecilia"):
            assert secret not in body
    assert client.get("/public/reports/BUN.json").status_code == 404
    assert client.get("/public/reports/%3Cscript%3E").status_code == 404
    for secret in ("HEMLIG-TITEL", "HEMLIG-HANDE", "HEMLIG-STOD", "HEMLIG-RISK", "Cecilia Chef"):
        assert secret not in text
    # Taken off the public page: gone from the report as well, at once.
    services.withdraw(org.management, shown)
    db.session.commit()
    assert "Visas i rapporten" not in client.get("/public/reports/KS").get_data(as_text=True)
    assert client.get("/public/reports/KS.json").get_json()["initiatives"] == []


def test_the_list_is_paged_and_the_open_data_complete(pub, org, client):
    from tracker.public.reading import PAGE_SIZE

    for i in range(PAGE_SIZE + 1):
        factories.make_initiative(org.manager, title=f"Massa {i:03d}", status=Status.PLANNED)
    services.set_allowed(org.admin, services.Allowed(True, False, False))
    db.session.commit()
    first = client.get("/public?q=Massa").get_data(as_text=True)
    assert "51 initiativ" in first and "Massa 049" in first and "Massa 050" not in first
    assert "page=2" in first
    second = client.get("/public?q=Massa&page=2").get_data(as_text=True)
    assert "Massa 050" in second and "Massa 000" not in second
    assert client.get("/public?page=-5").status_code == 200
    assert client.get("/public?page=abc").status_code == 200
    data = client.get("/public/initiatives.json?q=Massa").get_json()
    assert len(data["initiatives"]) == PAGE_SIZE + 1


def test_a_new_summary_for_a_published_initiative_waits_while_the_approved_one_stays_public(
    org, client, auth
):
    """A changed summary goes back to the management group; meanwhile residents keep the
    approved one, on the page and in the open data (before, the initiative left the public
    pages until the approval). The owner is told before and after; approving puts the new text
    out; unpublishing clears the approved text, so a later proposal waits off the pages."""
    initiative = factories.make_initiative(org.manager, title="Redan publicerad")
    db.session.commit()
    services.propose(org.manager, initiative, "Första texten")
    services.approve(org.management, initiative)
    db.session.commit()
    page = f"/initiatives/{initiative.id}"
    public = f"/public/initiatives/{initiative.id}"
    auth.login(org.manager.email)
    html = client.get(page + "?lang=sv").get_data(as_text=True)
    assert "ser invånarna den godkända tills ledningsgruppen godkänner den nya" in html
    response = _post(
        client, page, f"{page}/publication/propose?lang=sv", {"public_summary": "Ny <b>text</b>"}
    )
    assert response.status_code == 303
    after = client.get(page + "?lang=sv").get_data(as_text=True)
    assert "Invånarna ser den godkända sammanfattningen tills ledningsgruppen" in after  # flash
    assert "Första texten" in after and "Ny &lt;b&gt;text&lt;/b&gt;" in after
    assert "Ny <b>" not in after
    # Residents still see the approved text, everywhere.
    resident = client.application.test_client()
    html = resident.get(public + "?lang=sv").get_data(as_text=True)
    assert "Första texten" in html and "Ny &lt;b&gt;" not in html
    (item,) = [
        i
        for i in resident.get("/public/initiatives.json").get_json()["initiatives"]
        if i["id"] == initiative.id
    ]
    assert item["public_summary"] == "Första texten"
    assert "Ny <b>text</b>" not in resident.get("/public/initiatives.csv").get_data(as_text=True)
    # The management group finds the proposal and approves it: the new text goes out.
    auth.login(org.management.email)
    listed = client.get("/publication/proposals?lang=sv").get_data(as_text=True)
    row = next(r for r in listed.split("<tr") if "Redan publicerad" in r)
    assert "Ny &lt;b&gt;text&lt;/b&gt;" in row and "Ny <b>" not in row
    assert "Publicerad nu, visas tills denna godkänns:" in row and "Första texten" in row
    assert services.proposals_waiting(org.management) == 1
    _post(client, page, f"{page}/publication/approve", {})
    assert services.proposals_waiting(org.management) == 0
    html = resident.get(public).get_data(as_text=True)
    assert "Ny &lt;b&gt;text&lt;/b&gt;" in html and "Första texten" not in html
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "publication.approve")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.changes["published_summary"] == ["Första texten", "Ny <b>text</b>"]
    # Unpublished, it is off at once, and a new proposal waits off the pages for approval.
    _post(client, page, f"{page}/publication/withdraw", {})
    assert resident.get(public).status_code == 404
    auth.login(org.manager.email)
    _post(client, page, f"{page}/publication/propose?lang=sv", {"public_summary": "Tredje"})
    assert resident.get(public).status_code == 404
    html = client.get(page + "?lang=sv").get_data(as_text=True)
    assert "Föreslaget för publicering" in html and "Invånarna ser" not in html
    # A first proposal says only that it is proposed.
    other = factories.make_initiative(org.manager, title="Inte publicerad")
    db.session.commit()
    page = f"/initiatives/{other.id}"
    assert "ser invånarna den godkända" not in client.get(page + "?lang=sv").get_data(as_text=True)
    _post(client, page, f"{page}/publication/propose?lang=sv", {"public_summary": "Text"})
    assert "tills ledningsgruppen" not in client.get(page + "?lang=sv").get_data(as_text=True)
    assert resident.get(f"/public/initiatives/{other.id}").status_code == 404
