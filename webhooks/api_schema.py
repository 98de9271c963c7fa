"""What the organizations' API accepts, route by route: one pydantic model per input, used both
to check every request and to write the OpenAPI document served at `/api/v1/openapi.json`.

Anything that does not fit is refused with a 400 that names the field and says what it must be,
before any store sees it: a JSON object is never taken for an appointment's place, NaN or
Infinity is never a rate, digits are ASCII digits (int() would read "٣" as 3, and a regex's \\d
matches it too, so one month filter matched every registration), and a body nested past what
any route takes is refused while parsing, not by running out of stack.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic.json_schema import GenerateJsonSchema

from hotline.contacts import TOPICS
from hotline.messaging.sms import MAX_BODY as MAX_TEXT
from hotline.registration.store import PUBLIC_STATUS, REFERENCE_ALPHABET, STATUSES

MAX_PER_PAGE = 500
MAX_DEPTH = 8  # the deepest any route's body goes is 3 (a broadcast's audience or texts)
SETTABLE = tuple(s for s in STATUSES if s not in PUBLIC_STATUS)
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
# Control characters other than line breaks have no place in anything a person will read.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Invalid(ValueError):
    """A request that does not fit its route's schema; the message says what to fix."""


def _ascii_query(value):
    # Every query value is a code, a month, a number or true/false: printable ASCII only.
    if isinstance(value, str) and not _PRINTABLE.fullmatch(value):
        raise ValueError("must be written with plain ASCII letters and digits")
    return value


def _whole_number(value):
    if isinstance(value, str) and not (value.isascii() and value.isdecimal() and len(value) <= 9):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


def _fullmatch(pattern: str):
    compiled = re.compile(pattern, re.ASCII)

    def check(value):
        # The whole value, whichever engine checked the field's pattern: pydantic's own `$`
        # is the end of the text, but with Python's re (its fallback) it lets a trailing
        # newline through.
        if value is not None and not compiled.fullmatch(value):
            raise ValueError(f"must match {pattern}")
        return value
    return check


def _text(value):
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _strip(value):
    # Python's own strip, so the blanks taken off the ends are the ones str.isspace() names.
    return value.strip() if isinstance(value, str) else value


MONTH = r"[0-9]{4}-(0[1-9]|1[0-2])"
COUNTRY = r"[A-Za-z]{2}"


def _pattern(pattern: str, strict: bool = False):
    """A string that matches `pattern` whole."""
    return Annotated[str, StringConstraints(strict=strict, pattern=f"^{pattern}$"),
                     AfterValidator(_fullmatch(pattern))]


def _strict_text(max_length: int, min_length: int = 1):
    """A JSON string, its ends stripped, between the lengths."""
    return Annotated[str, StringConstraints(strict=True, min_length=min_length,
                                            max_length=max_length), BeforeValidator(_strip)]


class Filters(BaseModel):
    """Which registrations: every filter is optional."""

    model_config = ConfigDict(extra="ignore")

    status: Literal[STATUSES] | None = Field(None, description="only this status")
    country: _pattern(COUNTRY) | None = Field(
        None, description="citizenship or country of residence, ISO 3166 two letters")
    enrolled_from: _pattern(MONTH) | None = Field(
        None, description="enrolled in MPP this month or later, YYYY-MM")
    enrolled_to: _pattern(MONTH) | None = Field(
        None, description="enrolled in MPP this month or earlier, YYYY-MM")
    vulnerable: Literal["true", "false"] | None = Field(
        None, description="with (true) or without (false) a declared vulnerability")
    phone: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="the registrations of the person writing from this number, written "
                          "any way (+52 1…, national format in Mexico); found through the "
                          "contact store, SMS and WhatsApp alike")

    _ascii = field_validator("*", mode="before")(_ascii_query)

    def as_filters(self) -> dict:
        """The store's filters: country upper-case, vulnerable a bool."""
        filters = self.model_dump(exclude_none=True)
        if "country" in filters:
            filters["country"] = filters["country"].upper()
        if "vulnerable" in filters:
            filters["vulnerable"] = filters["vulnerable"] == "true"
        return filters


class ListQuery(Filters):
    page: Annotated[int, Field(ge=1, le=10**6)] = Field(1, description="which page, from 1")
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = Field(
        50, description="rows per page")
    order: Literal["priority"] | None = Field(
        None, description="priority: the most vulnerable and longest enrolled first")

    _numbers = field_validator("page", "per_page", mode="before")(_whole_number)


class ExportQuery(Filters):
    pass


class StatusChange(BaseModel):
    """A new status; the person is told in their language. An appointment needs place, date
    and time; information_needed needs what."""

    model_config = ConfigDict(extra="forbid")

    status: Literal[SETTABLE]
    place: _strict_text(300) | None = Field(None, description="where, in words")
    date: _pattern(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", strict=True) | None = Field(
        None, description="YYYY-MM-DD")
    time: _pattern(r"[0-9]{2}:[0-9]{2}", strict=True) | None = Field(
        None, description="HH:MM, local time")
    what: _strict_text(300) | None = Field(None, description="what is needed, in words")

    _texts = field_validator("place", "what")(_text)


class Texts(BaseModel):
    """The broadcast's free text, in each language."""

    model_config = ConfigDict(extra="forbid")

    en: _strict_text(MAX_TEXT)
    es: _strict_text(MAX_TEXT)

    _texts = field_validator("en", "es")(_text)


class Audience(BaseModel):
    """Who receives a broadcast: everyone matching all the filters given."""

    model_config = ConfigDict(extra="forbid")

    language: Literal["en", "es"] | None = None
    channel: Literal["sms", "whatsapp"] | None = None
    country: _pattern(COUNTRY, strict=True) | None = None
    city: _strict_text(100) | None = None
    status: Literal[STATUSES] | None = None
    registered: StrictBool | None = None
    subscribed: Literal[TOPICS] | None = None

    _city = field_validator("city")(_text)


class BroadcastRequest(BaseModel):
    """A broadcast: a catalog `template` (with `values`) or free `text`, never both."""

    model_config = ConfigDict(extra="forbid")

    template: _pattern(r"[a-z0-9_.]{1,80}", strict=True) | None = None
    values: dict[_pattern(r"[a-z_]{1,40}"), _strict_text(300, 0) | StrictInt] | None = Field(
        None, description="the template's values by name (a-z and _, at most 40)")
    text: Texts | None = None
    audience: Literal["everyone"] | Audience | None = None
    send_at: Annotated[str, StringConstraints(strict=True, max_length=40)] | None = Field(
        None, description="ISO 8601 time with a zone; now when not given")
    rate: Annotated[float, Field(ge=0, le=10000, allow_inf_nan=False)] | None = Field(
        None, description="messages per second, 0 for no cap")
    content_sid: _pattern(r"HX[0-9a-fA-F]{32}", strict=True) | None = None
    dry_run: StrictBool | None = Field(None, description="count and show, send nothing")

    _values = field_validator("values")(
        lambda v: {k: _text(x) for k, x in v.items()} if v else v)

    @field_validator("rate", mode="before")
    @classmethod
    def _rate_is_a_number(cls, value):
        # Not "5" nor true: a JSON number (bool is an int in Python).
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("must be a number")
        return value

    def spec(self) -> dict:
        """The request as `outreach.spec.build` reads it."""
        spec = self.model_dump(exclude_none=True)
        if isinstance(self.audience, Audience):
            spec["audience"] = self.audience.model_dump(exclude_none=True)
        return spec


def _where(loc: tuple, data, missing: bool) -> str:
    """An error's place as the request names it: the keys and indexes into `data`, without the
    names pydantic gives the branches of a choice (`Audience`, `literal['everyone']`, ...)."""
    path = []
    for n, part in enumerate(loc):
        inside = part in data if isinstance(data, dict) else (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data))
        if inside:
            data = data[part]
        elif not (missing and n == len(loc) - 1):
            continue
        path.append(str(part))
    return ".".join(path) or "body"


def check(model: type[BaseModel], data) -> BaseModel:
    """`data` as `model`, or Invalid naming each field that does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False, include_input=False):
            error = (e.get("ctx") or {}).get("error")
            message = str(error) if e["type"] == "value_error" and error else e["msg"]
            problem = f"{_where(e['loc'], data, e['type'] == 'missing')}: {message}"
            if problem not in problems:
                problems.append(problem)
        raise Invalid("; ".join(problems[:5])) from None


def _no_constant(name: str):
    raise Invalid(f"{name} is not a JSON number")


def _depth(value, limit: int) -> int:
    """How deep a parsed body goes, stopping once past `limit`."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_json_object(raw: bytes) -> dict:
    """A request body as a JSON object, or Invalid: not JSON, NaN or Infinity, too deep."""
    # Nesting is counted on the text first: json's parser recurses once per level.
    opened = level = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            level += 1
            opened = max(opened, level)
            if opened > MAX_DEPTH:
                raise Invalid(f"the JSON body is nested more than {MAX_DEPTH} levels deep")
        elif byte in (0x5D, 0x7D):
            level -= 1
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, Invalid):
            raise
        raise Invalid("the body must be a JSON object (Content-Type: application/json)") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object (Content-Type: application/json)")
    if _depth(body, MAX_DEPTH) > MAX_DEPTH:
        raise Invalid(f"the JSON body is nested more than {MAX_DEPTH} levels deep")
    return body


# --- the OpenAPI document ------------------------------------------------------------------
REFERENCE = f"^[{REFERENCE_ALPHABET}{REFERENCE_ALPHABET.lower()}]{{4}}-?" \
            f"[{REFERENCE_ALPHABET}{REFERENCE_ALPHABET.lower()}]{{4}}$"
BROADCAST_ID = r"^BC[0-9a-f]{16}$"
_REF = "#/components/schemas/{model}"


class _OpenAPISchema(GenerateJsonSchema):
    """pydantic's JSON Schema written as OpenAPI 3.0 reads it: a field that may be left out is
    its type alone (3.0 has no "null" type), a single choice an enum (3.0 has no const), and an
    object's keys are not described by a pattern (3.0 has no patternProperties)."""

    def nullable_schema(self, schema):
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema):
        json_schema = super().default_schema(schema)
        if json_schema.get("default", ...) is None:
            del json_schema["default"]
        return json_schema

    def literal_schema(self, schema):
        json_schema = super().literal_schema(schema)
        if "const" in json_schema:
            json_schema["enum"] = [json_schema.pop("const")]
        return json_schema

    def dict_schema(self, schema):
        json_schema = super().dict_schema(schema)
        json_schema.pop("propertyNames", None)
        patterns = json_schema.pop("patternProperties", {})
        if patterns and "additionalProperties" not in json_schema:
            json_schema["additionalProperties"] = next(iter(patterns.values()))
        return json_schema


def _query(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=_REF, schema_generator=_OpenAPISchema)
    return [{"name": name, "in": "query", "required": False,
             "description": prop.pop("description", prop.get("title", name)),
             "schema": {k: v for k, v in prop.items() if k != "title"}}
            for name, prop in schema["properties"].items()]


def _path(name: str, pattern: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": pattern}}


def _responses(ok: str, *codes: int, csv: bool = False) -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    body = ({"text/csv": {"schema": {"type": "string"}}} if csv else
            {"application/json": {"schema": {"type": "object"}}})
    responses = {"200": {"description": ok, "content": body}}
    reasons = {400: "the request does not fit this route's schema (the error says why)",
               401: "no valid API token", 403: "the token lacks this route's scope",
               404: "not found", 409: "conflicts with the current state",
               413: "the body is too large", 429: "too many requests: wait (Retry-After)"}
    for code in (400, 401, 403, 413, *codes):
        responses[str(code)] = {"description": reasons[code], "content": error}
    return responses


def _body(model: type[BaseModel]) -> dict:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": _REF.format(model=model.__name__)}}}}


def openapi(prefix: str) -> dict:
    """The API's OpenAPI 3 document, written from the models above."""
    components = {"Error": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {"type": "string"}, "status": {"type": "integer"}}}}
    for model in (StatusChange, BroadcastRequest):
        schema = model.model_json_schema(ref_template=_REF, schema_generator=_OpenAPISchema)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    reference = _path("reference", REFERENCE, "a registration's reference, e.g. K7RF-9TXH")
    broadcast = _path("bc_id", BROADCAST_ID, "a broadcast's id")

    def op(summary, scope, responses, parameters=(), body=None, status="200"):
        operation = {"summary": summary, "security": [{"bearer": [scope]}],
                     "parameters": list(parameters), "responses": responses}
        if status != "200":
            operation["responses"] = {status if k == "200" else k: v
                                      for k, v in responses.items()}
        if body:
            operation["requestBody"] = _body(body)
        return operation

    paths = {
        "/registrations": {"get": op(
            "registrations, filtered and paged (no identity)", "registrations:read",
            _responses("a page of registrations"), _query(ListQuery))},
        "/registrations/export.csv": {"get": op(
            "every matching registration with identity, as CSV; audited per registration, "
            "at most 5 an hour per token", "registrations:identity",
            _responses("the CSV", 429, csv=True), _query(ExportQuery))},
        "/registrations/{reference}": {"get": op(
            "one registration with identity; audited", "registrations:read",
            _responses("the registration", 404), [reference])},
        "/registrations/{reference}/audit": {"get": op(
            "who read or changed a registration", "registrations:read",
            _responses("its audit trail", 404), [reference])},
        "/registrations/{reference}/status": {"post": op(
            "a new status; the person is told", "registrations:write",
            _responses("what was recorded and sent", 404), [reference], StatusChange)},
        "/broadcasts": {"post": op(
            "a broadcast, or its dry run", "broadcasts", _responses("the broadcast's report"),
            body=BroadcastRequest, status="201")},
        "/broadcasts/{bc_id}": {"get": op(
            "a broadcast's report", "broadcasts", _responses("the report", 404), [broadcast])},
        "/broadcasts/{bc_id}/cancel": {"post": op(
            "stop a broadcast", "broadcasts", _responses("the report", 404, 409), [broadcast])},
    }
    # A dry run answers 200, a broadcast 201.
    paths["/broadcasts"]["post"]["responses"]["200"] = {
        "description": "the dry run", "content": {"application/json": {
            "schema": {"type": "object"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "MPP hotline: organizations' API", "version": "1",
                 "description": "Registrations to review, filter and export; status changes "
                                "the person is told of; broadcasts. Every route needs "
                                "`Authorization: Bearer <token>` (./hotline.sh token create)."},
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }
