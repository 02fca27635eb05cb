"""Bad input and faults get a clear page in the user's language and the right status code."""

import pytest
from sqlalchemy.exc import OperationalError

from tracker.extensions import db


def test_unknown_url_is_404_in_swedish(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_unknown_url_in_english(client):
    response = client.get("/no-such-page?lang=en")
    assert "Page not found" in response.get_data(as_text=True)


def test_wrong_method_is_405(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "Traceback" not in response.get_data(as_text=True)


def test_oversized_form_is_413(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "För mycket data" in response.get_data(as_text=True)


def test_malformed_form_is_handled(org, client, auth):
    token = auth.csrf_token()
    response = client.post(
        "/login", data=b"%%%\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 422)
    response = client.post("/login", data={"csrf_token": token, "email": "", "password": ""})
    assert response.status_code == 422
    assert "Ange din e-postadress." in response.get_data(as_text=True)


def test_unexpected_error_is_a_generic_500(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Något gick fel" in html
    assert "secret detail" not in html and "Traceback" not in html


def test_database_down_is_503(app, client, org, auth, monkeypatch):
    auth.login("ledning@example.se")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    monkeypatch.setattr(db.session, "scalars", broken)
    response = client.get("/dashboard")
    assert response.status_code == 503
    assert "tillfälligt" in response.get_data(as_text=True)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_does_not_answer(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


@pytest.mark.parametrize("status", [403, 404, 409, 422, 429, 500])
def test_error_fragment_for_htmx(app, client, status):
    from flask import abort

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule(f"/fail{status}", f"fail{status}", lambda: abort(status))
    response = client.get(f"/fail{status}", headers={"HX-Request": "true"})
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'role="alert"' in html
    page = client.get(f"/fail{status}?lang=en")
    assert "<html" in page.get_data(as_text=True)


def test_healthz_neither_loads_the_user_nor_signs_a_cookie(org, client, auth, count_queries):
    auth.login("ledning@example.se")
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert [s for s in counter.statements if s != "BEGIN"] == ["SELECT 1"]
    assert client.get("/dashboard").status_code == 200  # the session is still there
