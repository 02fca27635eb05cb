"""Thin views for publishing (signed in): propose, approve, withdraw, and the admin's settings."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import conflicts
from ..extensions import db
from ..initiatives import services as initiative_services
from ..models import Initiative, User
from ..permissions import (
    can_approve_publication,
    can_propose_publication,
    can_set_publication_settings,
    require,
)
from . import publishing_bp as bp
from . import services
from .forms import DecideForm, ProposeForm, PublicationSettingsForm


def _user() -> User:
    return current_user._get_current_object()


def panel(initiative: Initiative, user: User, form: ProposeForm | None = None) -> dict:
    """What the publication section of an initiative's page shows (a template global)."""
    publication = services.publication_of(initiative)
    rules = services.allowed()
    if form is None:
        form = ProposeForm(
            formdata=None, public_summary=publication.public_summary if publication else ""
        )
    return {
        "publication": publication,
        "is_public": services.is_public(initiative, publication, rules),
        "may_propose": can_propose_publication(user, initiative),
        "may_approve": can_approve_publication(user),
        "may_withdraw": services.may_withdraw(user, initiative),
        "form": form,
        "decide_form": DecideForm(formdata=None),
    }


@bp.record_once
def template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        publication_panel=panel, publication_proposals_waiting=services.proposals_waiting
    )


def _page(initiative: Initiative, form: ProposeForm | None = None, status: int = 200):
    return (
        render_template(
            "public/publication.html",
            initiative=initiative,
            pub=panel(initiative, _user(), form),
        ),
        status,
    )


def _back(initiative: Initiative):
    return redirect(url_for("initiatives.show", initiative_id=initiative.id) + "#publication", 303)


@bp.get("/publication/proposals")
@login_required
def proposals():
    """The initiatives proposed for the public pages, for the management group to decide on."""
    return render_template("public/proposals.html", proposals=services.proposals(_user()))


@bp.get("/initiatives/<int:initiative_id>/publication")
@login_required
def show(initiative_id: int):
    return _page(initiative_services.get_initiative(_user(), initiative_id))


@bp.post("/initiatives/<int:initiative_id>/publication/propose")
@login_required
def propose(initiative_id: int):
    user = _user()
    initiative = initiative_services.get_initiative(user, initiative_id)
    require(can_propose_publication(user, initiative))
    form = ProposeForm()
    if form.validate():
        try:
            after = services.propose(user, initiative, form.public_summary.data or "")
        except services.PublicationError as error:
            db.session.rollback()
            form.public_summary.errors = [*form.public_summary.errors, error.message]
        else:
            db.session.commit()
            if after.revision_waits:  # said beside the form too (_publication.html)
                message = _(
                    "The new summary has been proposed. Residents see the approved summary "
                    "until the management group approves the new one."
                )
            else:
                message = _("The initiative has been proposed for publication.")
            flash(message, "success")
            return _back(initiative)
    db.session.rollback()
    return _page(initiative, form, 422)


def _decide(initiative_id: int, step, message: str):
    user = _user()
    initiative = initiative_services.get_initiative(user, initiative_id)
    form = DecideForm()
    if form.validate():
        try:
            step(user, initiative)
        except services.PublicationError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _page(initiative, status=409)
        db.session.commit()
        flash(message, "success")
    return _back(initiative)


@bp.post("/initiatives/<int:initiative_id>/publication/approve")
@login_required
def approve(initiative_id: int):
    return _decide(initiative_id, services.approve, _("The initiative is now on the public page."))


@bp.post("/initiatives/<int:initiative_id>/publication/withdraw")
@login_required
def withdraw(initiative_id: int):
    return _decide(
        initiative_id, services.withdraw, _("The initiative has been taken off the public page.")
    )


@bp.route("/admin/publication", methods=["GET", "POST"])
@login_required
def settings():
    user = _user()
    require(can_set_publication_settings(user))
    current = services.allowed()
    form = PublicationSettingsForm(
        publish_all_active=current.publish_all_active,
        show_cost=current.show_cost,
        show_owner=current.show_owner,
    )
    if not form.is_submitted():
        form.version.data = services.allowed_version()
    if form.validate_on_submit():
        try:
            services.set_allowed(
                user,
                services.Allowed(
                    bool(form.publish_all_active.data),
                    bool(form.show_cost.data),
                    bool(form.show_owner.data),
                ),
                expected_version=conflicts.posted_version(form),
            )
        except conflicts.StaleVersion as error:
            db.session.rollback()
            saved = conflicts.answer(
                form, asdict(services.allowed()), services.allowed_version(), error.message
            )
            return render_template("public/settings.html", form=form, saved=saved), 409
        db.session.commit()
        flash(_("The settings for the public pages have been saved."), "success")
        return redirect(url_for(".settings"), 303)
    return render_template("public/settings.html", form=form)
