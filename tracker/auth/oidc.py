"""Talking to the municipality's OpenID Connect provider (e.g. Microsoft Entra ID).

The authorization code flow with PKCE (S256), ``state`` and ``nonce``, through Authlib's Flask
client. Nothing in the ID token is trusted before it has been validated: its signature against the
provider's published keys (JWKS), the issuer (the one the discovery document names, which must
itself match the discovery URL), the audience (our client id; with several audiences, ``azp`` must
be ours), the expiry and the nonce of this sign-in.

Configuration (``TRACKER_`` prefix): ``OIDC_DISCOVERY_URL``, ``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET``, optional ``OIDC_SCOPES`` and ``OIDC_BUTTON_LABEL``; and
``PASSWORD_LOGIN`` = ``all`` | ``admins`` | ``off``.

Everything the provider can do wrong comes out of this module as an ``OidcError`` with a reason
code (for the audit log) and a message for the user; the views never see a library's exception.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError

from ..config import ConfigError

log = logging.getLogger("tracker.auth.oidc")

CLIENT_NAME = "municipality"
DEFAULT_SCOPES = "openid profile email"
PASSWORD_LOGIN_VALUES = ("all", "admins", "off")
METADATA_MAX_AGE = 24 * 3600
# The clock may differ a little between the provider and us; beyond this an ID token is expired.
LEEWAY_SECONDS = 60
NEXT_KEY = "oidc_next"
SIGNING_ALGORITHMS = "id_token_signing_alg_values_supported"
# Signatures with the provider's published (JWKS) keys; never "none", never the client secret.
ACCEPTED_ALGORITHMS = (
    *(f"{family}{bits}" for family in ("RS", "PS", "ES") for bits in (256, 384, 512)),
    "EdDSA",
    "Ed25519",
)
_HOST_PORT = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")


class OidcError(Exception):
    """The sign-in at the provider did not give us a user we can trust.

    ``reason`` is a short code for the audit log; ``title`` and ``message`` are for the user;
    ``status`` is the HTTP status of the page that says so."""

    def __init__(self, reason: str, title, message, status: int = 400, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.title = title
        self.message = message
        self.status = status
        self.detail = detail


PROVIDER_DOWN = (
    _l("The sign-in service cannot be reached"),
    _l(
        "The municipality's sign-in service did not answer. Try again in a few minutes. If it "
        "goes on, contact the IT service desk."
    ),
)
PROVIDER_NONSENSE = (
    _l("The sign-in service gave an answer we cannot use"),
    _l(
        "The municipality's sign-in service answered in a way this service cannot use, so you "
        "have not been signed in. Try again in a few minutes. If it goes on, contact the IT "
        "service desk."
    ),
)
SIGN_IN_BROKEN = (
    _l("The sign-in could not be completed"),
    _l(
        "The answer from the sign-in service did not belong to a sign-in started here, or it "
        "had already been used. Start again from the sign-in page."
    ),
)
TOKEN_INVALID = (
    _l("The sign-in could not be verified"),
    _l(
        "The proof of identity from the sign-in service could not be verified, so you have "
        "not been signed in. Start again from the sign-in page. If it goes on, contact the IT "
        "service desk."
    ),
)
PROVIDER_REFUSED = (
    _l("The sign-in service did not sign you in"),
    _l(
        "The sign-in was cancelled or refused at the municipality's sign-in service. Start "
        "again from the sign-in page if you want to try again."
    ),
)


@dataclass(frozen=True)
class SignIn:
    """A validated ID token: the claims we may now trust, and the token for the logout hint."""

    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str


# --- configuration ------------------------------------------------------------------------------


def configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_DISCOVERY_URL") and config.get("OIDC_CLIENT_ID"))


def password_login(app: Flask | None = None) -> str:
    """Who may sign in with a password: ``all``, ``admins`` (a break-glass account) or ``off``."""
    value = str((app or current_app).config.get("PASSWORD_LOGIN") or "all").strip().lower()
    return value if value in PASSWORD_LOGIN_VALUES else "all"


def button_label():
    """``TRACKER_OIDC_BUTTON_LABEL`` (or ``TRACKER_OIDC_LABEL``), else the translated default."""
    config = current_app.config
    label = config.get("OIDC_BUTTON_LABEL") or config.get("OIDC_LABEL")
    return str(label) if label else _l("Sign in with the municipality's account")


def sign_in_options() -> dict[str, Any]:
    """What the sign-in page offers; a template global."""
    return {
        "sso": configured(),
        "label": button_label() if configured() else None,
        "password": password_login(),
    }


def init_app(app: Flask) -> None:
    """Check the configuration and register the client. Called once, when ``auth`` is registered."""
    app.jinja_env.globals["sign_in_options"] = sign_in_options
    value = str(app.config.get("PASSWORD_LOGIN") or "all").strip().lower()
    if value not in PASSWORD_LOGIN_VALUES:
        raise ConfigError("TRACKER_PASSWORD_LOGIN must be one of: all, admins, off.")
    if value != "all" and not configured(app):
        raise ConfigError(
            f"TRACKER_PASSWORD_LOGIN={value} needs OpenID Connect: set "
            "TRACKER_OIDC_DISCOVERY_URL, TRACKER_OIDC_CLIENT_ID and TRACKER_OIDC_CLIENT_SECRET."
        )
    if not configured(app):
        return
    url = str(app.config["OIDC_DISCOVERY_URL"])
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(
            "TRACKER_OIDC_DISCOVERY_URL must be an https:// (or, for a test provider, http://)"
            " address."
        )
    if not app.config.get("OIDC_CLIENT_SECRET"):
        raise ConfigError("TRACKER_OIDC_CLIENT_SECRET is not set.")
    scopes = " ".join(
        str(app.config.get("OIDC_SCOPES") or DEFAULT_SCOPES).replace(",", " ").split()
    )
    if "openid" not in scopes.split():
        scopes = "openid " + scopes
    oauth = OAuth(app)
    oauth.register(
        name=CLIENT_NAME,
        client_id=str(app.config["OIDC_CLIENT_ID"]),
        client_secret=str(app.config["OIDC_CLIENT_SECRET"]),
        server_metadata_url=url,
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "default_timeout": float(app.config.get("OIDC_TIMEOUT_SECONDS") or 10),
        },
    )
    app.extensions["tracker_oidc"] = oauth
    app.after_request(_allow_provider_in_form_action)


def _client():
    return current_app.extensions["tracker_oidc"].create_client(CLIENT_NAME)


# --- the provider's metadata --------------------------------------------------------------------


def metadata() -> dict[str, Any]:
    """The provider's discovery document, loaded once a day, checked before it is used."""
    client = _client()
    loaded_at = client.server_metadata.get("_loaded_at")
    if loaded_at and time.time() - loaded_at > METADATA_MAX_AGE:
        client.server_metadata.clear()
    try:
        data = client.load_server_metadata()
    except requests.RequestException as error:
        client.server_metadata.clear()
        raise OidcError(
            "provider_unreachable", *PROVIDER_DOWN, status=503, detail=str(error)
        ) from error
    except (ValueError, TypeError) as error:  # not JSON, or JSON that is no object
        client.server_metadata.clear()
        raise OidcError(
            "provider_bad_metadata", *PROVIDER_NONSENSE, status=502, detail=str(error)
        ) from error
    problem = _metadata_problem(data)
    if problem:
        client.server_metadata.clear()
        raise OidcError("provider_bad_metadata", *PROVIDER_NONSENSE, status=502, detail=problem)
    return data


def _metadata_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "the discovery document is not a JSON object"
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = data.get(key)
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            return f"the discovery document has no usable {key}"
    expected = str(current_app.config["OIDC_DISCOVERY_URL"])
    if expected.rstrip("/") != data["issuer"].rstrip("/") + "/.well-known/openid-configuration":
        # OpenID Connect Discovery 1.0, section 4.3: the issuer must be the one asked for.
        return f"the issuer {data['issuer']!r} does not match the discovery URL"
    methods = data.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        return "the provider does not support PKCE with S256"
    # Authlib accepts an ID token signed with any algorithm the provider lists, "none" (no
    # signature at all) included. Only signatures with the provider's published keys count, so
    # the list is cut down to those before Authlib reads it (and is those when it is missing).
    algorithms = data.get(SIGNING_ALGORITHMS, list(ACCEPTED_ALGORITHMS))
    if not isinstance(algorithms, list):
        return f"the discovery document has no usable {SIGNING_ALGORITHMS}"
    usable = [alg for alg in algorithms if alg in ACCEPTED_ALGORITHMS]
    if not usable:
        return "the provider signs ID tokens with no algorithm this service accepts"
    data[SIGNING_ALGORITHMS] = usable
    return None


def provider_origins() -> list[str]:
    """Origins the browser is sent to from our forms (sign-in and sign-out), for the CSP."""
    urls = [str(current_app.config.get("OIDC_DISCOVERY_URL") or "")]
    client = _client()
    for key in ("authorization_endpoint", "end_session_endpoint"):
        value = client.server_metadata.get(key)
        if isinstance(value, str):
            urls.append(value)
    origins = []
    for url in urls:
        parts = urlsplit(url)
        # The metadata comes from outside: nothing but a host and port goes into the header.
        if parts.scheme in ("http", "https") and _HOST_PORT.fullmatch(parts.netloc):
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def _allow_provider_in_form_action(response):
    """Our sign-in and sign-out forms redirect to the provider; CSP's form-action must allow it.

    Runs before the security headers are added (after_request runs last-registered first), so
    the policy is the project's own with only form-action widened."""
    if "Content-Security-Policy" in response.headers or request.endpoint == "static":
        return response
    from ..security import CONTENT_SECURITY_POLICY

    allowed = " ".join(["'self'", *provider_origins()])
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action {allowed}"
    )
    return response


# --- the flow -----------------------------------------------------------------------------------


def redirect_uri() -> str:
    return url_for("auth.oidc_callback", _external=True)


def start(language: str | None):
    """The redirect to the provider's authorization endpoint. Authlib keeps the state, the PKCE
    verifier and our nonce in the session (signed cookie) until the callback."""
    metadata()
    extra = {"nonce": secrets.token_urlsafe(32)}
    if language:
        extra["ui_locales"] = language
    try:
        return _client().authorize_redirect(redirect_uri(), **extra)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        raise OidcError(
            "provider_bad_metadata", *PROVIDER_NONSENSE, status=502, detail=str(error)
        ) from error


def finish() -> SignIn:
    """Check the callback, exchange the code, validate the ID token; the trusted claims."""
    meta = metadata()
    if request.args.get("error"):
        raise OidcError(
            "provider_refused",
            *PROVIDER_REFUSED,
            status=403,
            detail=f"{request.args.get('error')[:100]}: "
            f"{(request.args.get('error_description') or '')[:300]}",
        )
    # RFC 9207: when the provider names itself in the response, it must be the one we asked.
    if request.args.get("iss") and request.args["iss"] != meta["issuer"]:
        raise OidcError("issuer_mismatch", *SIGN_IN_BROKEN, detail=request.args["iss"][:200])
    client = _client()
    client_id = str(current_app.config["OIDC_CLIENT_ID"])
    try:
        token = client.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": meta["issuer"]},
                "aud": {"essential": True, "value": client_id},
                "exp": {"essential": True},
                "sub": {"essential": True},
            },
            leeway=LEEWAY_SECONDS,
        )
    except MismatchingStateError as error:
        raise OidcError("state_mismatch", *SIGN_IN_BROKEN, detail=str(error)) from error
    except OAuthError as error:
        # The token endpoint refused the code: used already, expired, or not ours.
        raise OidcError(
            "token_refused", *SIGN_IN_BROKEN, detail=f"{error.error}: {error.description}"
        ) from error
    except JoseError as error:
        raise OidcError(
            "invalid_id_token", *TOKEN_INVALID, detail=f"{type(error).__name__}: {error}"
        ) from error
    except requests.RequestException as error:
        raise OidcError(
            "provider_unreachable", *PROVIDER_DOWN, status=503, detail=str(error)
        ) from error
    except (ValueError, KeyError, TypeError, RuntimeError) as error:
        raise OidcError(
            "provider_bad_answer",
            *PROVIDER_NONSENSE,
            status=502,
            detail=f"{type(error).__name__}: {error}",
        ) from error
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims or not isinstance(token.get("id_token"), str):
        # Authlib validates an ID token only when there is one: without it nothing is proven.
        raise OidcError("no_id_token", *TOKEN_INVALID, detail="the token response has no id_token")
    claims = dict(claims)
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise OidcError("invalid_id_token", *TOKEN_INVALID, detail=f"audience {audiences!r}")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise OidcError("invalid_id_token", *TOKEN_INVALID, detail="no usable sub")
    return SignIn(issuer=meta["issuer"], subject=subject, claims=claims, id_token=token["id_token"])


def logout_url(id_token: str | None) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it has none.

    Never raises: signing out here must work whatever the provider does."""
    try:
        meta = metadata()
        if not isinstance(meta.get("end_session_endpoint"), str):
            return None
        params = {"post_logout_redirect_uri": url_for("auth.login", _external=True)}
        if id_token:
            params["id_token_hint"] = id_token
        else:
            params["client_id"] = str(current_app.config["OIDC_CLIENT_ID"])
        return _client().create_logout_url(**params)["url"]
    except Exception:  # noqa: BLE001 - the local sign-out has happened; the provider's is a bonus
        log.warning(
            "no RP-initiated logout: the provider's end_session_endpoint is unusable", exc_info=True
        )
        return None
