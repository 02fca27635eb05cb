"""Open data per frozen period: each committee's frozen report for each period at its own stable
address (a page, CSV and JSON, CC0), listed on /public/reports and described as a dataset of its
own in the DCAT-AP-SE catalogue, which is also served as JSON-LD (and by content negotiation)."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from html import unescape
from urllib.parse import quote

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Decision, DecisionKind, FrozenReport, Status
from tracker.public import services

from .test_public import REQUIRED
from .test_reports import at, freeze, initiative, period, update

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
SECRETS = (
    "HEMLIG-TITEL",
    "HEMLIG-HANDE",
    "HEMLIG-NASTA",
    "HEMLIG-STOD",
    "HEMLIG-RISK",
    "HEMLIG-FINANS",
    "HEMLIG-BESLUT",
    "HEMLIG-KOMMENTAR",
    "KS 2026/17",  # the meeting's diary number: in the snapshot, not on the allow-list
    "Cecilia Chef",  # the owner, unless the admin allows it
    "Lena Ledning",  # who froze the report
    "987654",
    "987 654",
)
# The allow-list of a frozen report's initiative, as open data.
PUBLIC_KEYS = {
    "id",
    "title",
    "purpose",
    "benefit_for_residents",
    "target_group",
    "department",
    "committee",
    "committee_code",
    "principles",
    "status",
    "assessment",
    "progress",
    "start_date",
    "target_date",
    "latest_report",
}


@pytest.fixture
def frozen(org):
    """KS froze Tertial 3 2025 (then corrected it) and Tertial 1 2026; one of its initiatives is
    published, one is not; both are full of what residents may not see."""
    older = period(org, "Tertial 3 2025", "2025-09-01", "2025-12-31")
    newer = period(org)
    shown = initiative(
        org,
        "Visas i rapporten",
        principles=org.principles[:1],
        purpose="Boka tid på nätet",
        status=Status.IN_PROGRESS,
        risks="HEMLIG-RISK",
        funding_source="HEMLIG-FINANS",
        cost_estimate=987654,
    )
    hidden = initiative(org, "Döljs HEMLIG-TITEL", status=Status.IN_PROGRESS)
    for item in (shown, hidden):
        db.session.add(
            Decision(
                initiative_id=item.id,
                author=org.management,
                decided_on=at("2026-02-02").date(),
                meeting="KLG",
                kind=DecisionKind.SUPPORT,
                text="HEMLIG-BESLUT",
                comment="HEMLIG-KOMMENTAR",
            )
        )
        row = update(
            item, at("2025-12-10"), progress=20, happened="HEMLIG-HANDE", support="HEMLIG-STOD"
        )
        row.next_steps = "HEMLIG-NASTA"
    freeze(org, older)
    for item in (shown, hidden):
        update(item, at("2026-02-01"), progress=40, happened="HEMLIG-HANDE", support="HEMLIG-STOD")
    freeze(org, newer)
    committee = org.committees[0]
    [correction] = freeze(org, older, reason="Rättelse", expected={committee.id: 1})
    # Live values move on after the freeze; the reports keep what was frozen.
    update(shown, at("2026-06-01"), progress=90)
    services.propose(org.manager, shown, "Sammanfattning")
    services.approve(org.management, shown)
    db.session.commit()
    return {
        "older": older,
        "newer": newer,
        "shown": shown,
        "hidden": hidden,
        "code": committee.short_name,
        "correction": correction,
    }


def _urls(f):
    code, older, newer = f["code"], f["older"].id, f["newer"].id
    base = [f"/public/reports/{code}/{older}", f"/public/reports/{code}/{newer}"]
    return (
        ["/public/reports", "/public/reports?lang=en"]
        + [u + ext for u in base for ext in ("", "?lang=en", ".csv", ".json", ".json?lang=en")]
        + [
            "/public/catalog",
            "/public/catalog.jsonld",
            "/public/catalog.ttl",
            "/public/catalog.rdf",
        ]
    )


def _hostile(f):
    code, newer = f["code"], f["newer"].id
    return [
        f"/public/reports/{code}/0",
        f"/public/reports/{code}/-1",
        f"/public/reports/{code}/99999999999999999999",
        f"/public/reports/{code}/99999999999999999999.json",
        f"/public/reports/{code}/765432.csv",
        f"/public/reports/BUN/{newer}",  # the period exists, BUN froze nothing
        f"/public/reports/BUN/{newer}.json",
        f"/public/reports/%00/{newer}",
        f"/public/reports/<script>/{newer}.csv",
        f"/public/reports/{'K' * 500}/{newer}",
        f"/public/reports/{code}{'x' * 30}/{newer}.json",
        f"/public/reports/{code}/abc",
        f"/public/reports/{code}/{newer}.xml",
        "/public/reports?lang=xx",
        "/public/catalog.jsonld?lang=%00",
    ]


def test_every_frozen_period_has_a_page_and_open_data(frozen, client):
    code = frozen["code"]
    listing = client.get("/public/reports").get_data(as_text=True)
    for p in (frozen["older"], frozen["newer"]):
        assert f"/public/reports/{code}/{p.id}" in listing
        assert f"/public/reports/{code}/{p.id}.csv" in listing
        assert f"/public/reports/{code}/{p.id}.json" in listing
        assert p.name in listing
    assert "rättad, version 2" in listing  # the older one was corrected
    assert "/public/reports" in client.get("/public").get_data(as_text=True)
    english = client.get("/public/reports?lang=en").get_data(as_text=True)
    assert "Frozen reports" in english and 'lang="en"' in english
    # The latest report's page names its lasting address.
    latest = client.get(f"/public/reports/{code}").get_data(as_text=True)
    assert f"/public/reports/{code}/{frozen['newer'].id}" in latest


def test_values_are_as_frozen_not_as_they_are_now(frozen, client):
    code = frozen["code"]
    older = client.get(f"/public/reports/{code}/{frozen['older'].id}.json").get_json()
    newer = client.get(f"/public/reports/{code}/{frozen['newer'].id}.json").get_json()
    assert [i["progress"] for i in older["initiatives"]] == [20]
    assert [i["progress"] for i in newer["initiatives"]] == [40]  # live progress is 90 now
    assert newer["initiatives"][0]["latest_report"] == "2026-02-01"
    page = client.get(f"/public/reports/{code}/{frozen['older'].id}").get_data(as_text=True)
    assert "Visas i rapporten" in page and "20 %" in page and "90 %" not in page
    response = client.get(f"/public/reports/{code}/{frozen['newer'].id}.csv")
    assert "publicdomain/zero" in response.headers["Link"]
    body = response.get_data(as_text=True)
    records = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert [(r["Id"], r["Framdrift (%)"]) for r in records] == [(str(frozen["shown"].id), "40")]
    assert "Sammanfattning för invånarna" not in records[0]  # not frozen, so not in the file


def test_a_renamed_committee_and_period_keep_their_frozen_names_in_the_report(frozen, org, client):
    """The report as it was presented: renaming the committee or the period afterwards changes
    the listings (which name them as they are now) but not the report's page or its files."""
    code, older = frozen["code"], frozen["older"]
    committee = org.committees[0]
    was_committee, was_period = committee.name, older.name
    committee.name = "Omdöpta nämnden"
    older.name = "Omdöpt period"
    db.session.commit()
    base = f"/public/reports/{code}/{older.id}"
    page = client.get(base).get_data(as_text=True)
    assert f"<h1>{was_committee}: {was_period}</h1>" in page
    assert "Omdöpta nämnden" not in page and "Omdöpt period" not in page
    document = client.get(base + ".json").get_json()
    assert document["metadata"]["committee"] == was_committee
    assert document["metadata"]["period"]["name"] == was_period
    assert document["metadata"]["title"] == f"{was_committee}: {was_period}"
    assert {i["committee"] for i in document["initiatives"]} == {was_committee}
    body = client.get(base + ".csv").get_data(as_text=True)
    assert was_committee in body and "Omdöpta nämnden" not in body
    assert "Omdöpta nämnden" in client.get("/public/reports").get_data(as_text=True)


def test_only_allow_listed_fields_of_published_initiatives(frozen, client):
    code = frozen["code"]
    for p in (frozen["older"], frozen["newer"]):
        data = client.get(f"/public/reports/{code}/{p.id}.json").get_json()
        assert [i["title"] for i in data["initiatives"]] == ["Visas i rapporten"]
        assert set(data["initiatives"][0]) == PUBLIC_KEYS
        assert data["initiatives"][0]["principles"][0]["motivation"]
        assert data["metadata"]["license"] == CC0
    for url in _urls(frozen) + _hostile(frozen):
        text = client.get(url).get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in text, (url, secret)


def test_cost_and_owner_as_frozen_only_when_the_admin_allows(frozen, org, client):
    url = f"/public/reports/{frozen['code']}/{frozen['newer'].id}.json"
    services.set_allowed(org.admin, services.Allowed(False, True, True))
    db.session.commit()
    entry = client.get(url).get_json()["initiatives"][0]
    assert entry["cost_estimate_sek"] == 987654 and entry["owner"] == {"name": "Cecilia Chef"}
    assert set(entry) == PUBLIC_KEYS | {"cost_estimate_sek", "owner"}


def test_withdrawn_is_gone_from_every_period_at_once(frozen, org, client):
    services.withdraw(org.management, frozen["shown"])
    db.session.commit()
    code = frozen["code"]
    for p in (frozen["older"], frozen["newer"]):
        assert client.get(f"/public/reports/{code}/{p.id}.json").get_json()["initiatives"] == []
        text = client.get(f"/public/reports/{code}/{p.id}").get_data(as_text=True)
        assert "Visas i rapporten" not in text
        assert "Visas i rapporten" not in client.get(f"/public/reports/{code}/{p.id}.csv").text


def test_what_is_not_public_is_404(frozen, client):
    for url in _hostile(frozen)[:-2]:  # the last two are pages with odd parameters
        response = client.get(url)
        assert response.status_code == 404, url
    assert client.get(f"/public/reports/BUN/{frozen['newer'].id}").status_code == 404
    assert client.get(f"/public/reports/{frozen['code']}/765432.json").status_code == 404


def test_no_cookie_no_session_and_never_a_write(frozen, org, client, auth, count_queries):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with count_queries() as counter:
        for url in _urls(frozen) + _hostile(frozen):
            response = client.get(url)
            assert response.status_code < 500, url
            assert "Set-Cookie" not in response.headers, url
    writes = [
        s
        for s in counter.statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    auth.login(org.manager.email)
    for url in _urls(frozen):
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
        assert "csrf_token" not in response.get_data(as_text=True), url


def test_issued_and_modified_follow_the_versions(frozen, client):
    code, older = frozen["code"], frozen["older"]
    versions = db.session.scalars(
        select(FrozenReport)
        .where(FrozenReport.period_id == older.id)
        .order_by(FrozenReport.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    meta = client.get(f"/public/reports/{code}/{older.id}.json").get_json()["metadata"]
    assert meta["issued"] == versions[0].frozen_at.isoformat()
    assert meta["modified"] == versions[1].frozen_at.isoformat()
    assert meta["version"] == 2
    assert meta["period"] == {
        "id": older.id,
        "name": "Tertial 3 2025",
        "starts_on": "2025-09-01",
        "ends_on": "2025-12-31",
    }


def _parse(text: str, fmt: str) -> Graph:
    with warnings.catch_warnings():
        # rdflib 7's own JSON-LD parser still goes through its deprecated ConjunctiveGraph.
        warnings.filterwarnings(
            "ignore", r".*is deprecated, use Dataset", category=DeprecationWarning
        )
        return Graph().parse(data=text, format=fmt)


def _catalogue(client, url="/public/catalog.ttl", fmt="turtle") -> Graph:
    return _parse(client.get(url).get_data(as_text=True), fmt)


PERIOD_DATASET = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?d ?issued ?modified ?start ?end ?landing WHERE {
  ?c a dcat:Catalog ; dcat:dataset ?d .
  ?d a dcat:Dataset ; dct:title ?t ; dct:description ?desc ; dct:publisher ?p ;
     dcat:contactPoint ?cp ; dct:issued ?issued ; dct:modified ?modified ; dcat:theme ?th ;
     dct:language ?l ; dct:accrualPeriodicity ?f ; dcat:landingPage ?landing ;
     dct:temporal [ a dct:PeriodOfTime ; dcat:startDate ?start ; dcat:endDate ?end ] .
  ?p a <http://xmlns.com/foaf/0.1/Agent> .
  ?cp a <http://www.w3.org/2006/vcard/ns#Organization> .
  FILTER(LANG(?t) = "sv" && DATATYPE(?issued) = xsd:dateTime)
}
"""


def test_each_frozen_period_is_a_dataset_in_the_catalogue(frozen, client):
    graph = _catalogue(client)
    assert graph.query(REQUIRED).askAnswer
    code = frozen["code"]
    found = {str(row.landing).split("localhost", 1)[-1]: row for row in graph.query(PERIOD_DATASET)}
    older_page = f"/public/reports/{code}/{frozen['older'].id}"
    newer_page = f"/public/reports/{code}/{frozen['newer'].id}"
    assert set(found) == {older_page, newer_page}
    older = found[older_page]
    assert str(older.start) == "2025-09-01" and str(older.end) == "2025-12-31"
    assert older.issued.toPython() <= older.modified.toPython()
    correction = frozen["correction"].frozen_at.replace(microsecond=0)
    assert older.modified.toPython() == correction
    titles = {str(t) for t in graph.objects(older.d, DCTERMS.title)}
    assert titles == {"Kommunstyrelsen: rapport för Tertial 3 2025",
                      "Kommunstyrelsen: report for Tertial 3 2025"}  # fmt: skip
    # Each has a CSV and a JSON distribution, CC0, that can be downloaded.
    for page, row in found.items():
        distributions = list(graph.objects(row.d, DCAT.distribution))
        assert len(distributions) == 2
        media = set()
        for dist in distributions:
            assert (dist, RDF.type, DCAT.Distribution) in graph
            assert (dist, DCTERMS.license, URIRef(CC0)) in graph
            assert graph.value(dist, DCTERMS.issued).datatype == XSD.dateTime
            url = str(graph.value(dist, DCAT.downloadURL))
            assert url == str(graph.value(dist, DCAT.accessURL))
            assert url.split("localhost", 1)[-1] in (page + ".csv", page + ".json")
            response = client.get(url.split("localhost", 1)[-1])
            assert response.status_code == 200 and "Visas i rapporten" in response.text
            media.add(str(graph.value(dist, DCAT.mediaType)).rsplit("/", 2)[-2:][0])
        assert media == {"text", "application"}


def test_json_ld_has_the_same_triples_as_turtle(frozen, client):
    turtle = _catalogue(client)
    response = client.get("/public/catalog.jsonld")
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.get_data(as_text=True))
    assert document["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    json_ld = _parse(response.get_data(as_text=True), "json-ld")
    assert isomorphic(json_ld, turtle)
    assert json_ld.query(REQUIRED).askAnswer
    assert len({row.d for row in json_ld.query(PERIOD_DATASET)}) == 2
    assert (None, DCTERMS.license, URIRef(CC0)) in json_ld
    assert Literal("Kommunstyrelsen: report for Tertial 3 2025", lang="en") in set(
        json_ld.objects(None, DCTERMS.title)
    )


@pytest.mark.parametrize(
    "accept,mimetype,fmt",
    [
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", "json-ld"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/rdf+xml", "xml"),
        ("", "application/rdf+xml", "xml"),
        ("image/png", "application/rdf+xml", "xml"),
    ],
)
def test_the_catalogue_url_negotiates(frozen, client, accept, mimetype, fmt):
    response = client.get("/public/catalog", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers
    graph = _parse(response.get_data(as_text=True), fmt)
    assert isomorphic(graph, _catalogue(client))


def test_an_empty_archive(org, client):
    text = client.get("/public/reports").get_data(as_text=True)
    assert "Ingen rapport har fastställts" in text
    assert _catalogue(client, "/public/catalog.jsonld", "json-ld").query(REQUIRED).askAnswer


def test_queries_do_not_grow_with_reports_or_initiatives(frozen, org, client, count_queries):
    code, newer = frozen["code"], frozen["newer"].id
    urls = ["/public/reports", "/public/catalog.jsonld", f"/public/reports/{code}/{newer}.json"]
    small = {}
    for url in urls:
        with count_queries() as counter:
            client.get(url)
        small[url] = counter.count
    more = period(org, "Tertial 2 2026", "2026-05-01", "2026-08-31")
    for i in range(5):
        item = initiative(org, f"Fler {i}", principles=org.principles, status=Status.PLANNED)
        update(item, at("2026-06-01"), progress=30)
        services.propose(org.manager, item, f"S {i}")
        services.approve(org.management, item)
    freeze(org, more)
    freeze(org, frozen["newer"], reason="Rättelse", expected={org.committees[0].id: 1})
    db.session.commit()
    for url in urls:
        with count_queries() as counter:
            client.get(url)
        assert counter.count == small[url], url


HOSTILE_NAME = "Nämnd för ÅÄÖ – łódź ✓"
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture(params=["KS/AU", "Łódź-ÅÄÖ", "KS AU#?%"])
def hostile_committee(request, org):
    """A committee (and its department) named with characters outside Latin-1 and coded as no
    form accepts any longer, but as an older database may hold."""
    committee = org.committees[0]
    committee.short_name, committee.name = request.param, HOSTILE_NAME
    org.departments[0].name = HOSTILE_NAME
    db.session.commit()
    return committee


def _ascii_attachment(response) -> str:
    disposition = response.headers["Content-Disposition"]
    disposition.encode("ascii")  # a header a server can send (Latin-1 at most)
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''" in disposition
    return disposition


def test_a_code_a_url_must_quote_still_has_working_pages_links_and_files(
    hostile_committee, frozen, client
):
    """Every link of the archive, the start page, the latest report's page and the catalogue
    to a committee's reports answers, and every file is an attachment with an ASCII header."""
    code = hostile_committee.short_name
    links = set()
    for page in ("/public", "/public/reports", "/public/reports?lang=en"):
        html = client.get(page).get_data(as_text=True)
        links |= {unescape(h) for h in HREF.findall(html) if "/public/reports/" in h}
    assert len(links) >= 6, links
    graph = _catalogue(client)
    catalogued = {
        str(o).split("localhost", 1)[-1].split("#")[0]
        for o in graph.objects()
        if isinstance(o, URIRef) and "/public/reports/" in str(o)
    }
    assert len(catalogued) == 6, catalogued  # two pages and their CSV and JSON
    for url in sorted(links | catalogued):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.split("?")[0].endswith(".csv"):
            assert _ascii_attachment(response)
            assert "Visas i rapporten" in response.get_data(as_text=True)
        elif url.split("?")[0].endswith(".json"):
            assert response.get_json()["initiatives"][0]["committee_code"] == code
        else:
            assert HOSTILE_NAME in response.get_data(as_text=True)


def url_for_period(code: str, period_id: int) -> str:
    return f"/public/reports/{quote(code, safe='/')}/{period_id}"


def test_the_public_csv_files_are_attachments_with_an_ascii_header(
    hostile_committee, frozen, client
):
    response = client.get("/public/initiatives.csv")
    assert response.status_code == 200
    assert _ascii_attachment(response) == (
        "attachment; filename=\"initiatives.csv\"; filename*=UTF-8''initiatives.csv"
    )
    response = client.get(url_for_period(hostile_committee.short_name, frozen["newer"].id) + ".csv")
    assert response.status_code == 200
    disposition = _ascii_attachment(response)
    assert "/" not in disposition.split("filename=", 1)[1].split(";")[0]
