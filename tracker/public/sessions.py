"""No session and no cookie under ``/public`` (nor for ``/healthz``): residents are not tracked
(and the pages may be cached by anyone). The session of a signed-in visitor is neither read nor
refreshed there."""

from __future__ import annotations

from flask import Flask

from ..api.auth import ApiAwareSessionInterface

PREFIX = "/public"
# Monitors call /healthz often and need no one's session: neither loading the user nor
# re-signing the cookie, so that it measures the server and the database, nothing else.
SESSIONLESS = frozenset({"/healthz"})


def is_public_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _sessionless(path: str) -> bool:
    return path in SESSIONLESS or is_public_path(path)


class PublicAwareSessionInterface(ApiAwareSessionInterface):
    """No session under /public, none under /api/ (the API's rule), the usual one elsewhere."""

    def open_session(self, app, request):
        if _sessionless(request.path):
            # An empty session that refuses writes: nothing can be stored, nothing is sent.
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if _sessionless(_path()):
            return None
        return super().save_session(app, session, response)

    def get_cookie_secure(self, app) -> bool:
        """Secure with TRACKER_HTTPS, and for any request that came over HTTPS (ASVS 3.3.1):
        the HSTS header goes out then too, and the cookie must not travel in clear text."""
        from flask import has_request_context, request

        secure = super().get_cookie_secure(app)
        return secure or (has_request_context() and request.is_secure)


def _path() -> str:
    from flask import request

    return request.path


def init_app(app: Flask) -> None:
    app.session_interface = PublicAwareSessionInterface()
