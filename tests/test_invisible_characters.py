"""Invisible characters that carry nothing are dropped at input; other control characters are
refused by name.

Text pasted from Word or a web page, or stored before the rule (or imported), can hold a
zero-width space (U+200B), a word joiner (U+2060) or a byte order mark (U+FEFF). Nobody can see
them, so nobody should have to find them: every text field drops them, from what is typed and from
the stored value its form shows, and so do the API and the import. Everything else the user wrote
is kept exactly; a NUL, a bell or another control character is still refused with its code point,
and what was typed is kept for them to correct.
"""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, Health, Initiative, Status, StatusUpdate
from tracker.validators import INVISIBLE_CHARACTERS, has_control_characters, strip_invisible

from . import factories
from .conftest import csrf_from
from .resilience_support import form_fields
from .test_maturity import initiative_form

ZWSP, WJ, BOM = "\u200b", "\u2060", "\ufeff"
# What must survive exactly: spaces at either end and twice, tab and line breaks, a soft hyphen,
# an emoji joined by ZWJ, Persian with a ZWNJ, a combining accent, Swedish letters.
VISIBLE = (
    "  Verksamhets\u00adutveckling  \U0001f469\u200d\U0001f4bb\t"
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 Cafe\u0301 åäö "
)


def _post(client, path, data, token_page):
    token = csrf_from(client.get(token_page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_strip_invisible_drops_those_three_and_keeps_everything_else():
    assert {ZWSP, WJ, BOM} == INVISIBLE_CHARACTERS
    assert strip_invisible(VISIBLE) == VISIBLE
    mixed = f"{BOM}Rad{ZWSP} ett\r\n{WJ}rad\ttvå{ZWSP}{ZWSP}"
    assert strip_invisible(mixed) == "Rad ett\r\nrad\ttvå"
    assert strip_invisible(None) is None and strip_invisible("") == "" and strip_invisible(5) == 5
    # The check itself is unchanged: it still sees them, for text that was not filtered first.
    assert has_control_characters(f"a{ZWSP}b") and not has_control_characters(VISIBLE, True)


@pytest.fixture
def stored(org):
    """An initiative saved before the rule: invisible characters in its title and purpose."""
    initiative = factories.make_initiative(
        org.manager,
        principles=org.principles[:1],
        updates=1,
        status=Status.IN_PROGRESS,
        health=Health.ON_TRACK,
        title=f"{BOM}Digital{ZWSP} post",
        purpose=f"Färre brev{ZWSP} på papper.\nRad{BOM} två{WJ}.",
    )
    db.session.commit()
    return initiative


def test_a_stored_text_with_invisible_characters_opens_and_saves_unchanged(
    org, client, auth, stored
):
    auth.login(org.manager.email)
    page = client.get(f"/initiatives/{stored.id}/edit")
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True), must_have="title")
    assert fields["title"] == "Digital post"  # shown without them: nothing to find
    response = client.post(f"/initiatives/{stored.id}/edit", data=fields)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    db.session.rollback()
    saved = db.session.get(Initiative, stored.id)
    assert saved.title == "Digital post"
    assert saved.purpose.replace("\r\n", "\n") == "Färre brev på papper.\nRad två."


def test_the_same_form_posted_with_the_stored_characters_is_saved_without_them(
    org, client, auth, stored
):
    """A browser that sends the stored text back as it was (a form drawn before the rule, a
    restored draft): saved, without them."""
    auth.login(org.manager.email)
    page = client.get(f"/initiatives/{stored.id}/edit").get_data(as_text=True)
    fields = form_fields(page, must_have="title")
    fields["title"] = f"{BOM}Digital{ZWSP} post"
    fields["purpose"] = f"Färre brev{ZWSP} på papper.\nRad{BOM} två{WJ}."
    response = client.post(f"/initiatives/{stored.id}/edit", data=fields)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    db.session.rollback()
    saved = db.session.get(Initiative, stored.id)
    assert (saved.title, saved.purpose) == ("Digital post", "Färre brev på papper.\nRad två.")
    assert ZWSP not in saved.title and BOM not in saved.purpose


def test_typed_invisible_characters_are_accepted_and_dropped_and_the_rest_kept(org, client, auth):
    auth.login(org.manager.email)
    title = f"{ZWSP}Bra{WJ} titel{BOM}"
    purpose = f"{BOM}{VISIBLE}{ZWSP}"
    data = initiative_form(org, title=title, purpose=purpose)
    response = _post(client, "/initiatives", data, "/initiatives/new")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    saved = db.session.scalar(select(Initiative))
    assert saved.title == "Bra titel"
    assert saved.purpose.strip() == VISIBLE.strip()  # the service trims the ends, as before
    assert VISIBLE.strip() in saved.purpose
    # A status update's texts are text fields too.
    token = csrf_from(client.get(f"/initiatives/{saved.id}").get_data(as_text=True))
    update = {
        "status": "in_progress",
        "health": "on_track",
        "progress": "10",
        "happened": f"Möte{ZWSP} hållet",
        "csrf_token": token,
    }
    assert client.post(f"/initiatives/{saved.id}/updates", data=update).status_code == 303
    db.session.rollback()
    happened = db.session.scalar(
        select(StatusUpdate.happened).where(StatusUpdate.initiative_id == saved.id)
        .order_by(StatusUpdate.id.desc()).limit(1)
    )  # fmt: skip
    assert happened == "Möte hållet"


@pytest.mark.parametrize("character", ["\x00", "\x07"])
def test_other_control_characters_are_still_refused_by_name_with_the_input_kept(
    org, client, auth, character
):
    auth.login(org.manager.email)
    client.get("/accessibility?lang=sv")
    title = f"Bra{character}titel"
    purpose = f"Syfte{ZWSP} med{character} klocka"
    response = _post(
        client,
        "/initiatives",
        initiative_form(org, title=title, purpose=purpose),
        "/initiatives/new",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    code_point = f"U+{ord(character):04X}"
    assert f"Ta bort de osynliga kontrolltecknen ur texten ({code_point})." in page
    assert "U+200B" not in page  # the dropped one is neither named nor an error
    fields = form_fields(page, must_have="title")
    assert fields["title"] == title  # kept for them to correct
    assert fields["purpose"].strip() == f"Syfte med{character} klocka"
    assert db.session.scalar(select(Initiative.id)) is None


def test_a_refused_edit_of_a_stored_text_keeps_what_was_typed(org, client, auth, stored):
    auth.login(org.manager.email)
    page = client.get(f"/initiatives/{stored.id}/edit").get_data(as_text=True)
    fields = form_fields(page, must_have="title")
    fields["title"] = "Digital\x07 post"
    response = client.post(f"/initiatives/{stored.id}/edit", data=fields)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "(U+0007)" in body and html.escape("Digital\x07 post") in body
    db.session.rollback()
    assert db.session.get(Initiative, stored.id).title == f"{BOM}Digital{ZWSP} post"
    assert (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "initiative.update"))
        is None
    )


def test_the_api_and_the_import_drop_them_too(org, client, app):
    from tracker.api.schemas import Text
    from tracker.imports.sheet import _cell

    with app.test_request_context():
        assert Text().deserialize(f"a{ZWSP}b{BOM}") == "ab"
        assert Text(multiline=True).deserialize(f"rad{WJ}\nett") == "rad\nett"
        with pytest.raises(Exception, match="Control characters|Styrtecken"):
            Text().deserialize(f"a{ZWSP}\x07b")
    assert _cell([f" {BOM}KS{ZWSP} "], 0) == "KS"
