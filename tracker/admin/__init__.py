"""Administration: users, the organisation, principles, settings and the audit log. Admins only.

Every service checks the right again; the guard here also answers 403 for pages that only read.
"""

from flask import Blueprint
from flask_login import current_user

from ..extensions import login_manager
from ..permissions import can_administer, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def only_admins():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(can_administer(current_user))
    return None


from .views import (  # noqa: E402,F401
    audit_log,
    organisation,
    principles,
    settings,
    sso,
    tokens,
    user_import,
    users,
)
