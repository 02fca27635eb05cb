"""The tracker command: its help, create-user, seed-demo, the pieces of demo, and backup's
errors."""

import os

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker import cli
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import AuditEvent, Initiative, Role, User

from .conftest import TEST_DATABASE_URL


def unconfigured_tracker(tmp_path, *args: str, **env: str):
    """``tracker ARGS`` in a shell with no TRACKER_SECRET_KEY (and no .env), but ``env``."""
    env = {
        "TRACKER_SECRET_KEY": None,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite3'}",
        "FLASK_SKIP_DOTENV": "1",
        "FLASK_RUN_FROM_CLI": None,  # (the group sets it; the runner puts it back)
        **env,
    }
    return CliRunner(env=env).invoke(cli.main, list(args), prog_name="tracker")


def test_help_lists_every_command_without_the_configuration(app, tmp_path):
    """`tracker --help` before TRACKER_SECRET_KEY is set: every command, no traceback."""
    result = unconfigured_tracker(tmp_path, "--help")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    commands = result.output.partition("\nCommands:\n")[2].splitlines()
    listed = {line.split()[0] for line in commands if line.strip()}
    assert set(app.cli.commands) | {"routes", "run", "shell"} <= listed


@pytest.mark.parametrize("command", ["backup", "create-user", "db", "import-initiatives"])
def test_a_commands_help_needs_no_configuration(tmp_path, command):
    result = unconfigured_tracker(tmp_path, command, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: tracker {command} ")


@pytest.mark.parametrize(
    ("args", "env", "error"),
    [
        (["backup", "copy.sqlite3"], {}, "TRACKER_SECRET_KEY is not set."),
        (["db", "upgrade"], {}, "TRACKER_SECRET_KEY is not set."),
        # demo needs no secret key (it keeps one in instance/); a wrong value stops it.
        (["demo"], {"TRACKER_SECRET_KEY": "k", "TRACKER_STALE_DAYS": "0"}, "TRACKER_STALE_DAYS"),
    ],
)
def test_a_command_without_the_configuration_says_what_to_set(
    tmp_path, monkeypatch, args, env, error
):
    """One line, as click words errors, not a traceback."""
    monkeypatch.chdir(tmp_path)
    result = unconfigured_tracker(tmp_path, *args, **env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith(f"Error: {error}")
    assert not (tmp_path / "copy.sqlite3").exists()


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
    # The forms' rules for a name: no control characters (a log line or a terminal would read
    # them), at most 200 characters, the spaces made one.
    for name in ("Two\nLines\r\x1b[31mRed", "Nul\x00", "x" * 201):
        result = runner.invoke(
            args=["create-user", "z@example.se", "--name", name, "--role", "admin"]
        )
        assert result.exit_code != 0, name
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "z@example.se")) == 0
    result = runner.invoke(
        args=["create-user", "z@example.se", "--name", "  Zara   Zetterlund ", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.name).where(User.email == "z@example.se")) == (
        "Zara Zetterlund"
    )


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


sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="backup copies SQLite only")


@sqlite_only
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda where: None, "The directory {} does not exist."),
        (lambda where: where.write_text("a file"), "{} is not a directory."),
    ],
)
def test_backup_into_no_directory_says_so(runner, tmp_path, make, message):
    where = tmp_path / "backups"
    make(where)
    result = runner.invoke(args=["backup", str(where / "copy.sqlite3")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output == f"Error: {message.format(where)}\n"


@sqlite_only
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any directory")
def test_backup_into_a_directory_it_may_not_write_says_so(runner, tmp_path):
    where = tmp_path / "backups"
    where.mkdir(mode=0o500)
    result = runner.invoke(args=["backup", str(where / "copy.sqlite3")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output == f"Error: The directory {where} is not writable.\n"
    assert list(where.iterdir()) == []


def test_commands_on_a_database_without_tables_say_what_to_do(tmp_path, monkeypatch):
    """create-user, seed-demo, send-reminders and import-initiatives on a database that was
    never upgraded, or cannot be opened: one line that says what to do, never a traceback."""
    from tracker import create_app

    sheet = tmp_path / "w.csv"
    sheet.write_text("Titel\nX\n")
    monkeypatch.setenv("TRACKER_PASSWORD", "ett långt och bra lösenord")
    for url, expected in (
        (f"sqlite:///{tmp_path / 'empty.db'}", "tracker db upgrade"),
        (f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}", "cannot be opened"),
    ):
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
        runner = app.test_cli_runner()
        for args in (
            ["create-user", "a@example.se", "--name", "A", "--role", "admin"],
            ["seed-demo"],
            ["send-reminders"],
            ["import-initiatives", str(sheet)],
        ):
            result = runner.invoke(args=args)
            assert result.exit_code == 1, (args, result.output)
            assert expected in result.output and "Traceback" not in result.output, result.output


@pytest.mark.parametrize("option", [["--port", "99999"], ["--port", "0"], ["--threads", "0"]])
def test_demo_refuses_a_port_or_thread_count_that_cannot_be(tmp_path, option):
    """A port past 65535 (waitress listened on a random one and the banner named the wrong
    one) or no threads (a server that never answers): a usage error before anything starts."""
    result = unconfigured_tracker(tmp_path, "demo", *option)
    assert result.exit_code == 2, result.output
    assert "Serving" not in result.output


def test_demo_on_a_port_taken_says_so(tmp_path, monkeypatch):
    import waitress

    def taken(*_args, **_kwargs):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(waitress, "serve", taken)
    result = unconfigured_tracker(tmp_path, "demo", "--port", "5999")
    assert result.exit_code == 1, result.output
    assert "Cannot listen on 127.0.0.1:5999: Address already in use" in result.output
    assert "Traceback" not in result.output


def test_the_demo_sends_its_mail_itself_while_it_serves(tmp_path, monkeypatch):
    """A decision recorded while the demo runs reaches its owner's mailbox (a file in
    instance/mail/, without a mail server) with nobody running send-reminders: the demo runs it
    every --mail-every seconds, as a production server's timer does (the confirmation said
    "goes out within minutes", and the message stayed queued)."""
    import time
    from datetime import date
    from pathlib import Path

    import waitress

    from tracker.models import DecisionKind, MailMessage
    from tracker.portfolio.decisions import DecisionData, record_decision

    seen = {}
    started = time.time()

    def serve(app, **_kwargs):
        with app.app_context():
            management = db.session.scalar(
                select(User).where(User.email == "ledning@nykvarn.example")
            )
            initiative = db.session.scalar(select(Initiative).order_by(Initiative.id).limit(1))
            data = DecisionData(date.today(), "LG", DecisionKind.OTHER, text="Gå vidare")
            record_decision(management, initiative, data)
            db.session.commit()
            folder = Path(app.instance_path) / "mail"

            def written():  # this run's messages (the folder is the instance's)
                return [f for f in folder.glob("*.eml") if f.stat().st_mtime >= started]

            def statuses():  # the file is written before its row is marked sent
                db.session.rollback()
                return set(db.session.scalars(select(MailMessage.status)))

            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (written() and "sent" in statuses()):
                time.sleep(0.05)
            seen["files"] = written()
            seen["statuses"] = statuses()

    monkeypatch.setattr(waitress, "serve", serve)
    result = unconfigured_tracker(
        tmp_path,
        "demo",
        "--port",
        "5997",
        "--mail-every",
        "0.2",
    )
    assert result.exit_code == 0, result.output
    assert "Mail: reminders and the queue sent every 0.2 s, to files in instance/mail/." in (
        result.output
    )
    assert seen["files"], "no message was written while the demo served"
    assert "sent" in seen["statuses"]
