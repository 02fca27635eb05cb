"""An admin in a real browser: create a user, import a file with a bad row, fix it, import again.

And axe-core on every admin page and "Mitt konto", in both languages, also in their error states.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Committee, Department, Principle, User

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser

LANGUAGES = ("sv", "en")
BAD_CSV = (
    "namn;e-post;roll;avdelning\n"
    "Greta Grön;greta@example.se;manager;IT\n"
    "Hugo Hall;hugo@example.se;chef;FINNSINTE\n"
)
GOOD_CSV = BAD_CSV.replace("FINNSINTE", "HR")


def _count_users(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def _ids(live_server) -> dict[str, int]:
    with live_server.app.app_context():
        return {
            "user": db.session.scalar(select(User.id).where(User.email == "chef@example.se")),
            "committee": db.session.scalar(select(Committee.id).order_by(Committee.id)),
            "department": db.session.scalar(select(Department.id).order_by(Department.id)),
            "principle": db.session.scalar(select(Principle.id).order_by(Principle.id)),
        }


def _upload(page, content: str, name: str = "anvandare.csv"):
    page.goto("/admin/users/import")
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}
    )
    page.get_by_role("button", name="Granska filen").click()
    page.wait_for_load_state()


def test_admin_creates_a_user_and_imports_a_file(page, sign_in, live_server, console):
    sign_in("admin")
    page.goto("/account")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Användare"
    ).click()
    page.get_by_role("link", name="Lägg till användare").click()

    # A duplicate e-mail first: the error summary, the input kept.
    page.get_by_label("Namn").fill("Signe Sjö")
    page.get_by_label("E-postadress").fill("CHEF@example.se")
    page.get_by_label("Roll").select_option("manager")
    page.get_by_label("Avdelning", exact=True).select_option(label="IT-avdelningen (IT)")
    page.get_by_role("button", name="Spara").click()
    summary = page.locator("#error-summary")
    assert "Det finns redan en användare" in summary.inner_text()
    assert page.get_by_label("Namn").input_value() == "Signe Sjö"
    assert_no_axe_violations(page, "user form with errors")

    page.get_by_label("E-postadress").fill("signe@example.se")
    page.get_by_role("button", name="Spara").click()
    password = page.locator("#one-time-password code").inner_text()
    assert len(password) == 19
    assert_no_axe_violations(page, "one-time password")

    # Import with one bad row: the problem shown, nothing written.
    before = _count_users(live_server)
    _upload(page, BAD_CSV)
    assert "Okänd avdelningskod." in page.locator("#row-3").inner_text()
    assert page.get_by_role("button", name="Importera").count() == 0
    assert _count_users(live_server) == before
    assert_no_axe_violations(page, "import preview with a bad row")

    # Fixed and imported again.
    _upload(page, GOOD_CSV)
    page.get_by_role("button", name="Importera 2 användare").click()
    page.wait_for_load_state()
    assert "2 användare har importerats." in page.locator("main").inner_text()
    assert _count_users(live_server) == before + 2
    assert_no_axe_violations(page, "import done")
    assert not console.csp_violations() and not console.page_errors


ADMIN_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user}",
    "/admin/users/{user}/edit",
    "/admin/users/import",
    "/admin/organisation",
    "/admin/committees/new",
    "/admin/committees/{committee}/edit",
    "/admin/departments/new",
    "/admin/departments/{department}/edit",
    "/admin/principles",
    "/admin/principles/new",
    "/admin/principles/{principle}/edit",
    "/admin/audit",
    "/admin/settings",
    "/account",
    "/account/password",
]


# Accessibility of the markup: the templates' business, the same on both databases.
@pytest.mark.database_independent
@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_pages_have_no_axe_violations(page, sign_in, live_server, console, lang):
    sign_in("admin")
    ids = _ids(live_server)
    for path in ADMIN_PAGES:
        response = page.goto(path.format(**ids) + f"?lang={lang}")
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang
        assert_no_axe_violations(page, f"{path} (lang={lang})")
    assert not console.csp_violations()


# Accessibility of the markup: the templates' business, the same on both databases.
@pytest.mark.database_independent
@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_forms_with_errors_have_no_axe_violations(page, sign_in, live_server, lang):
    sign_in("admin")
    for path in ("/admin/settings", "/admin/principles/new", "/admin/committees/new"):
        page.goto(f"{path}?lang={lang}")
        page.locator("main form.form input[type=text]").first.fill("")
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#error-summary").is_visible(), path
        assert_no_axe_violations(page, f"{path} with errors (lang={lang})")
    page.goto(f"/admin/users/import?lang={lang}")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert_no_axe_violations(page, f"import without a file (lang={lang})")


def test_manager_sees_my_account_but_not_administration(page, sign_in):
    sign_in("manager")
    page.goto("/account")
    assert page.get_by_role("link", name="Administration").count() == 0
    assert_no_axe_violations(page, "account as manager")
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
