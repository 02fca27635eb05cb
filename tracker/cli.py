"""The ``tracker`` command: demo, seed-demo, create-user (and ``db`` from Flask-Migrate)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .extensions import db


def _create_app():
    from . import create_app
    from .config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Initiativportföljen."""


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)


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


def _progress(done: int, total: int) -> None:
    click.echo(f"\r  {done}/{total} initiatives", nl=done >= total, err=True)


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def demo_command(host: str, port: int, threads: int) -> None:
    """Migrate, load the demo municipality if the database is empty, and serve it."""
    from waitress import serve

    from . import create_app, demo

    app = create_app(demo=True)
    with app.app_context():
        upgrade()
        password = demo_password(Path(app.instance_path))
        if demo.is_empty():
            click.echo("Loading the demo municipality …", err=True)
            demo.seed(password=password, progress=_progress)
            db.session.commit()
        click.echo(f"\nDemo accounts (password: {password}):")
        for email, role, _name in demo.DEMO_ACCOUNTS:
            click.echo(f"  {email:32} {role}")
    click.echo(f"\nServing Initiativportföljen on http://{host}:{port}/  (Ctrl+C stops)\n")
    serve(app, host=host, port=port, threads=threads, ident="initiativportfoljen")


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

    if not demo.is_empty():
        click.echo(
            "The database already has data; seed-demo loads only into an empty one.", err=True
        )
        sys.exit(1)
    password = demo_password(Path(current_app.instance_path))
    summary = demo.seed(password=password, initiatives=initiatives, progress=_progress)
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
