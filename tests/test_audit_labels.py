"""The audit trail in words: every action the code can write, and every field it records, has a
label in both languages; the audit log and the change history show names, never codes."""

from __future__ import annotations

import ast
import html as html_lib
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from tracker import audit_labels
from tracker.extensions import db
from tracker.models import DecisionKind
from tracker.portfolio.decisions import DecisionData, record_decision

from . import factories
from .conftest import csrf_from

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"


# --- reading the code for what it writes ---------------------------------------------------------


class _Module:
    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text("utf-8"))
        self.functions = {n.name: n for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef)}
        self.constants = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.constants[target.id] = node.value
        self.parents = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def enclosing_function(self, node):
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None


def _strings(node) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _keys(node, module: _Module, function, depth: int = 0) -> set[str]:
    """The keys a dict-valued expression can have, as far as the code says."""
    if node is None or depth > 6:
        return set()
    if isinstance(node, ast.Dict):
        keys = set()
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                keys |= _keys(value, module, function, depth + 1)
            elif isinstance(key, ast.Constant):
                keys.add(key.value)
        return keys
    if isinstance(node, ast.DictComp):
        generator = node.generators[0]
        source = generator.iter
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
            return _keys(source.func.value, module, function, depth + 1)  # x.items()
        if isinstance(source, ast.Name) and source.id in module.constants:
            return _strings(module.constants[source.id])
        return set()
    if isinstance(node, ast.BoolOp):
        return set().union(*(_keys(v, module, function, depth + 1) for v in node.values))
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "diff":
            return set().union(*(_keys(a, module, function, depth + 1) for a in node.args))
        if name in module.functions:
            target = module.functions[name]
            returns = [n.value for n in ast.walk(target) if isinstance(n, ast.Return)]
            return set().union(*(_keys(r, module, target, depth + 1) for r in returns))
        return set()
    if isinstance(node, ast.Name) and function is not None:
        keys = set()
        for n in ast.walk(function):
            if isinstance(n, ast.Assign):
                for target in n.targets:
                    if isinstance(target, ast.Name) and target.id == node.id:
                        keys |= _keys(n.value, module, function, depth + 1)
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == node.id
                        and isinstance(target.slice, ast.Constant)
                    ):
                        keys.add(target.slice.value)
        return keys
    return set()


def _record_calls():
    """(module, call) for every call of audit.record in the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "audit.py" and path.parent == PACKAGE:
            continue
        module = _Module(path)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                func = node.func
                is_record = (
                    isinstance(func, ast.Attribute)
                    and func.attr == "record"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "audit"
                ) or (isinstance(func, ast.Name) and func.id == "record")
                if is_record and len(node.args) >= 2:
                    yield module, node


def _actions_and_fields() -> tuple[set[str], set[str]]:
    actions, fields = set(), set()
    for module, call in _record_calls():
        function = module.enclosing_function(call)
        action = call.args[1]
        if isinstance(action, ast.Name):  # action = "a" if … else "b"
            found = _strings_assigned(action.id, function)
            assert found, f"{module.path}: cannot read the action {action.id}"
            actions |= found
        else:
            found = _strings(action)
            assert found, f"{module.path}:{call.lineno}: the action is not a literal"
            actions |= found
        changes = call.args[3] if len(call.args) > 3 else None
        for keyword in call.keywords:
            if keyword.arg == "changes":
                changes = keyword.value
        fields |= _keys(changes, module, function)
    return actions, fields


def _strings_assigned(name: str, function) -> set[str]:
    found = set()
    for n in ast.walk(function):
        if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in n.targets
        ):
            found |= _strings(n.value)
    return found


@pytest.mark.database_independent
def test_the_code_reader_finds_what_the_code_writes():
    actions, fields = _actions_and_fields()
    # Spot checks across the ways the code builds its events.
    assert {"auth.login", "principle.retire", "user.deactivate", "initiative.decision"} <= actions
    assert {"decided_on", "co_owner_ids", "name_sv", "stale_days", "percent", "reason"} <= fields
    assert len(actions) >= 35


def _swedish():
    po = ROOT / "tracker/translations/sv/LC_MESSAGES/messages.po"
    with open(po, "rb") as f:
        return {m.id: m.string for m in read_po(f, locale="sv") if m.id}


@pytest.mark.database_independent
def test_every_action_the_code_writes_has_a_label_in_both_languages():
    actions, _fields = _actions_and_fields()
    assert sorted(actions - set(audit_labels.ACTIONS)) == []
    swedish = _swedish()
    for action in actions:
        label = audit_labels.ACTIONS[action]._args[0]
        assert label != action and "." not in label
        assert swedish.get(label), f"no Swedish label for {action} ({label})"


@pytest.mark.database_independent
def test_every_field_the_code_records_has_a_label_in_both_languages():
    _actions, fields = _actions_and_fields()
    assert sorted(fields - set(audit_labels.FIELDS)) == []
    swedish = _swedish()
    for name in fields:
        label = audit_labels.FIELDS[name]._args[0]
        assert swedish.get(label), f"no Swedish label for the field {name}"


# --- what the pages show -----------------------------------------------------------------------


def test_audit_log_shows_names_not_codes(client, auth, org):
    auth.login(org.admin.email)
    client.get("/exports/initiatives.csv?committee=KS&status=in_progress")
    page = client.get("/admin/users/new").get_data(as_text=True)
    client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_from(page),
            "name": "Greta Gran",
            "email": "greta@example.se",
            "role": "manager",
            "department": str(org.departments[1].id),
            "committee": "",
        },
    )
    for lang, expected in (
        (
            "sv",
            [
                "Inloggad",
                "Användare: Ada Admin",
                "Nämnd: Kommunstyrelsen",
                "Status: Pågående",
                "Roll: Chef",
                "Avdelning: HR-avdelningen",
                "Statuslistan exporterades",
            ],
        ),
        (
            "en",
            [
                "Signed in",
                "User: Ada Admin",
                "Committee: Kommunstyrelsen",
                "Status: In progress",
                "Status list exported",
            ],
        ),
    ):
        html = client.get(f"/admin/audit?lang={lang}").get_data(as_text=True)
        text = " ".join(re.sub(r"<[^>]+>", " ", html_lib.unescape(html)).split())
        text = text.replace(" :", ":")
        for code in (
            "auth.login",
            "user_account",
            "export.initiatives",
            "{'committee",
            "user.create",
            " manager ",
        ):
            assert code not in text, f"{code} shown in the audit log ({lang})"
        for expected_text in expected:
            assert expected_text in text, f"{expected_text!r} missing from the audit log ({lang})"
    # The action filter offers labels too.
    html = client.get("/admin/audit?lang=sv").get_data(as_text=True)
    assert '<option value="auth.login">Inloggad</option>' in html


def test_change_history_shows_labels(client, auth, org):
    initiative = factories.make_initiative(org.manager, updates=1)
    record_decision(
        org.management,
        initiative,
        DecisionData(decided_on=date.today(), meeting="KLG", kind=DecisionKind.SUPPORT, text="Ja"),
    )
    db.session.commit()
    auth.login(org.management.email)
    html = client.get(f"/initiatives/{initiative.id}?lang=sv").get_data(as_text=True)
    history = html[html.index('id="history"') :]
    assert "initiative.decision" not in history and "decision_id" not in history
    assert "decided_on" not in history and "Beslut registrerat" in history
    assert "Beslutsdatum, Möte, Typ av beslut" in history


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("role", "committee", "Nämnd"),
        ("health", "at_risk", "Risk"),
        ("kind", "support", "Stöd ges"),
        ("active", [True, False], "Ja → Nej"),
        ("department", "IT", "IT-avdelningen"),
        ("committee", "BUN", "Barn- och utbildningsnämnden"),
        ("language", ["sv", "en"], "Svenska → English"),
    ],
)
def test_values_are_shown_as_names(app, org, key, value, expected):
    with app.test_request_context("/?lang=sv"):
        from flask import session

        session["lang"] = "sv"

        class Event:
            entity_type = None
            entity_id = None
            changes = {key: value}

        names = audit_labels.load_names([Event])
        assert audit_labels.change_rows(Event, names) == [(audit_labels.field_label(key), expected)]


def test_an_owner_is_labelled_by_its_record_and_named(app, org, count_queries):
    """``owner_id`` is an initiative's owner in an initiative's event and the benefit owner in a
    benefit's; either way the values are the users' names, loaded in one query for all events."""

    def event(entity_type, old, new):
        return type(
            "Event",
            (),
            {
                "entity_type": entity_type,
                "entity_id": None,
                "action": f"{entity_type}.update",
                "changes": {"owner_id": [old, new]},
            },
        )

    a, b, c = org.other_manager.id, org.manager.id, org.management.id
    events = [event("initiative", a, b), event("benefit", b, c), event("initiative", c, a)]
    for lang, owner, benefit_owner in (("sv", "Ägare", "Nyttoägare"), ("en", "Owner", None)):
        with app.test_request_context("/"), force_locale(lang):
            with count_queries() as counter:
                names = audit_labels.load_names(events)
            user_queries = [q for q in counter.statements if "user_account" in q]
            assert len(user_queries) == 1
            rows = [audit_labels.change_rows(e, names) for e in events]
            assert rows[0] == [(owner, "Rolf Rektor → Cecilia Chef")]
            assert rows[1][0][1] == "Cecilia Chef → Lena Ledning"
            if benefit_owner:
                assert rows[1][0][0] == benefit_owner
            assert rows[2] == [(owner, "Lena Ledning → Rolf Rektor")]


def test_a_deleted_initiative_is_named_in_the_audit_log(client, auth, org):
    """After an admin deletes an initiative, its events still say which one it was: the title
    its deletion recorded (was "Initiativ 7")."""
    initiative_id = factories.make_initiative(org.manager, title="Digital brevlåda", updates=1).id
    db.session.commit()
    auth.login(org.admin.email)
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    token = csrf_from(page)
    assert (
        client.post(f"/initiatives/{initiative_id}/archive", data={"csrf_token": token}).status_code
        == 303
    )
    deleted = client.post(
        f"/initiatives/{initiative_id}/delete", data={"csrf_token": token, "reason": "Dubblett"}
    )
    assert deleted.status_code == 303
    html = client.get("/admin/audit?lang=sv").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", html_lib.unescape(html)).split()).replace(" :", ":")
    assert "Borttaget Initiativ: Digital brevlåda" in text
    assert "Arkiverat Initiativ: Digital brevlåda" in text
    assert f"Initiativ {initiative_id} " not in text


def test_a_periods_meetings_are_named_by_committee_with_date_and_dnr(app, org):
    """A changed period showed its meetings as a Python dict keyed by committee id (found by
    review)."""
    ks, bun = org.committees
    old = {str(ks.id): ["2026-05-20", "KS 2026/17"], str(bun.id): ["2026-05-21", ""]}
    new = {str(ks.id): ["2026-05-27", "KS 2026/18"], str(bun.id): [None, ""]}
    with app.test_request_context("/?lang=sv"):

        class Event:
            entity_type = "reporting_period"
            entity_id = None
            action = "period.update"
            changes = {"meetings": [old, new]}

        names = audit_labels.load_names([Event])
        [(label, text)] = audit_labels.change_rows(Event, names)
    assert "{" not in text and "[" not in text
    before, after = text.split(" → ")
    assert f"{ks.name}: 2026-05-20 (KS 2026/17)" in before and f"{bun.name}: 2026-05-21" in before
    assert f"{ks.name}: 2026-05-27 (KS 2026/18)" in after and f"{bun.name}: –" in after
