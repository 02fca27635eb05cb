"""The shapes of the API: marshmallow schemas that validate input and describe every response in
the OpenAPI description. Field names are English codes; labels come in the user's language."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from ..initiatives.services import LONG_TEXT_LIMIT
from ..models import DecisionKind, Health, Status
from ..validators import has_control_characters, strip_invisible
from .doc_text import N_

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1

MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field may not be empty (null)."),
    "invalid": _l("Not a valid value."),
    "unknown": _l("Unknown field."),
}


def _messages(**extra):
    return {**MESSAGES, **extra}


class Text(fields.String):
    """A string without control characters, by the forms' rule (a line break is allowed in long
    texts); as there, the invisible characters that carry nothing are dropped first."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        kwargs.setdefault("error_messages", _messages())
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = strip_invisible(super()._deserialize(value, attr, data, **kwargs))
        if has_control_characters(text, multiline=self.multiline):
            raise ma.ValidationError(str(_l("Control characters are not allowed.")))
        return text


class WholeNumber(fields.Integer):
    """A whole number, also as text (a query parameter is one): 1.5 or true is refused, not cut
    down to 1."""

    def _validated(self, value):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def Int(**kwargs):  # noqa: N802 - a field factory reads like a field class
    kwargs.setdefault("error_messages", _messages(invalid=_l("Enter a whole number.")))
    return WholeNumber(strict=False, **kwargs)


def id_range(lowest: int = 1) -> validate.Range:
    """An id (or a version) the database can hold, with the message in the reader's language."""
    return validate.Range(
        lowest,
        MAX_ID,
        error=_l("Enter a whole number from %(min)d to %(max)d.", min=lowest, max=MAX_ID),
    )


def max_length(limit: int) -> validate.Length:
    return validate.Length(max=limit, error=_l("At most %(max)d characters.", max=limit))


def choice(enum_cls, **kwargs):
    values = [m.value for m in enum_cls]
    return Text(
        validate=validate.OneOf(
            values, error=_l("Choose one of: %(values)s", values=", ".join(values))
        ),
        metadata={"enum": values},
        **kwargs,
    )


class Schema(ma.Schema):
    # The schema's own refusals in the reader's language too: a field nobody asked for, and a
    # body that is not a JSON object (a list, a string).
    error_messages = {  # noqa: RUF012 - marshmallow's own convention
        "unknown": MESSAGES["unknown"],
        "type": _l("Send a JSON object."),
    }

    class Meta:
        ordered = True


# --- problems --------------------------------------------------------------------------------


class FieldProblemSchema(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(
        required=True, metadata={"description": N_("A URI that names the problem.")}
    )
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldProblemSchema))
    current = fields.Dict(
        metadata={"description": N_("On 409: the record as it is now.")},
    )


# --- paging ----------------------------------------------------------------------------------


class PageArgs(Schema):
    class Meta:
        ordered = True
        unknown = ma.EXCLUDE

    page = Int(
        load_default=1,
        validate=validate.Range(1, MAX_PAGE, error=_l("Enter a page between 1 and 100000.")),
        metadata={"description": N_("Page number, from 1.")},
    )
    per_page = Int(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(1, MAX_PER_PAGE, error=_l("Enter a page size between 1 and 200.")),
        metadata={"description": N_("Items per page (1–200).")},
    )


class LinksSchema(Schema):
    self_ = fields.String(data_key="self", required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    next = fields.String(allow_none=True, required=True)
    prev = fields.String(allow_none=True, required=True)


def list_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """A page of ``item_schema``: the items, how many there are in all, and links to pages."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(
                required=True, metadata={"description": N_("Items in all pages.")}
            ),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "pages": fields.Integer(required=True),
            "links": fields.Nested(LinksSchema, required=True),
        },
        name=name,
    )


# --- organisation ----------------------------------------------------------------------------


class CommitteeSchema(Schema):
    id = fields.Integer(required=True)
    short_name = fields.String(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)


class DepartmentSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    committee = fields.String(required=True, metadata={"description": N_("The committee's code.")})
    parent = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)


class PrincipleSchema(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": N_("In the user's language.")})
    name_sv = fields.String(required=True)
    name_en = fields.String(required=True)
    description = fields.String(required=True)
    retired = fields.Boolean(required=True)


# --- initiatives -----------------------------------------------------------------------------


class InitiativeArgs(PageArgs):
    committee = Text(metadata={"description": N_("Committee code, e.g. KS.")})
    department = Text(metadata={"description": N_("Department code.")})
    principle = Text(metadata={"description": N_("Principle key.")})
    status = fields.List(choice(Status), metadata={"description": N_("May repeat.")})
    health = fields.List(choice(Health), metadata={"description": N_("May repeat.")})
    stale = fields.Boolean(
        metadata={"description": N_("Only initiatives without a recent status update.")},
        error_messages=_messages(invalid=_l("Use true or false.")),
    )
    q = Text(metadata={"description": N_("Text searched in title and purpose.")})
    sort = Text(
        validate=validate.OneOf(
            [
                f"{d}{k}"
                for k in ("title", "department", "status", "health", "progress", "updated")
                for d in ("", "-")
            ],
            error=_l("Unknown sort order."),
        ),
        metadata={"description": N_("A column, with - for descending. Default -updated.")},
    )


class PrincipleLinkSchema(Schema):
    principle = fields.String(required=True, metadata={"description": N_("The principle's key.")})
    name = fields.String(required=True)
    motivation = fields.String(required=True)


class InitiativeSummarySchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    department = fields.String(required=True, metadata={"description": N_("Department code.")})
    committee = fields.String(required=True, metadata={"description": N_("Committee code.")})
    owner = fields.String(required=True, metadata={"description": N_("The owner's name.")})
    status = fields.String(required=True, metadata={"enum": [s.value for s in Status]})
    status_label = fields.String(required=True)
    health = fields.String(required=True, metadata={"enum": [h.value for h in Health]})
    health_label = fields.String(required=True)
    progress = fields.Integer(required=True)
    stale = fields.Boolean(required=True)
    support_requested = fields.Boolean(required=True)
    last_update_at = fields.DateTime(allow_none=True, required=True)
    principles = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)
    url = fields.String(required=True)


class InitiativeSchema(InitiativeSummarySchema):
    purpose = fields.String(required=True)
    benefit = fields.String(required=True)
    target_group = fields.String(required=True)
    co_owners = fields.List(fields.String(), required=True)
    start_date = fields.Date(allow_none=True, required=True)
    target_date = fields.Date(allow_none=True, required=True)
    funding_source = fields.String(required=True)
    cost_estimate = fields.Integer(allow_none=True, required=True)
    risks = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    principle_links = fields.List(fields.Nested(PrincipleLinkSchema), required=True)


class StatusUpdateSchema(Schema):
    id = fields.Integer(required=True)
    initiative_id = fields.Integer(required=True)
    author = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in Status]})
    status_label = fields.String(required=True)
    health = fields.String(required=True, metadata={"enum": [h.value for h in Health]})
    health_label = fields.String(required=True)
    progress = fields.Integer(required=True)
    happened = fields.String(required=True)
    next_steps = fields.String(required=True)
    support_needed = fields.String(required=True)


class NewStatusUpdateSchema(Schema):
    """A new status update. ``version`` is the initiative's ``version`` the report is based on:
    when someone has edited the initiative's details since, the answer is 409 with its current
    state. The version counts edits, not status updates; to be refused also when someone else
    has posted a status update since, send ``If-Match`` with the initiative's ETag."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    status = choice(Status, required=True)
    health = choice(Health, required=True)
    progress = Int(
        required=True,
        validate=validate.Range(0, 100, error=_l("Progress must be between 0 and 100.")),
    )
    happened = Text(multiline=True, load_default="", validate=max_length(LONG_TEXT_LIMIT))
    next_steps = Text(multiline=True, load_default="", validate=max_length(LONG_TEXT_LIMIT))
    support_needed = Text(multiline=True, load_default="", validate=max_length(LONG_TEXT_LIMIT))
    version = Int(
        validate=id_range(0),
        metadata={
            "description": N_(
                "Optional. The initiative's version (it counts edits of its details, "
                "not status updates): 409 when it has been edited since. For any change, another "
                "status update included, send If-Match with the initiative's ETag."
            )
        },
    )


class DecisionArgs(PageArgs):
    initiative = Int(validate=id_range(), metadata={"description": N_("Only this initiative's.")})


class DecisionSchema(Schema):
    id = fields.Integer(required=True)
    initiative_id = fields.Integer(required=True)
    decided_on = fields.Date(required=True)
    meeting = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in DecisionKind]})
    kind_label = fields.String(required=True)
    summary = fields.String(required=True)
    comment = fields.String(required=True)
    author = fields.String(required=True)
    created_at = fields.DateTime(required=True)


# --- the dashboard ---------------------------------------------------------------------------


class DashboardArgs(Schema):
    class Meta:
        ordered = True
        unknown = ma.EXCLUDE

    committee = InitiativeArgs._declared_fields["committee"]
    department = InitiativeArgs._declared_fields["department"]
    principle = InitiativeArgs._declared_fields["principle"]
    status = InitiativeArgs._declared_fields["status"]
    health = InitiativeArgs._declared_fields["health"]
    stale = InitiativeArgs._declared_fields["stale"]
    q = InitiativeArgs._declared_fields["q"]


class CountsSchema(Schema):
    total = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_health = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": N_("Active initiatives only.")},
    )
    stale = fields.Integer(required=True)
    support_requested = fields.Integer(required=True)
    average_progress = fields.Integer(allow_none=True, required=True)
    principles = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": N_("Initiatives per principle key.")},
    )


class DepartmentFiguresSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    counts = fields.Nested(CountsSchema, required=True)


class CommitteeFiguresSchema(Schema):
    short_name = fields.String(required=True)
    name = fields.String(required=True)
    counts = fields.Nested(CountsSchema, required=True)
    departments = fields.List(fields.Nested(DepartmentFiguresSchema), required=True)


class MonthSchema(Schema):
    month = fields.String(required=True, metadata={"description": N_("YYYY-MM")})
    updates = fields.Integer(required=True)
    by_health = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DashboardSchema(Schema):
    totals = fields.Nested(CountsSchema, required=True)
    committees = fields.List(fields.Nested(CommitteeFiguresSchema), required=True)
    trend = fields.List(fields.Nested(MonthSchema), required=True)
    attention = fields.List(
        fields.Nested(InitiativeSummarySchema),
        required=True,
        metadata={
            "description": N_("Off track, asking for support or stale; the most urgent first.")
        },
    )
