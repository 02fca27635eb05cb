"""Filter pages open without errors, refuse only what was submitted, and the language link keeps
the page with its filters."""

from __future__ import annotations

import html as html_lib
import re

import pytest

NOT_VALID = ("Inte ett giltigt val", "Not a valid choice")


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit"])
def test_filter_pages_open_without_errors(client, auth, org, path):
    auth.login(org.admin.email)
    for lang in ("sv", "en"):
        page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        assert not any(text in page for text in NOT_VALID), path
        assert 'aria-invalid="true"' not in page
    # With one filter chosen the others are still not errors.
    page = client.get(f"{path}?lang=sv&q=a&date_from=").get_data(as_text=True)
    assert not any(text in page for text in NOT_VALID)


@pytest.mark.parametrize(
    ("path", "field"),
    [("/admin/users?role=emperor", "role"), ("/admin/audit?action=x.y", "action")],
)
def test_a_submitted_bad_value_is_still_refused(client, auth, org, path, field):
    auth.login(org.admin.email)
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("Inte ett giltigt val") == 1
    assert re.search(rf'<select[^>]*name="{field}"[^>]*aria-invalid="true"', page) or re.search(
        rf'<select[^>]*aria-invalid="true"[^>]*name="{field}"', page
    )


def _language_link(page: str, lang: str) -> str:
    match = re.search(rf'<a href="([^"]*)" lang="{lang}" hreflang="{lang}"', page)
    assert match, f"no link to {lang}"
    return html_lib.unescape(match.group(1))


def test_switching_language_keeps_the_page_and_its_filters(client, auth, org):
    auth.login(org.management.email)
    page = client.get("/initiatives?status=in_progress&q=e-tj%C3%A4nst&sort=-title&lang=sv")
    link = _language_link(page.get_data(as_text=True), "en")
    assert link.startswith("/initiatives?")
    assert "status=in_progress" in link and "sort=-title" in link and "q=e-tj%C3%A4nst" in link
    assert link.count("lang=") == 1 and link.endswith("lang=en")
    english = client.get(link).get_data(as_text=True)
    assert '<html lang="en">' in english
    back = _language_link(english, "sv")
    assert back.startswith("/initiatives?") and "status=in_progress" in back
    assert back.endswith("lang=sv") and back.count("lang=") == 1


@pytest.mark.parametrize("path", ["/initiatives", "/board", "/dashboard", "/benefits"])
def test_a_value_that_names_nothing_leaves_the_other_filters_in_force(client, auth, org, path):
    """committee=XYZ&status=done: the page says XYZ is no committee and shows the done ones,
    not the whole portfolio (every filter used to be dropped with the one bad value)."""
    from tracker.extensions import db
    from tracker.models import Status

    from . import factories

    factories.make_initiative(org.manager, status=Status.DONE, title="Klart sedan länge")
    factories.make_initiative(org.manager, status=Status.IN_PROGRESS, title="Pågår ännu")
    db.session.commit()
    auth.login("ledning@example.se")
    for query, messages in (
        ("committee=XYZ&status=done", ["Det finns ingen nämnd med koden XYZ."]),
        (
            "committee=XYZ&principle=nej&status=done",
            ["Det finns ingen nämnd med koden XYZ.", "nej"],
        ),
    ):
        page = client.get(f"{path}?{query}&lang=sv").get_data(as_text=True)
        for message in messages:
            assert message in page, (path, query)
        if path in ("/initiatives", "/board"):
            assert "Klart sedan länge" in page and "Pågår ännu" not in page, (path, query)
        if path == "/dashboard":
            assert "1 initiativ i urvalet" in page, path
