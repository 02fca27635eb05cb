"""The tracker command: create-user, seed-demo and the pieces of demo."""

import pytest
from sqlalchemy import func, select

from tracker import cli
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, Initiative, Role, User


def test_create_user(runner, monkeypatch, org):
    monkeypatch.setenv("TRACKER_PASSWORD", "ett långt och bra lösenord")
    result = runner.invoke(
        args=[
            "create-user",
            "Ny.Chef@Example.se",
            "--name",
            "Ny Chef",
            "--role",
            "manager",
            "--department",
            "IT",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ny.chef@example.se"))
    assert user.role == Role.MANAGER and user.department.code == "IT"
    assert verify_password(user.password_hash, "ett långt och bra lösenord")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))


def test_create_user_refuses_bad_input(runner, monkeypatch, org):
    monkeypatch.setenv("TRACKER_PASSWORD", "kort")
    result = runner.invoke(args=["create-user", "x@example.se", "--name", "X", "--role", "admin"])
    assert result.exit_code != 0 and "12" in result.output
    monkeypatch.setenv("TRACKER_PASSWORD", "ett långt och bra lösenord")
    result = runner.invoke(
        args=["create-user", "CHEF@example.se", "--name", "X", "--role", "admin"]
    )
    assert result.exit_code != 0
    result = runner.invoke(
        args=[
            "create-user",
            "y@example.se",
            "--name",
            "Y",
            "--role",
            "admin",
            "--department",
            "NOPE",
        ]
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "y@example.se")) == 0


def test_seed_demo_scales_and_refuses_a_database_with_data(runner, app, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demolösenord-för-test")
    result = runner.invoke(args=["seed-demo", "--initiatives", "120"])
    assert result.exit_code == 0, result.output
    assert "demolösenord-för-test" in result.output
    assert db.session.scalar(select(func.count(Initiative.id))) == 120
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 1


def test_demo_password_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DEMO_PASSWORD", raising=False)
    first = cli.demo_password(tmp_path)
    assert len(first) >= 12 and cli.demo_password(tmp_path) == first
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "från miljön")
    assert cli.demo_password(tmp_path) == "från miljön"


def test_htmx_is_vendored_and_pinned(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    with client.get("/static/vendor/htmx-2.0.11.min.js") as response:
        assert response.status_code == 200


def test_demo_prints_a_password_only_when_it_opens_the_accounts(runner, app, monkeypatch):
    """A database loaded earlier keeps the password it was loaded with: `tracker demo` must not
    print another one as if it worked."""
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "det-första-lösenordet")
    assert runner.invoke(args=["seed-demo", "--initiatives", "5"]).exit_code == 0
    assert cli.opens_the_demo_accounts("det-första-lösenordet")
    assert not cli.opens_the_demo_accounts("ett-helt-annat-lösenord")


def test_demo_is_a_flask_command_too(app):
    """`flask --app tracker demo` works as `tracker demo` does (DESIGN: a Flask command group)."""
    assert {"demo", "seed-demo", "create-user", "backup", "send-reminders"} <= set(app.cli.commands)


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 5072, "http://127.0.0.1:5072"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104
        ("::1", 5000, "http://[::1]:5000"),
        ("tracker.example.se", 80, "http://tracker.example.se:80"),
    ],
)
def test_the_demo_links_mail_to_its_own_address(host, port, expected):
    """``tracker demo --port 5072``: a reminder's link leads to that server, not to port 5000."""
    from tracker.cli import demo_base_url

    assert demo_base_url(host, port) == expected
