"""The console's views: the queue, taking a conversation, answering as a person, supervisors'
figures.

Every route needs a signed-in operator (Flask-Login); every POST carries a CSRF token
(Flask-WTF); everything a person wrote is rendered by Jinja's autoescaping or, in the live
views, set as text by the browser, never as HTML. Operators see the transcript of a
conversation only once they hold it; supervisors see everything. Every action is audited.
Templates are `templates/console/`, the script `static/console.js`, next to this module.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from hotline import contacts
from hotline.access import failures, operators
from hotline.content import answers, program_status
from hotline.handoff import audit, figures
from hotline.handoff import queue as escalations
from hotline.messaging import billing, phones, routing
from hotline.messaging.outbound import queue_to_contact
from hotline.outreach import report as bc_report
from hotline.runtime import Runtime

from ..context import runtime
from .auth import (
    Operator,
    sign_in_allowed,
    sign_in_failed,
    start_session,
    supervisor_only,
)

log = logging.getLogger(__name__)
bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static")
OPERATOR_KIND = "operator"
# Answers an operator may insert, in the person's language.
SAVED_ANSWERS = ("utter_border_warning", "utter_cost_scam", "utter_eligibility", "utter_next_steps",
                 "utter_case_status", "utter_legal_help", "utter_documents", "utter_locations",
                 "utter_emergency")


@bp.before_request
def language():
    # CSRF is checked before this, for every POST, by Flask-WTF's CSRFProtect
    # (`webhooks.hardening`).
    lang = request.args.get("lang")
    if lang in ("en", "es"):
        session["console_lang"] = lang
    return None


@bp.app_context_processor
def template_values():
    return {"csrf_token": generate_csrf, "console_lang": console_language()}


def console_language() -> str:
    lang = session.get("console_lang")
    if lang in ("en", "es"):
        return lang
    if getattr(current_user, "is_authenticated", False):
        return current_user.record.get("language", "es")
    return request.accept_languages.best_match(["es", "en"]) or "es"


def _audit(action: str, contact_id: str | None = None, **details) -> None:
    rt = runtime()
    audit.record(rt.redis, current_user.id, action, contact_id, vault=rt.vault, **details)


# --- signing in ----------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        rt = runtime()
        username = request.form.get("username", "")
        if not sign_in_allowed(rt.redis, request.remote_addr, username):
            return render_template("console/login.html",
                                   error=_("Too many attempts. Wait 15 minutes.")), 429
        record = operators.verify(rt.redis, username, request.form.get("password", ""))
        if record is None:
            error = _("Wrong username or password.")
            sign_in_failed(rt.redis, request.remote_addr, username)
            # Apart from the audit log, which a flood of failures would otherwise push out.
            failures.record(rt.redis, "console", username=username[:40],
                            address=request.remote_addr)
        else:
            session.clear()
            session.permanent = True
            start_session(rt.redis, record["username"])
            login_user(Operator(record))
            _audit("login")
            return redirect(url_for("console.queue"))
    return render_template("console/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    _audit("logout")
    # Whatever they hold goes back to the queue: nobody waits on someone who left.
    for contact_id in escalations.return_operator(runtime().redis, current_user.id):
        _audit("returned_on_sign_out", contact_id)
    # Every session of this operator ends, a copied cookie included.
    operators.end_sessions(runtime().redis, current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


# --- the queue -----------------------------------------------------------------------------
def _entry(rt: Runtime, record: dict) -> dict:
    contact = rt.contacts.get(record["contact_id"])
    since = float(record.get("since") or time.time())
    return {"contact_id": record["contact_id"], "reason": record.get("reason", ""),
            "urgent": record.get("urgent") == "1", "language": record.get("language", ""),
            "channel": (contact.last_channel if contact else None) or "sms",
            "waiting_minutes": int((time.time() - since) // 60),
            "claimed_by": record.get("claimed_by")}


@bp.get("/")
@login_required
def queue():
    return render_template("console/queue.html")


@bp.get("/api/queue")
@login_required
def queue_data():
    rt = runtime()
    mine = escalations.active(rt.redis, None if current_user.supervisor else current_user.id)
    return jsonify({"waiting": [_entry(rt, e) for e in escalations.waiting(rt.redis)],
                    "mine": [_entry(rt, e) for e in mine],
                    "figures": figures.figures(rt.redis) if current_user.supervisor else None})


@bp.post("/c/<contact_id>/claim")
@login_required
def claim(contact_id: str):
    rt = runtime()
    if not escalations.claim(rt.redis, contact_id, current_user.id):
        if request.headers.get("Accept") == "application/json":
            return jsonify({"error": _("Another operator already took this conversation.")}), 409
        return redirect(url_for("console.queue"))
    _audit("claim", contact_id)
    if request.headers.get("Accept") == "application/json":
        return jsonify({"ok": True})
    return redirect(url_for("console.conversation", contact_id=contact_id))


# --- one conversation ----------------------------------------------------------------------
def _held(contact_id: str) -> dict:
    """The escalation, if this operator may see it (they hold it, or they supervise)."""
    record = escalations.get(runtime().redis, contact_id)
    if not record:
        abort(404)
    mine = record.get("state") == "claimed" and record.get("claimed_by") == current_user.id
    if not (mine or current_user.supervisor):
        abort(403, "this conversation is not yours")
    return record


def _transcript(rt: Runtime, contact_id: str, pins: bool = False) -> list[dict]:
    """The conversation as the console shows it; `pins`: with the coordinates of a shared
    location (only for the operator holding the conversation)."""
    entries = []
    for entry in rt.messages.transcript(contact_id):
        status = None
        if entry.get("dir") == "out" and entry.get("sid"):
            status = rt.messages.status_of(entry["sid"])
        entries.append({"dir": entry["dir"], "text": entry["text"], "at": entry["at"],
                        "kind": entry.get("kind") or "", "status": status,
                        # Pictures are fetched through the console, never from Twilio's URL.
                        "media": [{"url": url_for("console.media", sid=entry["sid"], index=i),
                                   "type": kind}
                                  for i, kind in enumerate(entry.get("media") or [])],
                        "location": _location(rt, entry, pins)})
    return entries


def _location(rt: Runtime, entry: dict, pins: bool) -> dict | None:
    """A shared pin: a marker for whoever may read the conversation; where it is (kept
    encrypted on the message record) only for the operator holding it, who may need it to help.
    """
    if not entry.get("location"):
        return None
    msg = rt.messages.load_inbound(entry["sid"]) if pins and entry.get("sid") else None
    pin = (msg.location if msg else None) or {}
    if not pin:
        return {"shared": True}
    return {"shared": True, "latitude": pin.get("latitude"), "longitude": pin.get("longitude"),
            "place": ", ".join(str(v) for v in (pin.get("label"), pin.get("address")) if v)}


def _holds(record: dict) -> bool:
    return record.get("state") == "claimed" and record.get("claimed_by") == current_user.id


@bp.get("/c/<contact_id>")
@login_required
def conversation(contact_id: str):
    rt = runtime()
    record = _held(contact_id)
    _audit("read", contact_id)
    escalations.touch(rt.redis, contact_id, current_user.id)
    contact = rt.contacts.get(contact_id)
    lang = (contact.language if contact else None) or rt.settings.default_language
    reg = rt.registrations.latest_for_contact(contact_id)
    if reg is not None:
        rt.registrations.audit(reg.reference, f"operator:{current_user.id}", "read")
    status = program_status.load(rt.settings.program_status_file, rt.redis)
    saved = [(key, answers.say(rt.catalogs, status, key, lang)) for key in SAVED_ANSWERS
             if rt.catalogs.has(key)]
    others = [o for o in operators.listing(rt.redis)
              if o["username"] != current_user.id and not o.get("disabled")]
    return render_template("console/conversation.html", record=record, contact_id=contact_id,
                           transcript=_transcript(rt, contact_id, _holds(record)),
                           registration=reg,
                           notes=escalations.notes(rt.redis, contact_id, rt.vault), saved=saved,
                           others=others, person_language=lang,
                           # What the conversation's messages cost (supervisors see it).
                           cost=billing.tally(rt.messages.billing(contact_id),
                                              rt.settings.price_currency).as_dict())


@bp.get("/api/c/<contact_id>")
@login_required
def conversation_data(contact_id: str):
    record = _held(contact_id)
    return jsonify({"state": record.get("state"), "claimed_by": record.get("claimed_by"),
                    "transcript": _transcript(runtime(), contact_id, _holds(record))})


def _send(contact_id: str, body: str) -> str | None:
    rt = runtime()
    contact = rt.contacts.get(contact_id)
    if contact is None:
        return None
    try:
        return queue_to_contact(rt, contact, body, OPERATOR_KIND)
    except routing.NoRoute:
        return None


@bp.post("/c/<contact_id>/reply")
@login_required
def reply(contact_id: str):
    _held(contact_id)
    body = (request.form.get("body") or "").strip()
    if not body or len(body) > 1600:
        abort(400, "a reply needs 1 to 1600 characters")
    out_id = _send(contact_id, body)
    _audit("reply", contact_id, message_id=out_id)
    escalations.touch(runtime().redis, contact_id, current_user.id)
    if out_id is None:
        abort(409, "this person cannot be written to (opted out or no number)")
    return redirect(url_for("console.conversation", contact_id=contact_id))


@bp.post("/c/<contact_id>/note")
@login_required
def note(contact_id: str):
    _held(contact_id)
    text = (request.form.get("text") or "").strip()
    if text:
        escalations.add_note(runtime().redis, contact_id, current_user.id, text,
                             runtime().vault)
        _audit("note", contact_id)
        escalations.touch(runtime().redis, contact_id, current_user.id)
    return redirect(url_for("console.conversation", contact_id=contact_id))


@bp.post("/c/<contact_id>/transfer")
@login_required
def transfer(contact_id: str):
    _held(contact_id)
    target = operators.get(runtime().redis, request.form.get("to", ""))
    if target is None or target.get("disabled"):
        abort(400, "no such operator")
    escalations.transfer(runtime().redis, contact_id, target["username"])
    _audit("transfer", contact_id, to=target["username"])
    return redirect(url_for("console.queue"))


@bp.post("/c/<contact_id>/<any(handback, close):how>")
@login_required
def finish(contact_id: str, how: str):
    _held(contact_id)
    rt = runtime()
    state = "returned" if how == "handback" else "closed"
    escalations.release(rt.redis, contact_id, state)
    contact = rt.contacts.get(contact_id)
    lang = (contact.language if contact else None) or rt.settings.default_language
    _send(contact_id, rt.catalogs.text("console.handback" if how == "handback" else
                                       "console.closed", lang))
    _audit(how, contact_id)
    return redirect(url_for("console.queue"))


# --- supervisors ---------------------------------------------------------------------------
@bp.get("/supervisor")
@login_required
@supervisor_only
def supervisor():
    rt = runtime()
    reports = [r for r in (bc_report.report(rt, b) for b in bc_report.recent(rt, 10)) if r]
    return render_template("console/supervisor.html", figures=figures.figures(rt.redis),
                           active=[_entry(rt, e) for e in escalations.active(rt.redis)],
                           audit_log=audit.recent(rt.redis, 50), broadcasts=reports)


@bp.get("/api/find")
@login_required
@supervisor_only
def find_contact():
    """Who a phone number (as typed, either Mexican form) or a WhatsApp user id is: found
    through the contact store's identity index; audited, as reading a conversation is."""
    rt = runtime()
    raw = (request.args.get("phone") or "").strip()[:64]
    if contacts.is_user_id(raw):
        contact_id = rt.contacts.lookup_user(raw)
    else:
        try:
            contact_id = rt.contacts.lookup(phones.normalize(raw))
        except phones.InvalidPhone as exc:
            return jsonify({"error": "not a phone number", "reason": exc.reason}), 400
    _audit("find", contact_id, found=bool(contact_id))
    if contact_id is None:
        return jsonify({"error": "nobody with that number"}), 404
    reg = rt.registrations.latest_for_contact(contact_id)
    return jsonify({"contact_id": contact_id, "label": contact_label(contact_id),
                    "registration": reg.reference if reg else None,
                    "in_queue": bool(escalations.get(rt.redis, contact_id))})


def contact_label(contact_id: str) -> str:
    """How operators see a person: the last digits of their number, never the whole id."""
    contact = runtime().contacts.get(contact_id)
    if contact and contact.number:
        # A number, or a WhatsApp user id ("US.1349…") for someone who shares no number.
        return "…" + contact.number[-4:]
    return contact_id[:8]


bp.add_app_template_global(contact_label)
