"""Initiativportföljen: a municipality follows its portfolio of digital initiatives."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from flask import Flask

from . import database  # noqa: F401 - registers the SQLite engine events
from .config import load_config
from .extensions import csrf, db, limiter, migrate
from .extensions import htmx as htmx_extension  # tracker.htmx is the helper module

PACKAGE = Path(__file__).resolve().parent


def _asset_folder(name: str) -> str:
    """``templates/`` and ``static/`` sit at the top of the repository; a wheel carries them
    inside the package."""
    packaged = PACKAGE / name
    return str(packaged if packaged.is_dir() else PACKAGE.parent / name)


def create_app(test_config: dict[str, Any] | None = None, *, demo: bool = False) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
    )
    load_config(app, test_config, demo)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx_extension.init_app(app)
    limiter.init_app(app)

    from . import api, cache, cli, errors, i18n, logging_setup, security, templating
    from .account import bp as account_bp
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .auth import sessions
    from .benefits import bp as benefits_bp
    from .exports import bp as exports_bp
    from .imports import bp as imports_bp
    from .initiatives import bp as initiatives_bp
    from .mail import bp as mail_bp
    from .maturity import bp as maturity_bp
    from .pages import bp as pages_bp
    from .portfolio import bp as portfolio_bp
    from .public import bp as public_bp
    from .public import publishing_bp
    from .public import sessions as public_sessions
    from .reports import bp as reports_bp

    logging_setup.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    api.init_app(app)
    public_sessions.init_app(app)  # after the API's: it keeps the API's rule too

    app.register_blueprint(auth_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(portfolio_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(imports_bp)  # before initiatives: /initiatives/import
    app.register_blueprint(initiatives_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(maturity_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(benefits_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(publishing_bp)
    if app.config.get("GC_FREEZE", not app.testing):
        freeze_start_up_objects()
    return app


def freeze_start_up_objects() -> None:
    """Take what start-up made (modules, the mappers, the application) out of the cyclic
    garbage collector's sight: they live as long as the process. A full collection otherwise walks
    all of them, about every thirty pages, and cost a board or a dashboard a sixth of its time
    (issue 20: 8 ms of 48 ms on a board at 10,000 initiatives, 2 ms after it). Garbage made later
    is collected as before. Not in tests, which make hundreds of applications in one process."""
    gc.collect()
    gc.freeze()
