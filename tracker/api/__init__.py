"""The JSON API at /api/v1, described by OpenAPI 3.1 at /api/v1/openapi.json.

Built on flask-smorest: marshmallow schemas validate the input and the same schemas generate the
OpenAPI description, so the description cannot drift from the code. Each further resource
(``reports``: periods and frozen reports; ``benefits``) is a module that adds routes to ``bp`` with
the same helpers (``documented``, ``page_body``, the schemas' ``list_schema``), imported in
``init_app`` before the blueprint is registered.
"""

from __future__ import annotations

import contextlib
import functools

from flask import Flask, g
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.spec import openapi_cli
from flask_smorest.utils import PrefixedMappingProxy
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound

from ..extensions import csrf, db, limiter
from ..permissions import PermissionDenied
from .doc_text import N_
from .problems import CONTENT_TYPE, flatten, is_api_request, problem
from .schemas import ProblemSchema

API_PREFIX = "/api/v1"

bp = SmorestBlueprint(
    "api",
    __name__,
    url_prefix=API_PREFIX,
    description="Initiatives, status updates, decisions, principles, committees, departments, "
    "the dashboard's figures, reporting periods, frozen committee reports and benefits. "
    "Bearer tokens only.",
)


class _ProblemApi(Api):
    """flask-smorest's Api without its application-wide error handler: the browser keeps its
    HTML error pages, and API errors are problem details (see ``register_errors``)."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        return None


class _SpecBuilder(_ProblemApi):
    """Builds one application's OpenAPI description, exactly as flask-smorest's ``init_app``
    and ``register_blueprint`` would have: the spec first, then the converters, then each
    blueprint's views and tag, in the order they were registered."""

    def __init__(self, app: Flask, fields: list, converters: list, blueprints: list) -> None:
        super().__init__()
        self._app = app
        self.config = PrefixedMappingProxy(app.config, self.config_prefix)
        self._init_spec(**self._spec_kwargs)
        for field in fields:
            self.register_field(*field)
        for converter, func in converters:
            self.register_converter(converter, func)
        for blp, name, parameters in blueprints:
            blp.register_views_in_doc(self, app, self.spec, name=name, parameters=parameters)
            self.spec.tag({"name": name, "description": blp.description})


class TrackerApi(_ProblemApi):
    """The API's routes are registered with the application as usual, but its OpenAPI
    description is built on first use (openapi.json, the documentation page, ``flask openapi``),
    once per application, not in ``create_app``: building it is most of what making an
    application costs, and most applications (every test's, every worker's) never serve it."""

    SPEC_EXTENSION = "tracker-openapi"

    @property
    def spec(self):
        """The description of the current application (else of the last one initialised)."""
        from flask import current_app, has_app_context

        app = current_app._get_current_object() if has_app_context() else self._app
        if app is None:
            return None
        state = app.extensions[self.SPEC_EXTENSION]
        if state["spec"] is None:
            builder = _SpecBuilder(app, state["fields"], state["converters"], state["blueprints"])
            state["spec"] = builder.spec
        return state["spec"]

    @spec.setter
    def spec(self, value) -> None:
        # Api.__init__ sets None; the description itself is only ever built by ``spec``.
        assert value is None, "TrackerApi builds its description itself"

    def init_app(self, app: Flask, *, spec_kwargs=None) -> None:
        """``Api.init_app`` without building the description."""
        assert not spec_kwargs, "the description's options come from the configuration"
        self._app = app
        self.config = PrefixedMappingProxy(app.config, self.config_prefix)
        ext = app.extensions.setdefault("flask-smorest", {"apis": {}, "blp_name_to_api": {}})
        ext["apis"][self.config_prefix] = {"ext_obj": self}
        app.extensions[self.SPEC_EXTENSION] = {
            "spec": None,
            "fields": [],
            "converters": [],
            "blueprints": [],
        }
        self._register_doc_blueprint()
        app.cli.add_command(openapi_cli)

    def register_converter(self, converter, func) -> None:
        self._app.extensions[self.SPEC_EXTENSION]["converters"].append((converter, func))

    def register_field(self, field, *args) -> None:
        self._app.extensions[self.SPEC_EXTENSION]["fields"].append((field, *args))

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """``Api.register_blueprint``; the views are described when the spec is built."""
        blp_name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp_name] = self
        self._app.register_blueprint(blp, **options)
        state = self._app.extensions[self.SPEC_EXTENSION]
        state["blueprints"].append((blp, blp_name, parameters))


api = TrackerApi()

# Paragraph by paragraph, each a msgid of its own: the documentation page shows it translated.
API_DESCRIPTION = "\n\n".join(
    (
        N_("Read the portfolio of Initiativportföljen from BI tools and integrations."),
        N_(
            "Authenticate with a personal access token (made in *My account*): "
            "`Authorization: Bearer ipf_…`. The session cookie is never accepted. A token acts as "
            "its user, with the same rights as in the browser; a read token cannot change anything."
        ),
        N_(
            "Every list is paged (`page`, `per_page` up to 200) and says how many items there are "
            "(`total`), with `links` to the other pages in the body and in a `Link` header. Reads "
            "carry an `ETag`; send it back in `If-None-Match` to get 304 when nothing changed. "
            "Errors are problem details (RFC 9457, `application/problem+json`) in the language of "
            "`Accept-Language`, else the user's. Requests are rate-limited per token; a 429 answer "
            "says when to try again in `Retry-After`."
        ),
        N_(
            "Text is refused (422) if it holds a control character or another invisible "
            "character (Unicode categories Cc, Cf, Co and Cs), as in the browser's forms: only "
            "texts of several lines may hold tab and line breaks, and the soft hyphen and the "
            "zero-width joiner and non-joiner are allowed. Zero-width spaces, word joiners and "
            "byte order marks are dropped without a word."
        ),
    )
)


def _config(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Initiativportföljen API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "300/minute")
    app.config.setdefault("API_WRITE_RATE_LIMIT", "60/minute")
    app.config.setdefault("API_ADDRESS_RATE_LIMIT", "1200/minute")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": API_DESCRIPTION},
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token, ipf_…",
                    }
                }
            },
            "security": [{"bearerAuth": []}],
        },
    )


def _address_key() -> str:
    from flask import request

    return "api-address:" + (request.remote_addr or "")


def _rate_key() -> str:
    """Per token (by the digest of what was sent), or per address when no well-formed token."""
    from flask import request

    from . import tokens
    from .auth import bearer_secret

    secret = bearer_secret()
    if secret and tokens.well_formed(secret):
        return "api-token:" + tokens.digest(secret)
    return "api-addr:" + (request.remote_addr or "")


def write_endpoint(view):
    """A write: the token's scope checked before the body is read (a read-only token is 403,
    whatever it sent), and the writes' limit, ``API_WRITE_RATE_LIMIT``, per token (as
    ``_rate_key``), one count for every write endpoint together, on top of the API's limit.
    Put above ``bp.arguments``."""
    from flask import current_app, request
    from werkzeug.exceptions import UnsupportedMediaType

    from .auth import require_write

    @functools.wraps(view)
    def scoped(*args, **kwargs):
        require_write()
        if not request.is_json:  # else read as no fields at all: "required" for each
            raise UnsupportedMediaType()
        return view(*args, **kwargs)

    return limiter.shared_limit(
        lambda: current_app.config.get("API_WRITE_RATE_LIMIT", "60/minute"),
        scope="api-write",
        key_func=_rate_key,
    )(scoped)


def init_app(app: Flask) -> None:
    # ``benefits`` and ``reports`` (the resources that read those packages' services) are
    # imported here, once the application is being built, not at the bottom of this module:
    # those packages import the exports and admin packages, and admin imports this one.
    from . import auth, benefits, docs, reports  # noqa: F401

    _config(app)
    app.session_interface = auth.ApiAwareSessionInterface()
    # First of all before-request functions: the session user must never reach an API request.
    app.before_request_funcs.setdefault(None, []).insert(0, auth.start_anonymous)
    csrf.exempt(bp)
    api.init_app(app)
    # Ids are 1 to MAX_ID (tracker.security.IdConverter): the description says so, so that a
    # client (and Schemathesis) knows that 0 or 2^63 names nothing.
    from ..security import MAX_ID, IdConverter

    api.register_converter(
        IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.register_blueprint(bp)
    app.register_blueprint(docs.bp)


def _setup_blueprint() -> None:
    """Once, at import: a blueprint is set up before any application registers it."""
    from flask import current_app

    from . import auth, conditional

    # One count per token for the whole API (a limit on a blueprint counts each route apart
    # unless shared), and one per address, so that made-up tokens (each its own key above)
    # cannot flood the log.
    limiter.shared_limit(
        lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_rate_key
    )(bp)
    limiter.shared_limit(
        lambda: current_app.config["API_ADDRESS_RATE_LIMIT"],
        scope="api-address",
        key_func=_address_key,
    )(bp)
    bp.before_request(auth.authenticate_request)
    bp.after_request(conditional.add_etag)
    bp.after_request(_link_header)
    register_errors()


def _link_header(response):
    link = g.get("api_link_header")
    if link and response.status_code in (200, 304):
        response.headers["Link"] = link
    return response


def register_errors() -> None:
    """Problem details for every error under /api/: the blueprint's own and unmatched URLs."""
    from ..initiatives.services import EditConflict, InitiativeError
    from ..portfolio.filters import FilterError
    from .auth import ApiAuthError, ScopeError
    from .conditional import PreconditionConflict

    @bp.errorhandler(ApiAuthError)
    def unauthorized(error: ApiAuthError):
        detail = None
        if error.reason != "missing":
            from flask_babel import lazy_gettext as _l

            detail = _l("The token is not valid: it may be mistyped, expired or revoked.")
        return problem(
            401,
            detail=detail,
            headers={
                "WWW-Authenticate": 'Bearer realm="api"'
                + ("" if error.reason == "missing" else ', error="invalid_token"')
            },
        )

    @bp.errorhandler(ScopeError)
    @bp.errorhandler(PermissionDenied)
    def forbidden(error):
        from flask import request
        from flask_login import current_user

        from .. import audit

        db.session.rollback()
        changes = {"path": request.path, "method": request.method, "via": "api"}
        if isinstance(error, ScopeError):
            from flask_babel import lazy_gettext as _l

            changes["reason"] = "read_only_token"
            detail = _l("The token may only read. Make a read-write token to change things.")
        else:
            detail = None
        token = g.get("api_token")
        if token is not None:
            changes["token_id"] = token.token_id
        audit.record(current_user, "access.denied", changes=changes)
        db.session.commit()
        return problem(403, detail=detail)

    @bp.errorhandler(EditConflict)
    @bp.errorhandler(PreconditionConflict)
    def conflict(error):
        from flask_babel import lazy_gettext as _l

        from .views import current_state

        initiative_id = error.current.id if isinstance(error, EditConflict) else error.initiative_id
        return problem(
            409,
            title=_l("Someone else has changed this"),
            detail=_l(
                "The initiative has changed since the version you sent. Its current state is in "
                "“current”; base your update on it and send it again."
            ),
            current=current_state(initiative_id),
        )

    @bp.errorhandler(InitiativeError)
    def invalid_update(error: InitiativeError):
        db.session.rollback()
        return problem(422, errors=[{"field": error.field, "message": error.message}])

    @bp.errorhandler(FilterError)
    def invalid_filter(error: FilterError):
        return problem(422, errors=[{"field": error.field, "message": error.message}])

    @bp.errorhandler(ValidationError)
    def invalid_schema(error: ValidationError):
        return problem(422, errors=flatten(error.messages))

    @bp.errorhandler(RateLimitExceeded)
    def rate_limited(_error):
        return _too_many()

    @bp.errorhandler(OperationalError)
    @bp.errorhandler(DBAPIError)
    def database_unavailable(_error):
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        return problem(503, headers={"Retry-After": "30"})

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return api_http_error(error)


def _too_many():
    from ..errors import retry_after

    return problem(429, headers={"Retry-After": retry_after()})


def api_http_error(error: HTTPException):
    """Called by tracker.errors for any HTTP error on an API path, too."""
    if isinstance(error, RateLimitExceeded):
        return _too_many()
    if error.code is None or error.code < 400:
        return error
    data = getattr(error, "data", None) or {}
    errors = flatten(data.get("messages")) if data.get("messages") else None
    if error.code == 400 and isinstance(getattr(error, "exc", None), ValueError):
        # webargs' "Invalid JSON body." (a JSONDecodeError or UnicodeDecodeError), in English
        # whatever the reader's language: said again in it.
        from flask_babel import lazy_gettext as _l

        errors = [{"field": "body", "message": _l("The body is not valid JSON.")}]
    headers = {}
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(error.code, errors=errors, headers=headers)


__all__ = ["CONTENT_TYPE", "NotFound", "bp", "init_app", "is_api_request"]

_setup_blueprint()
from . import views  # noqa: E402,F401
