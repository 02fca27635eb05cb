"""The API's documentation page speaks the reader's language; openapi.json stays one contract.

openapi.json is the machine contract: English, the same bytes whatever the client's language.
The page at /api/v1/docs shows every text of that description (each operation's summary and
description, each parameter's, field's and response's description, the introduction) in the
interface's language. Each text is a msgid of the catalogue, marked with ``N_`` where it is
written (see ``tracker.api.doc_text``); these tests compare the page with the catalogue.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tracker.api.docs import inline

CATALOGS = Path(__file__).resolve().parent.parent / "tracker" / "translations"

pytestmark = pytest.mark.database_independent


def _catalog(path: Path) -> dict[str, str]:
    with open(path, "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and isinstance(m.id, str)}


@pytest.fixture(scope="module")
def swedish() -> dict[str, str]:
    return _catalog(CATALOGS / "sv" / "LC_MESSAGES" / "messages.po")


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return set(_catalog(CATALOGS / "messages.pot"))


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _texts(spec: dict) -> dict[str, list[str]]:
    """Every text of the description that the page shows, by the kind of text."""
    texts: dict[str, list[str]] = {"summary": [], "other": []}
    texts["other"] += _paragraphs(spec["info"]["description"])
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert op.get("summary"), f"{method.upper()} {path} has no summary"
            texts["summary"].append(op["summary"])
            texts["other"] += _paragraphs(op.get("description"))
            texts["other"] += [
                p["description"] for p in op.get("parameters", ()) if "description" in p
            ]
            texts["other"] += [r["description"] for r in op["responses"].values()]
    for schema in spec["components"]["schemas"].values():
        texts["other"] += [
            prop["description"]
            for prop in schema.get("properties", {}).values()
            if "description" in prop
        ]
    return texts


def test_the_description_is_english_and_the_same_in_every_language(client):
    """One contract: Accept-Language and ?lang change nothing in openapi.json."""
    swedish = client.get("/api/v1/openapi.json", headers={"Accept-Language": "sv"})
    english = client.get("/api/v1/openapi.json?lang=en", headers={"Accept-Language": "en"})
    assert swedish.status_code == english.status_code == 200
    assert swedish.data == english.data
    summary = swedish.get_json()["paths"]["/api/v1/initiatives"]["get"]["summary"]
    assert summary == "The portfolio list, with the same filters as in the browser."


def test_every_text_of_the_description_is_extracted_and_translated(client, swedish, extracted):
    texts = _texts(client.get("/api/v1/openapi.json").get_json())
    assert len(texts["summary"]) >= 17
    for text in {*texts["summary"], *texts["other"]}:
        assert text in extracted, f"not in messages.pot (mark it with N_): {text!r}"
        assert swedish.get(text), f"no Swedish translation: {text!r}"


def test_the_docs_page_in_swedish_shows_every_text_translated(client, swedish):
    texts = _texts(client.get("/api/v1/openapi.json").get_json())
    html = client.get("/api/v1/docs", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "<h1>API-dokumentation</h1>" in html
    for summary in texts["summary"]:
        # In the list of operations and as the operation's heading text.
        assert f"<span>{inline(swedish[summary])}</span>" in html, summary
        assert f"<p><strong>{inline(swedish[summary])}</strong></p>" in html, summary
        assert str(inline(summary)) not in html, f"shown in English: {summary!r}"
    for text in texts["other"]:
        assert str(inline(swedish[text])) in html, text
        if swedish[text] != text:
            assert str(inline(text)) not in html, f"shown in English: {text!r}"
    assert "Läs portföljen i Initiativportföljen från BI-verktyg och integrationer." in html
    assert "Portföljens lista, med samma filter som i webbläsaren." in html


def test_the_docs_page_in_english_shows_the_description_as_written(client, swedish):
    texts = _texts(client.get("/api/v1/openapi.json").get_json())
    html = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "<h1>API documentation</h1>" in html
    for summary in texts["summary"]:
        assert f"<span>{inline(summary)}</span>" in html, summary
        assert str(inline(swedish[summary])) not in html, summary
    for text in texts["other"]:
        assert str(inline(text)) in html, text
        if swedish[text] != text:
            assert str(inline(swedish[text])) not in html, f"shown in Swedish: {text!r}"
    # The translated texts are in the page's language: none is marked as English any more.
    assert '<div lang="en">' not in html and '<span lang="en">' not in html


def test_where_a_parameter_goes_is_in_the_readers_language(client):
    """The Plats column: "query" and "path" are OpenAPI's words, not Swedish ones."""
    swedish = client.get("/api/v1/docs", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "<td>frågesträng</td>" in swedish and "<td>sökväg</td>" in swedish
    assert "<td>query</td>" not in swedish and "<td>path</td>" not in swedish
    english = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "<td>query</td>" in english and "<td>path</td>" in english


def test_every_parameter_is_described(client):
    """A reader of the description learns what each parameter is, the ids in the paths too."""
    spec = client.get("/api/v1/openapi.json").get_json()
    undescribed = [
        f"{path} {parameter['in']} {parameter['name']}"
        for path, item in spec["paths"].items()
        for operation in [item, *(op for method, op in item.items() if method != "parameters")]
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []
    assert "Initiativets id" in client.get("/api/v1/docs?lang=sv").get_data(as_text=True)


def test_the_types_are_named_in_the_readers_language_and_codes_stay_codes(client):
    """The Typ column said "array of string" on the Swedish page; what is sent as it is (a
    schema's name, an enum's values, a media type) stays as code, in either language."""
    swedish = client.get("/api/v1/docs", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    for shown in (
        "<td>heltal</td>",
        "<td>sträng (datum)</td>",
        "<td>lista med <code>Principle</code></td>",
        "sträng: <code>on_track</code>, <code>at_risk</code>, <code>off_track</code>",
        "<code>application/json</code>: <code>Initiative</code>",
    ):
        assert shown in swedish, shown
    for english in ("array of", "<td>integer</td>", "<td>string", "(date)"):
        assert english not in swedish, english
    english = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "<td>integer</td>" in english and "array of <code>Principle</code>" in english
    assert "heltal" not in english and "lista med" not in english
