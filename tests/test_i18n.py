"""Swedish first, English complete: every text goes through Babel and has a Swedish translation."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "tracker" / "translations"


# As in README.md: without --ignore-dirs pybabel skips directories that start with "_".
EXTRACT = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs", ".* node_modules"]


def _extract_catalog(tmp_path: Path, *options: str):
    pot = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", *EXTRACT, *options]
    subprocess.run([*command, "-o", str(pot), "."], cwd=ROOT, capture_output=True, check=True)
    with open(pot, "rb") as f:
        return read_po(f)


def _extract(tmp_path: Path) -> set[str]:
    """Extract the messages of the code and templates as they are now."""
    catalog = _extract_catalog(tmp_path, "--no-location")
    messages = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert len(messages) > 300, "extraction found too few messages"
    return messages


def _swedish():
    with open(CATALOGS / "sv" / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale="sv")


@pytest.mark.database_independent
def test_every_message_has_a_swedish_translation(tmp_path):
    catalog = _swedish()
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        translated[key] = all(strings) and "fuzzy" not in m.flags
    missing = sorted(key for key in _extract(tmp_path) if not translated.get(key))
    assert missing == [], f"untranslated or not in the catalog: {missing[:20]}"


TEXT_CALL = re.compile(r"""(?<![\w.])(_|_l|gettext|ngettext|lazy_gettext)\(\s*["']""")


@pytest.mark.database_independent
def test_every_template_and_module_is_extracted(tmp_path):
    """A file that looks texts up must be one the extraction reads (pybabel silently skips some
    directories, such as templates/_macros/)."""
    catalog = _extract_catalog(tmp_path)
    extracted = {Path(path).as_posix() for m in catalog for path, _line in m.locations}
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("tracker/**/*.py")]
    with_texts = {
        f.relative_to(ROOT).as_posix() for f in files if TEXT_CALL.search(f.read_text("utf-8"))
    }
    assert "templates/_macros/charts.html" in with_texts
    assert sorted(with_texts - extracted) == []


@pytest.mark.database_independent
def test_compiled_catalog_is_up_to_date():
    with open(CATALOGS / "sv" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {
            m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_mo(f) if m.id
        }
    for m in _swedish():
        if m.id and m.string:
            key = m.id if isinstance(m.id, str) else m.id[0]
            expected = m.string if isinstance(m.string, str) else tuple(m.string)
            actual = compiled.get(key)
            actual = actual if isinstance(actual, str) else tuple(actual or ())
            assert actual == expected, f"messages.mo is older than messages.po: {key!r}"


def test_both_languages_on_a_page(client):
    assert "Logga in" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Sign in" in english
    # The choice is kept for the session, and can be switched back.
    assert '<html lang="en">' in client.get("/accessibility").get_data(as_text=True)
    assert "Logga in" in client.get("/login?lang=sv").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    assert '<html lang="sv">' in client.get("/login?lang=xx").get_data(as_text=True)


def test_the_remembered_catalogue_follows_the_locale(app):
    """The catalogue is looked up once per context (tracker.i18n), yet a forced locale, a
    refreshed one and the next request's language are each obeyed, in Python and in Jinja."""
    import flask_babel
    from flask import render_template_string, session

    def both() -> tuple[str, str]:
        return flask_babel.gettext("Sign in"), render_template_string("{{ _('Sign in') }}")

    with app.test_request_context("/"):
        assert both() == ("Logga in", "Logga in")
        with flask_babel.force_locale("en"):
            assert both() == ("Sign in", "Sign in")
            assert str(flask_babel.lazy_gettext("Sign in")) == "Sign in"
        assert both() == ("Logga in", "Logga in")
        session["lang"] = "en"
        flask_babel.refresh()
        assert both() == ("Sign in", "Sign in")
    # The next requests, each in an application context of its own as a server gives it.
    with app.app_context(), app.test_request_context("/"):
        assert both() == ("Logga in", "Logga in")
    with app.app_context(), app.test_request_context("/"):
        session["lang"] = "en"
        assert both() == ("Sign in", "Sign in")
