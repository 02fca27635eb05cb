"""The audit log, read-only."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from ... import audit_labels
from .. import bp
from ..forms import AuditFilterForm
from ..services import audit_log as services
from . import page_number, select_id


@bp.get("/audit")
def audit_log():
    form = AuditFilterForm(
        request.args,
        actors=services.actors(current_user),
        actions=services.actions(current_user),
    )
    form.validate()
    pagination = services.events(
        current_user,
        actor_id=select_id(form.actor.data) if not form.actor.errors else None,
        action=form.action.data if not form.action.errors else "",
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        page=page_number(request.args.get("page")),
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    names = audit_labels.load_names(pagination.items)
    return render_template(
        "admin/audit_log.html", form=form, pagination=pagination, args=args, names=names
    )
