"""The token UI in My account, by keyboard, and the API docs page; axe-clean in sv and en."""

from __future__ import annotations

import pytest

from .helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_make_see_once_use_and_revoke_a_token(page, sign_in, console, live_server, lang):
    sign_in("manager")
    page.goto(f"/account/tokens?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page, f"tokens page ({lang})")

    name = f"Power BI {lang}"
    page.locator("#name").focus()
    page.keyboard.type(name)
    page.locator("input[name='scope'][value='read']").check()
    with page.expect_navigation():
        page.locator("form[action$='/account/tokens'] button[type='submit']").press("Enter")
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("ipf_") and len(secret) == 50
    assert_no_axe_violations(page, f"token shown once ({lang})")
    row = page.locator("#token-list tbody tr", has_text=name)
    assert row.count() == 1

    # The token works against the API, and the list shows when it was last used.
    response = page.request.get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 200 and response.json()["total"] >= 1
    # The browser's own session cookie is no way in.
    assert page.request.get("/api/v1/initiatives").status == 401

    page.goto(f"/account/tokens?lang={lang}")
    assert page.locator("#new-token").count() == 0  # shown once: never again
    row = page.locator("#token-list tbody tr", has_text=name)
    assert "Never" not in row.inner_text() and "Aldrig" not in row.inner_text()

    button = row.locator("button[type='submit']")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    row = page.locator("#token-list tbody tr", has_text=name)
    assert ("Revoked" if lang == "en" else "Återkallad") in row.inner_text()
    assert page.locator("#messages").inner_text().strip() != ""
    assert_no_axe_violations(page, f"token revoked ({lang})")
    response = page.request.get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 401
    assert not console.csp_violations() and not console.page_errors


def test_token_form_errors_keep_the_input(page, sign_in):
    sign_in("manager")
    page.goto("/account/tokens?lang=en")
    page.locator("#name").fill("   ")
    page.locator("#expires_on").fill("2099-01-01")
    page.locator("form[action$='/account/tokens'] button[type='submit']").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#expires_on").input_value() == "2099-01-01"
    assert_no_axe_violations(page, "token form with errors")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_admin_sees_and_revokes_tokens(page, sign_in, lang):
    sign_in("admin")
    page.goto(f"/admin/tokens?lang={lang}&all=1")
    assert_no_axe_violations(page, f"admin tokens ({lang})")


# The documentation is drawn from the OpenAPI description alone, whatever the database.
@pytest.mark.database_independent
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_api_documentation_page(page, console, lang):
    page.goto(f"/api/v1/docs?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h3", has_text="GET /api/v1/initiatives").count() >= 1
    assert_no_axe_violations(page, f"API docs ({lang})")
    assert not console.csp_violations() and not console.page_errors
