"""What a broadcast is: the `Broadcast` record, and the checks that build one from a request.

Owns the validation of a broadcast request (the texts, from a catalog template or free text; the
audience filters; the send time; the rate; the WhatsApp template) and `BroadcastError`, whose
message tells the caller what to fix. Touches no Redis: storing a broadcast is `store`'s.

May import: core, contacts (the subscription topics), content, messaging.sms (the length
limit), registration.store (the statuses), runtime.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

from hotline.contacts import TOPICS
from hotline.content import answers, program_status
from hotline.content.catalogs import placeholders
from hotline.messaging.sms import MAX_BODY
from hotline.registration.store import STATUSES
from hotline.runtime import Runtime

MAX_TEXT = MAX_BODY
# `subscribed`: the people who asked to be told about a topic (e.g. "intake", AVISAME).
AUDIENCE_KEYS = {"language", "channel", "country", "city", "status", "registered", "subscribed"}


class BroadcastError(ValueError):
    """A broadcast request that cannot be sent as asked; the message says why."""


@dataclass
class Broadcast:
    id: str
    texts: dict  # language -> text
    audience: dict = field(default_factory=dict)
    template: str | None = None
    rate: float = 0.0
    content_sid: str | None = None
    send_at: float | None = None
    state: str = "draft"
    created_by: str = ""
    created_at: float = field(default_factory=time.time)
    total: int = 0

    def to_hash(self) -> dict:
        data = asdict(self)
        data["texts"] = json.dumps(self.texts, ensure_ascii=False)
        data["audience"] = json.dumps(self.audience)
        return {k: ("" if v is None else v) for k, v in data.items()}

    @classmethod
    def from_hash(cls, data: dict) -> Broadcast:
        return cls(
            id=data["id"], texts=json.loads(data["texts"]), audience=json.loads(data["audience"]),
            template=data.get("template") or None, rate=float(data.get("rate") or 0),
            content_sid=data.get("content_sid") or None,
            send_at=float(data["send_at"]) if data.get("send_at") else None,
            state=data["state"], created_by=data.get("created_by", ""),
            created_at=float(data["created_at"]), total=int(data.get("total") or 0))


def compose(rt: Runtime, spec: dict) -> tuple[dict, str | None]:
    """The text in each language, from a catalog template or free text; raises BroadcastError."""
    template, text, values = spec.get("template"), spec.get("text"), spec.get("values") or {}
    if bool(template) == bool(text):
        raise BroadcastError(
            "give either 'template' (a catalog id) or 'text' ({en, es}), not both")
    languages = rt.catalogs.languages
    if template:
        if not isinstance(template, str) or not rt.catalogs.has(template):
            raise BroadcastError(f"unknown template {template!r}")
        if not isinstance(values, dict):
            raise BroadcastError("'values' must be an object")
        # Today's wording (e.g. registration open or closed), with the status's own values.
        status = program_status.load(rt.settings.program_status_file, rt.redis)
        key = answers.resolve(template, status.situation, rt.catalogs)
        given = set(values) | set(status.values(languages[0], rt.catalogs))
        missing = placeholders(rt.catalogs.raw(key, "en")) - given
        if missing:
            raise BroadcastError(
                f"template {template!r} needs values for: {', '.join(sorted(missing))}")
        texts = {lang: answers.say(rt.catalogs, status, template, lang,
                                   **{k: str(v) for k, v in values.items()})
                 for lang in languages}
    else:
        if not isinstance(text, dict) or set(text) != set(languages) or not all(
                isinstance(t, str) and t.strip() for t in text.values()):
            raise BroadcastError(
                f"'text' must give a non-empty text for each of: {', '.join(languages)}")
        texts = {lang: text[lang].strip() for lang in languages}
    for lang, body in texts.items():
        if len(body) > MAX_TEXT:
            raise BroadcastError(
                f"the {lang} text has {len(body)} characters; the limit is {MAX_TEXT}")
    return texts, template


def parse_audience(raw) -> dict:
    """The audience filters of a request; everyone when none are given.

    >>> parse_audience("everyone"), parse_audience({"country": "mx", "registered": True})
    ({}, {'country': 'MX', 'registered': True})
    >>> parse_audience({"subscribed": "intake", "language": "es"})
    {'subscribed': 'intake', 'language': 'es'}
    >>> parse_audience({"planet": "mars"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hotline.outreach.spec.BroadcastError: audience filters are: channel, city, country, ...
    """
    if raw in (None, "", "everyone", {}):
        return {}
    if not isinstance(raw, dict) or set(raw) - AUDIENCE_KEYS:
        raise BroadcastError(f"audience filters are: {', '.join(sorted(AUDIENCE_KEYS))}")
    audience = {}
    for key, value in raw.items():
        if key == "language" and value not in ("en", "es"):
            raise BroadcastError("audience.language must be en or es")
        if key == "channel" and value not in ("sms", "whatsapp"):
            raise BroadcastError("audience.channel must be sms or whatsapp")
        if key == "status" and value not in STATUSES:
            raise BroadcastError(f"audience.status must be one of {', '.join(STATUSES)}")
        if key == "registered" and not isinstance(value, bool):
            raise BroadcastError("audience.registered must be true or false")
        if key == "country" and not (
                isinstance(value, str) and len(value) == 2 and value.isalpha()):
            raise BroadcastError("audience.country must be an ISO two-letter code")
        if key == "city" and not (isinstance(value, str) and value.strip()):
            raise BroadcastError("audience.city must be a name")
        if key == "subscribed" and value not in TOPICS:
            raise BroadcastError(f"audience.subscribed must be one of {', '.join(TOPICS)}")
        audience[key] = value.upper() if key == "country" else value
    return audience


def parse_send_at(raw) -> float | None:
    """When to send, as a timestamp; None for now. Needs a time zone, at most 90 days ahead."""
    if raw in (None, ""):
        return None
    try:
        when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise BroadcastError(
            "send_at must be an ISO 8601 time, e.g. 2026-12-01T15:00:00-06:00") from None
    if when.tzinfo is None:
        raise BroadcastError("send_at needs a time zone, e.g. 2026-12-01T15:00:00-06:00")
    if when < datetime.now(timezone.utc) - timedelta(minutes=1):
        raise BroadcastError("send_at is in the past")
    if when > datetime.now(timezone.utc) + timedelta(days=90):
        raise BroadcastError("send_at is more than 90 days ahead")
    return when.timestamp()


def build(rt: Runtime, spec: dict, actor: str) -> Broadcast:
    """A new draft broadcast from a request (API, CLI); raises BroadcastError."""
    if not isinstance(spec, dict):
        raise BroadcastError("expected a JSON object")
    texts, template = compose(rt, spec)
    rate = spec.get("rate", rt.settings.send_rate)
    # NaN passes both comparisons (and the CLI's float() reads "nan"): finite numbers only.
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) \
            or rate < 0 or rate > 10_000:
        raise BroadcastError("rate must be a number of messages per second (0 = no cap)")
    content_sid = spec.get("content_sid") or rt.settings.whatsapp_content_sid
    if content_sid is not None and not (
            isinstance(content_sid, str) and content_sid.startswith("HX")):
        raise BroadcastError("content_sid must be a Twilio Content SID (HX...)")
    return Broadcast(id="BC" + secrets.token_hex(8), texts=texts,
                     audience=parse_audience(spec.get("audience")), template=template,
                     rate=float(rate), content_sid=content_sid,
                     send_at=parse_send_at(spec.get("send_at")), created_by=actor)
