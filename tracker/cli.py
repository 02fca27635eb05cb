"""The ``tracker`` command: demo, seed-demo, create-user, backup (and ``db`` from Flask-Migrate)."""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as db_command
from flask_smorest.spec import openapi_cli
from sqlalchemy import func, select

from .extensions import db
from .imports.cli import import_initiatives_command


def _create_app(*, demo: bool = False) -> Flask:
    """The application, or one line on what to set (``Error: TRACKER_SECRET_KEY is not set…``)
    when the configuration is unsafe or incomplete."""
    from . import create_app
    from .config import ConfigError

    try:
        return create_app(demo=demo)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


class TrackerGroup(FlaskGroup):
    """``tracker --help`` lists every command whatever the configuration: the application's
    commands are this group's own too (see the end of this module), so they are listed, and
    ``tracker backup --help`` answers, without the application, which needs TRACKER_SECRET_KEY
    and the rest. Running a command loads the application, and says what to set if it cannot."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except Exception:  # whatever stops it, the help lists the commands and hides nothing
            self._load_plugin_commands()  # (what FlaskGroup lists without the application)
            return sorted(self.commands)
        return super().list_commands(ctx)


@click.group(cls=TrackerGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Initiativportföljen."""


def init_app(app: Flask) -> None:
    for command in COMMANDS:  # (`flask --app tracker demo` as `tracker demo`)
        app.cli.add_command(command)


def demo_password(instance: Path) -> str:
    """TRACKER_DEMO_PASSWORD, or one generated once and kept in instance/."""
    if os.environ.get("TRACKER_DEMO_PASSWORD"):
        return os.environ["TRACKER_DEMO_PASSWORD"]
    path = instance / "demo-password"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    path.write_text(password)
    path.chmod(0o600)
    return password


class ProgressBar:
    """One line on stderr per phase of seeding: ``initiatives [#####-----] 5,000/10,000 3 s``.

    In a terminal the line is redrawn as the work goes on (at most ten times a second); when
    stderr is not a terminal only each phase's last state is written, once."""

    WIDTH = 30

    def __init__(self, stream=None, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.phase = ""
        self.started = self.drawn = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.phase, self.started, self.drawn = phase, now, 0.0
        finished = done >= total
        if not finished and (not self.tty or now - self.drawn < 0.1):
            return
        self.drawn = now
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"  {phase:<11} [{bar}] {done:,}/{total:,} {now - self.started:.0f} s"
        self.stream.write(("\r" if self.tty else "") + line + ("\n" if finished else ""))
        self.stream.flush()


def opens_the_demo_accounts(password: str) -> bool:
    """Whether ``password`` signs in the first demo account (a database loaded earlier keeps
    the password it was loaded with, whatever the environment says now)."""
    from .auth.passwords import verify_password
    from .demo import DEMO_ACCOUNTS
    from .models import User

    email = DEMO_ACCOUNTS[0][0]
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    return user is not None and verify_password(user.password_hash, password)


def demo_base_url(host: str, port: int) -> str:
    """The address the demo serves on, as a browser reaches it from this machine (every
    interface: the loopback address; an IPv6 address in brackets)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (names the address, binds nothing)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--mail-every",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds between the demo's own runs of send-reminders (0: none).",
)
def demo_command(host: str, port: int, threads: int, mail_every: float) -> None:
    """Migrate, load the demo municipality if the database is empty, and serve it. The demo
    also sends its mail itself, as the timer of a production server runs send-reminders."""
    import threading

    from waitress import serve

    from . import demo
    from .mail import runs

    app = _create_app(demo=True)
    if not app.config.get("BASE_URL"):  # links in mail lead to this server
        app.config["BASE_URL"] = demo_base_url(host, port)
    with app.app_context():
        upgrade()
        password = demo_password(Path(app.instance_path))
        if demo.is_empty():
            click.echo("Loading the demo municipality …", err=True)
            demo.seed(password=password, progress=ProgressBar())
            db.session.commit()
        if opens_the_demo_accounts(password):
            click.echo(f"\nDemo accounts (password: {password}):")
        else:
            click.echo(
                "\nDemo accounts (they keep the password they were loaded with, which is not"
                " the one TRACKER_DEMO_PASSWORD or instance/demo-password gives now):"
            )
        for email, role, _name in demo.DEMO_ACCOUNTS:
            click.echo(f"  {email:32} {role}")
    stop = threading.Event()
    if mail_every:
        runs.every(app, mail_every, stop)
        where = app.config.get("MAIL_SERVER") or "files in instance/mail/"
        click.echo(f"Mail: reminders and the queue sent every {mail_every:g} s, to {where}.")
    click.echo(f"\nServing Initiativportföljen on {demo_base_url(host, port)}/  (Ctrl+C stops)\n")
    try:
        serve(app, host=host, port=port, threads=threads, ident="initiativportfoljen")
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {error.strerror or error}. Choose another --port."
        ) from None
    finally:
        stop.set()


def require_schema() -> None:
    """Stop a command with what to do, instead of a traceback, when the database cannot be
    opened or has no tables yet."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    where = db.engine.url.render_as_string(hide_password=True)
    try:
        ready = inspect(db.engine).has_table("user_account")
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise click.ClickException(f"The database {where} cannot be opened: {reason}") from None
    if not ready:
        raise click.ClickException(
            f"The database {where} has no tables yet: run `tracker db upgrade` first."
        )


@click.command("seed-demo")
@click.option(
    "--initiatives",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="How many initiatives (default: the demo municipality's own, about forty).",
)
@with_appcontext
def seed_demo_command(initiatives: int | None) -> None:
    """Load the demo municipality into an empty database."""
    from . import demo

    require_schema()
    if not demo.is_empty():
        click.echo(
            "The database already has data; seed-demo loads only into an empty one.", err=True
        )
        sys.exit(1)
    password = demo_password(Path(current_app.instance_path))
    summary = demo.seed(password=password, initiatives=initiatives, progress=ProgressBar())
    db.session.commit()
    click.echo(f"Loaded {summary}. Demo password: {password}")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["manager", "management", "committee", "admin"])
)
@click.option("--department", "department_code", default=None, help="Department code.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, department_code: str | None) -> None:
    """Create a user. The password comes from TRACKER_PASSWORD or a prompt."""
    from .auth.services import AccountError, create_user

    require_schema()
    password = os.environ.get("TRACKER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_user(None, email, name, role, password, department_code)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the running SQLite database to PATH, consistently, while the service runs.

    Uses SQLite's online backup API, which copies a snapshot that every committed transaction is
    either wholly in or wholly out of; a plain file copy of a database in WAL mode can miss the
    last commits or catch one half-way. For PostgreSQL use pg_dump (see the README).
    """
    import sqlite3

    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"`tracker backup` copies SQLite databases; this one is {url.get_backend_name()}. "
            "Back up PostgreSQL with `pg_dump --format=custom --file=PATH DBNAME` (restore with "
            "pg_restore), or with continuous archiving (WAL) for point-in-time recovery."
        )
    source_file = url.database
    if not source_file or source_file == ":memory:" or not Path(source_file).is_file():
        raise click.ClickException(f"No SQLite database file at {source_file!r}.")
    if path.resolve() == Path(source_file).resolve():
        raise click.ClickException("PATH is the database itself; choose another file.")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to replace it.")
    directory = path.parent
    if not directory.exists():
        raise click.ClickException(f"The directory {directory} does not exist.")
    if not directory.is_dir():
        raise click.ClickException(f"{directory} is not a directory.")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise click.ClickException(f"The directory {directory} is not writable.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    # One step (pages=-1): the copy reads one snapshot, and in WAL mode writers go on meanwhile.
    # In small steps, every commit by another process would restart the copy.
    source = sqlite3.connect(source_file, timeout=30)
    target = sqlite3.connect(partial)
    try:
        with target:
            source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {check}")
    partial.chmod(0o600)
    partial.replace(path)
    click.echo(f"Backed up {source_file} to {path} ({path.stat().st_size:,} bytes).")


@click.command("send-reminders")
@click.option("--no-plan", is_flag=True, help="Only send what is queued; plan no reminders.")
@with_appcontext
def send_reminders_command(no_plan: bool) -> None:
    """Queue the reminders and digests that are due, then send the outbox.

    Idempotent: every message has a unique key, so running it every few minutes (cron, a systemd
    timer), or twice at once, sends each message once.
    """
    from .mail import runs

    require_schema()
    click.echo(str(runs.run_once(plan=not no_plan)))


# The commands of ``init_app``; those the application gets elsewhere (Flask-Migrate's ``db``,
# the API's ``openapi``, the imports blueprint's) are also this group's, for ``tracker --help``.
COMMANDS = (
    demo_command,
    seed_demo_command,
    create_user_command,
    backup_command,
    send_reminders_command,
)
for _command in (*COMMANDS, db_command, openapi_cli, import_initiatives_command):
    main.add_command(_command)
