"""Pictures and files a person sent, for the operator reading their conversation.

The browser never sees Twilio's URL: it asks the console for "media N of message SID"; the
gateway checks that this operator may read that conversation (as for its transcript), fetches
the file with the account's credentials, only from Twilio's API for this account, and passes it
on if its type is on the allow-list and it is not too big. Erasure and expiry drop the message
record, and with it every way to the file. Its routes join the console's blueprint.
"""

from __future__ import annotations

import logging

import requests
from flask import Response, abort
from flask_login import login_required

from ..context import runtime
from .views import _audit, _held, bp

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
# What a browser may be handed: pictures, voice notes, short videos and PDFs. Nothing that can
# run script in the console's origin (no SVG, no HTML).
ALLOWED_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp",
    "audio/ogg", "audio/mpeg", "audio/amr", "audio/mp4", "audio/aac",
    "video/mp4", "video/3gpp", "application/pdf",
})
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for a video; MMS stays under 5 MB
TIMEOUT = (5, 30)


def media_base(settings) -> str:
    """Where this account's media live: Twilio's API (or the sandbox standing in for it)."""
    base = (settings.twilio_api_base_url or TWILIO_API).rstrip("/")
    return f"{base}/2010-04-01/Accounts/{settings.twilio_account_sid}/Messages/"


@bp.get("/media/<sid>/<int:index>")
@login_required
def media(sid: str, index: int):
    rt = runtime()
    msg = rt.messages.load_inbound(sid)
    if msg is None or not 0 <= index < len(msg.media):
        abort(404)  # never sent, expired, or erased with the person's messages
    _held(msg.contact_id)
    item = msg.media[index]
    url = item.get("url") or ""
    if not url.startswith(media_base(rt.settings)) or ".." in url:
        # Only Twilio's own links carry our credentials, whatever a record says.
        log.warning("media %s/%s refused: not a Twilio media link of this account", sid, index)
        abort(404)
    if _kind(item.get("content_type")) not in ALLOWED_TYPES:
        abort(415, "this kind of file is not shown in the console")
    try:
        upstream = requests.get(url, auth=(rt.settings.twilio_account_sid,
                                           rt.settings.twilio_auth_token),
                                timeout=TIMEOUT, stream=True)
    except requests.RequestException as exc:
        log.warning("media %s/%s: Twilio unreachable (%s)", sid, index, exc.__class__.__name__)
        abort(502, "the file could not be fetched now")
    with upstream:
        if upstream.status_code != 200:
            log.warning("media %s/%s: Twilio answered %s", sid, index, upstream.status_code)
            abort(404 if upstream.status_code == 404 else 502, "the file is not available")
        kind = _kind(upstream.headers.get("Content-Type"))
        if kind not in ALLOWED_TYPES:
            abort(415, "this kind of file is not shown in the console")
        data = _read_capped(upstream)
    _audit("media", msg.contact_id, message_sid=sid, index=index)
    disposition = "inline" if kind.startswith(("image/", "audio/", "video/")) else "attachment"
    return Response(data, mimetype=kind, headers={
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f'{disposition}; filename="{sid}-{index}"',
    })


def _kind(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _read_capped(upstream: requests.Response) -> bytes:
    declared = upstream.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        abort(413, "the file is too big to show")
    chunks, size = [], 0
    for chunk in upstream.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            abort(413, "the file is too big to show")
        chunks.append(chunk)
    return b"".join(chunks)
