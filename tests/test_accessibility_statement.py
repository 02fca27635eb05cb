"""The accessibility statement follows DIGG's model, in both languages."""

from __future__ import annotations

import re

import pytest

from tracker.pages import statement


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "sv",
            [
                "Den här tjänsten är helt förenlig med lagen om tillgänglighet till digital "
                "offentlig service .",
                "Innehåll som inte är tillgängligt",
                "Redogörelsen upprättades den 27 nov. 2026. Den granskades senast den 2 dec. 2026.",
                "axe-core och HTML_CodeSniffer",
                "med enbart tangentbord och med 400 % förstoring",
                "fastställda rapporter som PDF (taggad, PDF/UA), Word- och Excelfiler",
                "Rapportera brister i tjänstens tillgänglighet",
                "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn",
            ],
        ),
        (
            "en",
            [
                "This service is fully compliant with the Act on accessibility",
                "Content that is not accessible",
                "drawn up on Nov 27, 2026. It was last reviewed on Dec 2, 2026.",
                "axe-core and HTML_CodeSniffer",
                "frozen reports as PDF (tagged, PDF/UA), Word and Excel files",
            ],
        ),
    ],
)
def test_statement_follows_diggs_model(client, lang, expected):
    response = client.get(f"/accessibility?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    for phrase in expected:
        assert " ".join(phrase.split()) in text, phrase
    # Every known shortcoming is listed, with its success criterion (none is known now).
    items = re.findall(r'<ul class="shortcomings">(.*?)</ul>', html, re.S)
    if statement.SHORTCOMINGS:
        assert items and items[0].count("<li>") == len(statement.SHORTCOMINGS)
        for shortcoming in statement.SHORTCOMINGS:
            assert shortcoming.criterion in items[0]
    else:
        assert not items
    assert 'href="https://www.digg.se/' in html and 'href="mailto:' in html


def test_partial_while_shortcomings_remain():
    """The status is honest: partly compliant as long as any shortcoming is listed."""
    assert (statement.COMPLIANCE == statement.PARTLY) == bool(statement.SHORTCOMINGS)
    assert statement.REVIEWED >= statement.DRAWN_UP


def test_each_fixed_shortcoming_names_the_test_that_keeps_it_fixed():
    """A shortcoming leaves the list only with a browser test that fails if it comes back."""
    from pathlib import Path

    browser = Path(__file__).parent / "browser"
    assert {f.criterion for f in statement.FIXED} >= {"2.4.3", "4.1.3", "2.1.1", "1.4.10"}
    for fixed in statement.FIXED:
        module, name = fixed.test.split("::")
        assert f"def {name}(" in (browser / module).read_text(encoding="utf-8"), fixed.test
