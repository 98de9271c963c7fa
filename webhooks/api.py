"""The facilitating organizations' API: registrations to review, filter and export.

Every request needs `Authorization: Bearer <token>` (tokens from `./hotline.sh token create`)
and is logged with the organization's name; reading a registration's identity is recorded in
that registration's audit trail. Failed authentication is logged apart (`access.failures`).
Every input is checked against its route's schema (`api_schema`), published at
`/api/v1/openapi.json`: what does not fit is a 400 saying why, never a 500 and never stored.
The identity export needs its own scope and is limited per token.
"""

from __future__ import annotations

import csv
import io
import logging
import time

from flask import Blueprint, Response, g, jsonify, request

from hotline.access import api_tokens, failures
from hotline.messaging import phones
from hotline.outreach import audience as bc_audience
from hotline.outreach import report as bc_report
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.registration import notify
from hotline.registration.store import (
    IDENTITY_FIELDS,
    RegistrationStore,
    normalise_reference,
    priority_key,
)

from . import api_schema as schema
from .context import runtime
from .errors import error_response

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = schema.MAX_PER_PAGE
CSV_COLUMNS = ("reference", "status", "enrolled", "vulnerable", "vulnerabilities", "name",
               "birth_date", "a_number", "citizenship", "case_situation", "location_country",
               "location_city", "phone", "channel", "language", "family", "created_at")


BadRequest = schema.Invalid


def store() -> RegistrationStore:
    return runtime().registrations


@bp.before_request
def authenticate():
    g.api_started = time.monotonic()
    g.api_client = None
    if request.endpoint == "api.openapi_document":
        return None  # the document is public: it describes, it gives nothing away
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    record = api_tokens.lookup(runtime().redis, token)
    if record is None:
        response = error_response(401, "a valid API token is required (Authorization: Bearer ...)")
        response.headers["WWW-Authenticate"] = 'Bearer realm="hotline"'
        return response
    g.api_client = record
    if request.path.startswith(bp.url_prefix + "/broadcasts"):
        needed = "broadcasts"
    elif request.endpoint == "api.export_csv":
        needed = "registrations:identity"  # everyone's identity at once: its own scope
    else:
        needed = ("registrations:write" if request.method not in ("GET", "HEAD")
                  else "registrations:read")
    if needed not in record["scopes"]:
        return error_response(403, f"this token lacks the {needed!r} scope")
    return None


@bp.after_request
def log_request(response):
    client = getattr(g, "api_client", None)
    entry = {"method": request.method, "path": request.full_path.rstrip("?")[:300],
             "status": response.status_code, "ip": request.remote_addr}
    if client is None:
        if response.status_code == 401:
            # Apart from the request log, which anonymous callers must not be able to flush.
            failures.record(runtime().redis, "api", **entry)
        return response
    api_tokens.log_request(
        runtime().redis, client=client["name"], **entry,
        ms=round((time.monotonic() - getattr(g, "api_started", time.monotonic())) * 1000, 1))
    return response


@bp.errorhandler(schema.Invalid)
def bad_request(exc):
    return error_response(400, str(exc))


@bp.get("/openapi.json")
def openapi_document():
    """This API's OpenAPI 3 document, written from the schemas every request is checked with."""
    return jsonify(schema.openapi(request.script_root + bp.url_prefix))


def actor() -> str:
    return f"api:{g.api_client['name']}"


def _query(model):
    # A repeated parameter counts once, its first value (as Flask's request.args.get).
    return schema.check(model, request.args.to_dict(flat=True))


def _by_phone(filters: dict) -> dict:
    """The `phone` filter as the contact it names (the contact store's identity index); a
    number that cannot be one is a 400 that says why, one nobody writes from matches nothing."""
    if "phone" not in filters:
        return filters
    filters = dict(filters)
    try:
        number = phones.normalize(filters.pop("phone"))
    except phones.InvalidPhone as exc:
        raise BadRequest(f"phone: not a phone number ({exc.reason})") from None
    filters["contact_id"] = runtime().contacts.lookup(number) or ""
    return filters


def _matches(row: dict, filters: dict) -> bool:
    if "contact_id" in filters and row["contact_id"] != filters["contact_id"]:
        return False
    # Duplicate attempts are for review only: listed when asked for by status.
    if row["status"] == "duplicate" and filters.get("status") != "duplicate":
        return False
    if "status" in filters and row["status"] != filters["status"]:
        return False
    if "country" in filters and filters["country"] not in (row["citizenship"],
                                                           row["location_country"]):
        return False
    if "enrolled_from" in filters and (row["enrolled"] or "") < filters["enrolled_from"]:
        return False
    if "enrolled_to" in filters and (row["enrolled"] or "9999") > filters["enrolled_to"]:
        return False
    return "vulnerable" not in filters or row["vulnerable"] == filters["vulnerable"]


@bp.get("/registrations")
def list_registrations():
    query = _query(schema.ListQuery)
    filters = _by_phone(query.as_filters())
    page, per_page = query.page, query.per_page
    rows = [r for r in store().summaries() if _matches(r, filters)]
    if query.order == "priority":
        rows.sort(key=priority_key)
    start = (page - 1) * per_page
    items = rows[start:start + per_page]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": len(rows),
                    "pages": (len(rows) + per_page - 1) // per_page})


@bp.get("/registrations/<reference>")
def get_registration(reference: str):
    ref = normalise_reference(reference)
    reg = store().get(ref, actor=actor()) if ref else None
    if reg is None:
        return error_response(404, "no registration with that reference")
    return jsonify(reg.public(identity=True))


@bp.get("/registrations/<reference>/audit")
def get_audit(reference: str):
    ref = normalise_reference(reference)
    registrations = store()
    if not ref or registrations.get(ref, actor=None) is None:
        return error_response(404, "no registration with that reference")
    return jsonify({"reference": ref, "entries": registrations.audit_trail(ref)})


@bp.get("/registrations/export.csv")
def export_csv():
    """Everything matching the filters, identity included, in the order to process it."""
    filters = _by_phone(_query(schema.ExportQuery).as_filters())
    if not api_tokens.export_allowed(runtime().redis, g.api_client):
        response = error_response(429, f"at most {api_tokens.EXPORTS_PER_HOUR} exports an hour "
                                       "per token: try again later")
        response.headers["Retry-After"] = "3600"
        return response
    registrations = store()
    rows = sorted((r for r in registrations.summaries() if _matches(r, filters)), key=priority_key)
    # Said in the log too, so monitoring sees who takes identities in bulk.
    log.warning("identity export by %s: %d registrations", g.api_client["name"], len(rows))
    out = io.StringIO()
    # Every field quoted: a spreadsheet that splits on ';' (es-MX Excel) keeps it one cell.
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore",
                            quoting=csv.QUOTE_ALL)
    writer.writeheader()
    who = actor()
    for row in rows:
        reg = registrations.get(row["reference"], actor=None)
        if reg is None:
            continue
        data = reg.public(identity=True)
        data["vulnerabilities"] = " ".join(reg.vulnerabilities)
        writer.writerow({k: _csv_safe(data.get(k)) for k in CSV_COLUMNS})
        registrations.audit(reg.reference, who, "exported", fields=list(IDENTITY_FIELDS))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=registrations.csv"})


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def _csv_safe(value) -> str:
    """Text a spreadsheet will not run as a formula (names come from strangers), even after
    leading blanks, which spreadsheets skip."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" \u00a0")[:1] in FORMULA_START or text[:1] in FORMULA_START \
        else text


def _json_body(model):
    """The body as the route's schema says, or a 400 that says why."""
    if not request.is_json:
        raise BadRequest("the body must be a JSON object (Content-Type: application/json)")
    return schema.check(model, schema.parse_json_object(request.get_data(cache=True)))


@bp.post("/registrations/<reference>/status")
def change_status(reference: str):
    """A new status for a registration; the person is told in their language."""
    # `duplicate` is the hotline's own bookkeeping, never a status organizations set: the
    # schema allows only the others.
    body = _json_body(schema.StatusChange)
    ref = normalise_reference(reference)
    registrations = store()
    if not ref or registrations.get(ref, actor=None) is None:
        return error_response(404, "no registration with that reference")
    details = body.model_dump(exclude_none=True, exclude={"status"})
    try:
        result = notify.status_changed(runtime(), ref, body.status, details, actor())
    except notify.NotifyError as exc:
        raise BadRequest(str(exc)) from None
    return jsonify(result)


@bp.post("/broadcasts")
def create_broadcast():
    """A broadcast to an audience; `dry_run` shows its size and texts and sends nothing."""
    body = _json_body(schema.BroadcastRequest)
    rt = runtime()
    try:
        bc = bc_spec.build(rt, body.spec(), actor())
        if body.dry_run:
            return jsonify(bc_audience.dry_run(rt, bc))
        bc = bc_runner.submit(rt, bc)
    except bc_spec.BroadcastError as exc:
        raise BadRequest(str(exc)) from None
    response = jsonify(bc_report.report(rt, bc.id))
    response.status_code = 201
    return response


@bp.get("/broadcasts/<bc_id>")
def broadcast_report(bc_id: str):
    report = bc_report.report(runtime(), bc_id) if _broadcast_id(bc_id) else None
    if report is None:
        return error_response(404, "no broadcast with that id")
    return jsonify(report)


@bp.post("/broadcasts/<bc_id>/cancel")
def cancel_broadcast(bc_id: str):
    if not _broadcast_id(bc_id) or bc_store.load(runtime().redis, bc_id) is None:
        return error_response(404, "no broadcast with that id")
    if not bc_runner.cancel(runtime(), bc_id):
        return error_response(409, "this broadcast has already finished")
    return jsonify(bc_report.report(runtime(), bc_id))


def _broadcast_id(bc_id: str) -> bool:
    # ASCII only: "٣".isalnum() is true too.
    return bc_id.isascii() and bc_id.isalnum() and len(bc_id) <= 40
