"""The Messages resource of Twilio's 2010-04-01 API, plus a few /_sandbox controls for tests."""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests
from flask import Blueprint, current_app, jsonify, request
from twilio.request_validator import RequestValidator

from hotline.messaging.channels import Address, InvalidAddress, parse_address
from hotline.messaging.sms import MAX_BODY, segments
from hotline.redis_connect import connect

from .store import SandboxStore, new_sid, rfc2822

log = logging.getLogger(__name__)
bp = Blueprint("sandbox", __name__)
API = "/2010-04-01/Accounts/<account_sid>"

# Twilio's test numbers: sending to them fails the way a real send to such a number would.
MAGIC_TO = {
    "+15005550001": (21211, "The 'To' number +15005550001 is not a valid phone number."),
    "+15005550002": (21612, "The 'To' phone number is not currently reachable via SMS."),
    "+15005550003": (21408, "Permission to send an SMS has not been enabled for the region."),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
}
# Accepted, then reported undelivered by the "carrier" (30003: unreachable handset).
UNDELIVERED_TO = {"+15005550010"}

_state = threading.local()
_executor_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def store() -> SandboxStore:
    if not hasattr(_state, "store"):
        _state.store = SandboxStore(connect(current_app.config["REDIS_URL"],
                                            decode_responses=True))
    return _state.store


def executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="callbacks")
        return _executor


def twilio_error(status: int, code: int, message: str):
    response = jsonify({"code": code, "message": message,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status})
    response.status_code = status
    return response


def authenticate(account_sid: str):
    """Basic auth with the account SID and auth token, as Twilio requires."""
    auth = request.authorization
    config = current_app.config
    if (auth is None or not hmac.compare_digest(auth.username or "", config["ACCOUNT_SID"])
            or not hmac.compare_digest(auth.password or "", config["AUTH_TOKEN"])):
        return twilio_error(401, 20003, "Authentication Error - invalid username")
    if account_sid != config["ACCOUNT_SID"]:
        return twilio_error(404, 20404, f"The requested resource /2010-04-01/Accounts/"
                                        f"{account_sid}/Messages.json was not found")
    return None


def _recipient(raw: str) -> Address:
    """A To address: a phone number, or on WhatsApp a business-scoped user id (US.1349…)."""
    if re.fullmatch(r"whatsapp:[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,64}", raw.strip()):
        return Address("whatsapp", raw.strip()[len("whatsapp:"):])
    return parse_address(raw)


def resource(record: dict) -> dict:
    body = {k: v for k, v in record.items() if not k.startswith("_")}
    return body


@bp.post(API + "/Messages.json")
def create(account_sid: str):
    if (denied := authenticate(account_sid)) is not None:
        return denied
    form = request.form
    to, sender = form.get("To", ""), form.get("From", "")
    service = form.get("MessagingServiceSid")
    body = form.get("Body", "")
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not sender and not service:
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not body and not form.get("MediaUrl") and not form.get("ContentSid"):
        return twilio_error(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY:
        return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 "
                                        "character limit.")
    try:
        to_addr = _recipient(to)
        from_addr = parse_address(sender) if sender else None
    except InvalidAddress:
        return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if from_addr and from_addr.channel != to_addr.channel:
        return twilio_error(400, 21910, "Invalid From and To pair. From and To should be of "
                                        "the same channel")
    numbers = current_app.config["NUMBERS"]
    if sender and numbers and sender not in numbers:
        return twilio_error(400, 21606, f"The From phone number {sender} is not a valid, "
                                        "SMS-capable inbound phone number or short code for "
                                        "your account.")
    if to_addr.number in MAGIC_TO:
        code, message = MAGIC_TO[to_addr.number]
        return twilio_error(400, code, message)
    st = store()
    if st.is_unsubscribed(to_addr.number):
        return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
    fault = st.next_fault()
    if fault is not None:
        code = 20429 if fault == 429 else 20500
        return twilio_error(fault, code, "Too Many Requests" if fault == 429 else
                            "An internal server error has occurred")

    now = time.time()
    sid = new_sid("SM")
    record = {
        "account_sid": account_sid, "api_version": "2010-04-01", "body": body,
        "date_created": rfc2822(now), "date_sent": None, "date_updated": rfc2822(now),
        "direction": "outbound-api", "error_code": None, "error_message": None,
        "from": sender or None, "messaging_service_sid": service,
        "num_media": "0", "num_segments": str(segments(body)), "price": None,
        "price_unit": "USD", "sid": sid, "status": "accepted" if service else "queued",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"},
        "to": to, "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "_status_callback": form.get("StatusCallback"),
        "_content_sid": form.get("ContentSid"),
        "_content_variables": form.get("ContentVariables"),
        "_at": now,  # when it was accepted, for benchmarks and rate checks
    }
    if service and not sender and numbers:
        record["from"] = next((n for n in numbers if parse_address(n).channel == to_addr.channel),
                              numbers[0])
    if record["_content_sid"]:
        # Twilio returns a template's rendered words, not what was posted.
        record["body"] = render_template(record["_content_variables"])
    st.save(record)
    if st.next_hold():
        # Held in Twilio's queue (a busy long code): no DateSent, no callback yet.
        pass
    elif current_app.config["CALLBACKS"] and record["_status_callback"]:
        app = current_app._get_current_object()
        executor().submit(_deliver, app, sid)
    else:
        st.update(sid, status="sent", date_sent=rfc2822(time.time()))
    response = jsonify(resource(record))
    response.status_code = 201
    return response


def render_template(variables: str | None) -> str:
    """The words of the sandbox's one approved template with its variable filled in."""
    try:
        values = json.loads(variables or "{}")
    except ValueError:
        values = {}
    return f"Mensaje de la Línea MPP: {values.get('1', '')}"


def _date_filters(args) -> list | None:
    """Twilio's DateSent, DateSent< and DateSent> filters as (op, datetime); None if bad.
    A message not sent yet (DateSent empty) never matches a DateSent filter."""
    found = []
    for name, op in (("DateSent", "="), ("DateSent<", "<"), ("DateSent>", ">")):
        raw = args.get(name)
        if not raw:
            continue
        raw = raw.lstrip("=")
        for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
            try:
                when = datetime.strptime(raw, fmt).replace(tzinfo=timezone.utc)
                break
            except ValueError:
                continue
        else:
            return None
        # A bare date means the whole day, as Twilio reads it.
        found.append((op if len(raw) > 10 or op != "=" else "day", when))
    return found


def _sent_matches(record: dict, filters: list) -> bool:
    if not filters:
        return True
    if not record.get("date_sent"):
        return False
    sent = parsedate_to_datetime(record["date_sent"])
    for op, when in filters:
        if op == "day" and sent.date() != when.date():
            return False
        if op == "=" and sent != when:
            return False
        if op == "<" and sent > when:
            return False
        if op == ">" and sent < when:
            return False
    return True


def _deliver(app, sid: str) -> None:
    """Move a message through sent -> delivered (or undelivered), calling back as Twilio does."""
    with app.app_context():
        delay = app.config["DELIVERY_DELAY"]
        st = store()
        record = st.get(sid)
        to_number = _recipient(record["to"]).number
        final = ("undelivered", 30003) if to_number in UNDELIVERED_TO else ("delivered", None)
        for status, error in (("sent", None), final):
            time.sleep(delay)
            fields = {"status": status, "date_updated": rfc2822(time.time())}
            if status == "sent":
                fields["date_sent"] = rfc2822(time.time())
            if error:
                fields["error_code"] = error
                fields["error_message"] = "Unreachable destination handset"
            record = st.update(sid, **fields)
            _callback(app, record)


def _callback(app, record: dict) -> None:
    url = record["_status_callback"]
    params = {
        "AccountSid": record["account_sid"], "ApiVersion": "2010-04-01",
        "From": record["from"] or "", "To": record["to"], "MessageSid": record["sid"],
        "SmsSid": record["sid"], "MessageStatus": record["status"],
        "SmsStatus": record["status"],
    }
    if record.get("error_code"):
        params["ErrorCode"] = str(record["error_code"])
    signature = RequestValidator(app.config["AUTH_TOKEN"]).compute_signature(url, params)
    try:
        requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
    except requests.RequestException as exc:
        log.warning("status callback to %s failed: %s", url, exc.__class__.__name__)


@bp.get(API + "/Messages/<sid>.json")
def fetch(account_sid: str, sid: str):
    if (denied := authenticate(account_sid)) is not None:
        return denied
    record = store().get(sid)
    if record is None:
        return twilio_error(404, 20404, f"The requested resource /2010-04-01/Accounts/"
                                        f"{account_sid}/Messages/{sid}.json was not found")
    return jsonify(resource(record))


@bp.get(API + "/Messages.json")
def list_messages(account_sid: str):
    if (denied := authenticate(account_sid)) is not None:
        return denied
    try:
        size = min(max(int(request.args.get("PageSize", 50)), 1), 1000)
        page = max(int(request.args.get("Page", 0)), 0)
    except ValueError:
        return twilio_error(400, 20001, "PageSize and Page must be numbers")
    to, sender = request.args.get("To"), request.args.get("From")
    dates = _date_filters(request.args)
    if dates is None:
        return twilio_error(400, 20001, "DateSent must be YYYY-MM-DD or an ISO 8601 time")
    if dates:
        everything, _ = store().page(to, sender, 0, 100_000)
        matching = [r for r in everything if _sent_matches(r, dates)]
        records, total = matching[page * size:(page + 1) * size], len(matching)
    else:
        records, total = store().page(to, sender, page * size, size)
    base = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
    filters = [(k, v) for k, v in (("To", to), ("From", sender)) if v]

    def uri(n: int) -> str:
        return f"{base}?" + urllib.parse.urlencode([("PageSize", size), ("Page", n), *filters])

    has_next = (page + 1) * size < total
    return jsonify({
        "messages": [resource(r) for r in records],
        "end": page * size + max(len(records) - 1, 0), "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if has_next else None,
        "page": page, "page_size": size,
        "previous_page_uri": uri(page - 1) if page else None,
        "start": page * size, "uri": uri(page),
    })


# Controls that real Twilio does not have; tests and benchmarks use them. ---------------------
def _control_auth():
    return authenticate(current_app.config["ACCOUNT_SID"])


@bp.before_request
def _guard_controls():
    if request.path.startswith("/_sandbox/"):
        return _control_auth()
    return None


@bp.post("/_sandbox/faults")
def faults():
    data = request.get_json(force=True)
    store().push_faults(int(data["status"]), int(data.get("count", 1)))
    return jsonify(ok=True)


# Media a person "sent": tests upload a file, post its URL as MediaUrl0, and the gateway
# fetches it back with the account's credentials, as from Twilio.
MEDIA_PATH = API + "/Messages/<message_sid>/Media/<media_sid>"


@bp.post("/_sandbox/media")
def upload_media():
    """Keep a file (raw body, its Content-Type) as media of a new inbound message; returns the
    URL Twilio would put in MediaUrl0."""
    kind = request.headers.get("Content-Type", "application/octet-stream")
    message_sid, media_sid = new_sid("MM"), new_sid("ME")
    store().save_media(media_sid, kind, request.get_data())
    account = current_app.config["ACCOUNT_SID"]
    url = (f"{request.host_url.rstrip('/')}/2010-04-01/Accounts/{account}/Messages/"
           f"{message_sid}/Media/{media_sid}")
    return jsonify(url=url, content_type=kind), 201


@bp.get(MEDIA_PATH)
def get_media(account_sid: str, message_sid: str, media_sid: str):
    # Twilio's media need the account's Basic auth when HTTP auth for media is on: always here.
    if (denied := authenticate(account_sid)) is not None:
        return denied
    found = store().media(media_sid)
    if found is None:
        return twilio_error(404, 20404, "The requested resource was not found")
    kind, data = found
    return current_app.response_class(data, mimetype=kind)


@bp.post("/_sandbox/hold")
def hold():
    """The next `count` messages stay queued (DateSent empty, no callback), as on a busy
    long code."""
    store().push_holds(int(request.get_json(force=True).get("count", 1)))
    return jsonify(ok=True)


@bp.post("/_sandbox/unsubscribe")
def unsubscribe():
    store().unsubscribe(parse_address(request.get_json(force=True)["number"]).number)
    return jsonify(ok=True)


@bp.get("/_sandbox/stats")
def stats():
    return jsonify(accepted=store().accepted())


@bp.post("/_sandbox/reset")
def reset():
    store().reset()
    return jsonify(ok=True)
