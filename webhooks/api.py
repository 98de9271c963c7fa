"""The facilitating organizations' API: registrations to review, filter and export.

Every request needs `Authorization: Bearer <token>` (tokens from `./hotline.sh token create`)
and is logged with the organization's name; reading a registration's identity is recorded in
that registration's audit trail.
"""

from __future__ import annotations

import csv
import io
import re
import time

from flask import Blueprint, Response, g, jsonify, request

from hotline.access import api_tokens
from hotline.outreach import audience as bc_audience
from hotline.outreach import report as bc_report
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.registration import notify
from hotline.registration.store import (
    IDENTITY_FIELDS,
    PUBLIC_STATUS,
    STATUSES,
    RegistrationStore,
    normalise_reference,
    priority_key,
)

from .context import runtime
from .errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_PER_PAGE = 500
CSV_COLUMNS = ("reference", "status", "enrolled", "vulnerable", "vulnerabilities", "name",
               "birth_date", "a_number", "citizenship", "case_situation", "location_country",
               "location_city", "phone", "channel", "language", "family", "created_at")


class BadRequest(ValueError):
    pass


def store() -> RegistrationStore:
    return runtime().registrations


@bp.before_request
def authenticate():
    g.api_started = time.monotonic()
    g.api_client = None
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
    else:
        needed = ("registrations:write" if request.method not in ("GET", "HEAD")
                  else "registrations:read")
    if needed not in record["scopes"]:
        return error_response(403, f"this token lacks the {needed!r} scope")
    return None


@bp.after_request
def log_request(response):
    client = getattr(g, "api_client", None)
    api_tokens.log_request(
        runtime().redis, client=client["name"] if client else None, method=request.method,
        path=request.full_path.rstrip("?"), status=response.status_code,
        ip=request.remote_addr,
        ms=round((time.monotonic() - getattr(g, "api_started", time.monotonic())) * 1000, 1))
    return response


@bp.errorhandler(BadRequest)
def bad_request(exc):
    return error_response(400, str(exc))


def actor() -> str:
    return f"api:{g.api_client['name']}"


def _filters() -> dict:
    args = request.args
    filters = {}
    if "status" in args:
        if args["status"] not in STATUSES:
            raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
        filters["status"] = args["status"]
    if "country" in args:
        country = args["country"].upper()
        if not _COUNTRY.match(country):
            raise BadRequest("country must be an ISO 3166 two-letter code, e.g. HN")
        filters["country"] = country
    for name in ("enrolled_from", "enrolled_to"):
        if name in args:
            if not _MONTH.match(args[name]):
                raise BadRequest(f"{name} must be a month, YYYY-MM")
            filters[name] = args[name]
    if "vulnerable" in args:
        if args["vulnerable"] not in ("true", "false"):
            raise BadRequest("vulnerable must be true or false")
        filters["vulnerable"] = args["vulnerable"] == "true"
    return filters


def _matches(row: dict, filters: dict) -> bool:
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


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


@bp.get("/registrations")
def list_registrations():
    filters = _filters()
    page = _int_arg("page", 1, 1, 10**6)
    per_page = _int_arg("per_page", 50, 1, MAX_PER_PAGE)
    rows = [r for r in store().summaries() if _matches(r, filters)]
    if request.args.get("order") == "priority":
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
    filters = _filters()
    registrations = store()
    rows = sorted((r for r in registrations.summaries() if _matches(r, filters)), key=priority_key)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
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


def _csv_safe(value) -> str:
    """Text a spreadsheet will not run as a formula (names come from strangers)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object body (Content-Type: application/json)")
    return body


@bp.post("/registrations/<reference>/status")
def change_status(reference: str):
    """A new status for a registration; the person is told in their language."""
    body = _json_body()
    ref = normalise_reference(reference)
    registrations = store()
    if not ref or registrations.get(ref, actor=None) is None:
        return error_response(404, "no registration with that reference")
    status = body.get("status")
    # `duplicate` is the hotline's own bookkeeping, never a status organizations set.
    if status not in STATUSES or status in PUBLIC_STATUS:
        allowed = [s for s in STATUSES if s not in PUBLIC_STATUS]
        raise BadRequest(f"status must be one of {', '.join(allowed)}")
    try:
        result = notify.status_changed(runtime(), ref, status, body, actor())
    except notify.NotifyError as exc:
        raise BadRequest(str(exc)) from None
    return jsonify(result)


@bp.post("/broadcasts")
def create_broadcast():
    """A broadcast to an audience; `dry_run` shows its size and texts and sends nothing."""
    body = _json_body()
    rt = runtime()
    try:
        bc = bc_spec.build(rt, body, actor())
        if body.get("dry_run"):
            return jsonify(bc_audience.dry_run(rt, bc))
        bc = bc_runner.submit(rt, bc)
    except bc_spec.BroadcastError as exc:
        raise BadRequest(str(exc)) from None
    response = jsonify(bc_report.report(rt, bc.id))
    response.status_code = 201
    return response


@bp.get("/broadcasts/<bc_id>")
def broadcast_report(bc_id: str):
    report = bc_report.report(runtime(), bc_id) if bc_id.isalnum() else None
    if report is None:
        return error_response(404, "no broadcast with that id")
    return jsonify(report)


@bp.post("/broadcasts/<bc_id>/cancel")
def cancel_broadcast(bc_id: str):
    if not bc_id.isalnum() or bc_store.load(runtime().redis, bc_id) is None:
        return error_response(404, "no broadcast with that id")
    if not bc_runner.cancel(runtime(), bc_id):
        return error_response(409, "this broadcast has already finished")
    return jsonify(bc_report.report(runtime(), bc_id))
