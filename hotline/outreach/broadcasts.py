"""Broadcasts: one message to many people, each in their language, once, and accounted for.

A broadcast is a record, then a frozen list of recipients (the audience at the moment it
starts), then chunks of that list claimed by RQ jobs. Each recipient's state is claimed with
HSETNX before Twilio is called, so a restarted broadcast, a second worker or a re-run chunk
never sends anyone the same broadcast twice. A chunk whose worker died (no heartbeat) is run
again by the next job or the sweeper; a recipient left "sending" by the dead worker is first
looked up at Twilio, so there is no gap and no duplicate.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

import requests
from twilio.base.exceptions import TwilioRestException

from hotline.messaging import routing
from hotline.contacts import ALL as ALL_CONTACTS
from hotline.contacts import Contact, contact_key
from hotline.content import answers, program_status
from hotline.content.catalogs import placeholders
from hotline.messaging.outbound import (is_transient, mark_permanent_failure, message_content,
                                        wire_body)
from hotline.outreach.ratelimit import RateLimiter
from hotline.registration.store import BY_CONTACT, RECORD, STATUSES
from hotline.runtime import BROADCAST_QUEUE, Runtime

log = logging.getLogger(__name__)

KEY = "hl:bc:{}"
INDEX = "hl:bc:index"
BY_TWILIO_SID = "hl:bcsid:{}"
MAX_TEXT = 1600
CHUNK = 250
RUNNERS = 2
TRANSIENT_WAITS = (0.5, 1, 2, 4, 8)
AUDIENCE_KEYS = {"language", "channel", "country", "city", "status", "registered"}


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
    def from_hash(cls, data: dict) -> "Broadcast":
        return cls(
            id=data["id"], texts=json.loads(data["texts"]), audience=json.loads(data["audience"]),
            template=data.get("template") or None, rate=float(data.get("rate") or 0),
            content_sid=data.get("content_sid") or None,
            send_at=float(data["send_at"]) if data.get("send_at") else None,
            state=data["state"], created_by=data.get("created_by", ""),
            created_at=float(data["created_at"]), total=int(data.get("total") or 0))


# --- building a broadcast ------------------------------------------------------------------
def compose(rt: Runtime, spec: dict) -> tuple[dict, str | None]:
    """The text in each language, from a catalog template or free text; raises BroadcastError."""
    template, text, values = spec.get("template"), spec.get("text"), spec.get("values") or {}
    if bool(template) == bool(text):
        raise BroadcastError("give either 'template' (a catalog id) or 'text' ({en, es}), not both")
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
            raise BroadcastError(f"template {template!r} needs values for: {', '.join(sorted(missing))}")
        texts = {lang: answers.say(rt.catalogs, status, template, lang,
                                   **{k: str(v) for k, v in values.items()})
                 for lang in languages}
    else:
        if not isinstance(text, dict) or set(text) != set(languages) or not all(
                isinstance(t, str) and t.strip() for t in text.values()):
            raise BroadcastError(f"'text' must give a non-empty text for each of: {', '.join(languages)}")
        texts = {lang: text[lang].strip() for lang in languages}
    for lang, body in texts.items():
        if len(body) > MAX_TEXT:
            raise BroadcastError(f"the {lang} text has {len(body)} characters; the limit is {MAX_TEXT}")
    return texts, template


def parse_audience(raw) -> dict:
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
        if key == "country" and not (isinstance(value, str) and len(value) == 2 and value.isalpha()):
            raise BroadcastError("audience.country must be an ISO two-letter code")
        if key == "city" and not (isinstance(value, str) and value.strip()):
            raise BroadcastError("audience.city must be a name")
        audience[key] = value.upper() if key == "country" else value
    return audience


def parse_send_at(raw) -> float | None:
    if raw in (None, ""):
        return None
    try:
        when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise BroadcastError("send_at must be an ISO 8601 time, e.g. 2026-12-01T15:00:00-06:00") from None
    if when.tzinfo is None:
        raise BroadcastError("send_at needs a time zone, e.g. 2026-12-01T15:00:00-06:00")
    if when < datetime.now(timezone.utc) - timedelta(minutes=1):
        raise BroadcastError("send_at is in the past")
    if when > datetime.now(timezone.utc) + timedelta(days=90):
        raise BroadcastError("send_at is more than 90 days ahead")
    return when.timestamp()


def build(rt: Runtime, spec: dict, actor: str) -> Broadcast:
    if not isinstance(spec, dict):
        raise BroadcastError("expected a JSON object")
    texts, template = compose(rt, spec)
    rate = spec.get("rate", rt.settings.send_rate)
    if not isinstance(rate, (int, float)) or rate < 0 or rate > 10_000:
        raise BroadcastError("rate must be a number of messages per second (0 = no cap)")
    content_sid = spec.get("content_sid") or rt.settings.whatsapp_content_sid
    if content_sid is not None and not (isinstance(content_sid, str) and content_sid.startswith("HX")):
        raise BroadcastError("content_sid must be a Twilio Content SID (HX...)")
    return Broadcast(id="BC" + secrets.token_hex(8), texts=texts,
                     audience=parse_audience(spec.get("audience")), template=template,
                     rate=float(rate), content_sid=content_sid,
                     send_at=parse_send_at(spec.get("send_at")), created_by=actor)


# --- the audience --------------------------------------------------------------------------
def audience_members(rt: Runtime, audience: dict, batch: int = 1000):
    """(contact id, language, opted out) for everyone the filters select, in a stable order."""
    ids = sorted(rt.redis.smembers(ALL_CONTACTS))
    wants_registration = bool({"country", "city", "status", "registered"} & set(audience))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        pipe = rt.redis.pipeline(transaction=False)
        for cid in chunk:
            pipe.hmget(contact_key(cid), "language", "last_channel", "opted_out")
        contacts = pipe.execute()
        regs = [None] * len(chunk)
        if wants_registration:
            pipe = rt.redis.pipeline(transaction=False)
            for cid in chunk:
                pipe.get(BY_CONTACT.format(cid))
            refs = pipe.execute()
            pipe = rt.redis.pipeline(transaction=False)
            for ref in refs:
                pipe.hmget(RECORD.format(ref or "-"), "status", "location_country",
                           "location_city", "citizenship")
            regs = pipe.execute()
        for cid, (lang, channel, opted), reg in zip(chunk, contacts, regs):
            lang = lang or rt.settings.default_language
            if audience.get("language") and audience["language"] != lang:
                continue
            if audience.get("channel") and audience["channel"] != (channel or "sms"):
                continue
            if wants_registration:
                status, country, city, citizenship = reg
                if "registered" in audience and audience["registered"] != bool(status):
                    continue
                if audience.get("status") and audience["status"] != status:
                    continue
                if audience.get("country") and audience["country"] not in (country, citizenship):
                    continue
                if audience.get("city") and audience["city"].casefold() not in (city or "").casefold():
                    continue
            yield cid, lang, opted == "1"


def dry_run(rt: Runtime, bc: Broadcast) -> dict:
    by_language, opted_out = Counter(), 0
    for _, lang, opted in audience_members(rt, bc.audience):
        if opted:
            opted_out += 1
        else:
            by_language[lang] += 1
    return {"audience": sum(by_language.values()), "opted_out": opted_out,
            "by_language": dict(by_language), "samples": bc.texts}


# --- starting and running ------------------------------------------------------------------
def save(rt: Runtime, bc: Broadcast) -> None:
    rt.redis.hset(KEY.format(bc.id), mapping=bc.to_hash())
    rt.redis.zadd(INDEX, {bc.id: bc.created_at})


def load(rt: Runtime, bc_id: str) -> Broadcast | None:
    data = rt.redis.hgetall(KEY.format(bc_id))
    return Broadcast.from_hash(data) if data.get("id") else None


def submit(rt: Runtime, bc: Broadcast) -> Broadcast:
    """Freeze the audience now (or at send_at) and queue the sending."""
    preview = dry_run(rt, bc)
    if preview["audience"] == 0:
        raise BroadcastError("the audience is empty: nobody would receive this broadcast")
    save(rt, bc)
    if bc.send_at and bc.send_at > time.time() + 1:
        bc.state = "scheduled"
        rt.redis.hset(KEY.format(bc.id), "state", "scheduled")
        rt.queue(BROADCAST_QUEUE).enqueue_at(
            datetime.fromtimestamp(bc.send_at, tz=timezone.utc), "hotline.jobs.start_broadcast",
            bc.id)
        return bc
    return start(rt, bc.id)


def start(rt: Runtime, bc_id: str) -> Broadcast:
    key = KEY.format(bc_id)
    # Only the first start freezes the list; a repeated start resumes the same list.
    if rt.redis.hsetnx(key, "frozen_at", time.time()):
        members = [cid for cid, _, _ in audience_members(rt, load(rt, bc_id).audience)]
        for i in range(0, len(members), 5000):
            rt.redis.rpush(key + ":rcpt", *members[i:i + 5000])
        rt.redis.hset(key, mapping={"total": len(members), "state": "sending",
                                    "started_at": time.time()})
    elif rt.redis.hget(key, "state") in ("done", "cancelled"):
        return load(rt, bc_id)
    else:
        rt.redis.hset(key, "state", "sending")
    for _ in range(RUNNERS):
        enqueue_runner(rt, bc_id)
    return load(rt, bc_id)


def enqueue_runner(rt: Runtime, bc_id: str) -> None:
    rt.queue(BROADCAST_QUEUE).enqueue("hotline.jobs.run_broadcast", bc_id, job_timeout=3600)


def cancel(rt: Runtime, bc_id: str) -> bool:
    key = KEY.format(bc_id)
    if rt.redis.hget(key, "state") in ("draft", "scheduled", "sending"):
        rt.redis.hset(key, "state", "cancelled")
        return True
    return False


def _stale(rt: Runtime) -> int:
    """A chunk or a "sending" claim this old belongs to a dead worker."""
    return rt.settings.broadcast_stale_seconds


def _claim_chunk(rt: Runtime, bc_id: str, total: int, token: str) -> tuple[int, bool] | None:
    """(start index, taken over) of a chunk nobody else is running; None when none is left."""
    key = KEY.format(bc_id)
    start = rt.redis.incrby(key + ":cursor", CHUNK) - CHUNK
    if start < total:
        rt.redis.hset(key + ":owner", start, token)
        rt.redis.hset(key + ":chunks", start, time.time())
        return start, False
    # Everything was handed out: take over a chunk whose runner stopped beating.
    now = time.time()
    for chunk_start, beat in rt.redis.hgetall(key + ":chunks").items():
        if beat != "done" and now - float(beat) > _stale(rt):
            script = ("if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
                      "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) "
                      "redis.call('HSET', KEYS[2], ARGV[1], ARGV[4]) return 1 end return 0")
            if rt.redis.eval(script, 2, key + ":chunks", key + ":owner", chunk_start, beat, now,
                             token):
                log.warning("broadcast %s: taking over stale chunk %s", bc_id, chunk_start)
                return int(chunk_start), True
    return None


def _beat(rt: Runtime, bc_id: str, start: int, token: str) -> bool:
    """Refresh our chunk's heartbeat; False when another runner has taken it over."""
    key = KEY.format(bc_id)
    script = ("if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
              "redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) return 1 end return 0")
    return bool(rt.redis.eval(script, 2, key + ":owner", key + ":chunks", start, token,
                              time.time()))


def run(rt: Runtime, bc_id: str, threads: int | None = None) -> int:
    """Send chunks of one broadcast until none is left; returns how many this runner sent.

    Each call runs one chunk and queues itself again, so replies to people (queued ahead of
    broadcasts) are never stuck behind a whole broadcast.
    """
    bc = load(rt, bc_id)
    key = KEY.format(bc_id)
    if bc is None or bc.state != "sending":
        return 0
    token = secrets.token_hex(8)
    claimed = _claim_chunk(rt, bc_id, bc.total, token)
    if claimed is None:
        _finish_if_done(rt, bc)
        return 0
    start, taken_over = claimed
    ids = rt.redis.lrange(key + ":rcpt", start, start + CHUNK - 1)
    sender = Sender(rt, bc, taken_over=taken_over)
    threads = threads or rt.settings.broadcast_threads
    results = []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for i in range(0, len(ids), threads * 4):
            if not _beat(rt, bc_id, start, token):
                log.warning("broadcast %s: chunk %s was taken over; stopping", bc_id, start)
                return sum(1 for r in results if r == "sent")
            if rt.redis.hget(key, "state") != "sending":
                return sum(1 for r in results if r == "sent")  # cancelled
            results += pool.map(sender.send, sender.claim(ids[i:i + threads * 4]))
    if rt.redis.hget(key + ":owner", start) == token:
        rt.redis.hset(key + ":chunks", start, "done")
    enqueue_runner(rt, bc_id)
    return sum(1 for r in results if r == "sent")


def _finish_if_done(rt: Runtime, bc: Broadcast) -> None:
    key = KEY.format(bc.id)
    chunks = rt.redis.hgetall(key + ":chunks")
    expected = -(-bc.total // CHUNK)
    if len(chunks) >= expected and all(v == "done" for v in chunks.values()):
        if rt.redis.hget(key, "state") == "sending":
            rt.redis.hset(key, mapping={"state": "done", "finished_at": time.time()})
            log.info("broadcast %s done", bc.id)


def resume_stalled(rt: Runtime) -> int:
    """For the sweeper: broadcasts still sending whose chunks went quiet get a runner again."""
    resumed = 0
    for bc_id in rt.redis.zrange(INDEX, 0, -1):
        key = KEY.format(bc_id)
        if rt.redis.hget(key, "state") != "sending":
            continue
        beats = [v for v in rt.redis.hgetall(key + ":chunks").values() if v != "done"]
        quiet = not beats or all(time.time() - float(b) > _stale(rt) for b in beats)
        if quiet and rt.redis.set(f"hl:bc:resume:{bc_id}", 1, nx=True, ex=_stale(rt)):
            enqueue_runner(rt, bc_id)
            resumed += 1
    return resumed


class Sender:
    """Sends one broadcast: claims and contacts a batch at a time, Twilio calls from threads."""

    def __init__(self, rt: Runtime, bc: Broadcast, taken_over: bool = False):
        self.rt = rt
        self.bc = bc
        # In a chunk taken over from a dead runner, its "sending" claims are in doubt.
        self.taken_over = taken_over
        self.state_key = KEY.format(bc.id) + ":st"
        self._limiters: dict[str, RateLimiter] = {}
        self.callback = rt.settings.status_callback_url if rt.settings.broadcast_callbacks else None

    def claim(self, ids: list[str]) -> list[tuple[str, Contact | None]]:
        """Claim a batch of recipients and read their contacts, in two round trips.

        Only recipients claimed here (or, in a taken-over chunk, left "sending" by the dead
        runner and not found at Twilio) are returned to be sent.
        """
        r = self.rt.redis
        now = time.time()
        pipe = r.pipeline(transaction=False)
        for contact_id in ids:
            pipe.hsetnx(self.state_key, contact_id, f"sending:{now}")
        claimed = pipe.execute()
        ours = [cid for cid, won in zip(ids, claimed) if won]
        if self.taken_over:
            lost = [c for c, won in zip(ids, claimed) if not won]
            for contact_id, state in zip(lost, r.hmget(self.state_key, lost) if lost else []):
                # A dead runner's claim: did Twilio accept that attempt before it died?
                if (state or "").startswith("sending:") and not self._accepted_earlier(contact_id):
                    ours.append(contact_id)
        pipe = r.pipeline(transaction=False)
        for contact_id in ours:
            pipe.hgetall(contact_key(contact_id))
        return [(cid, Contact.from_hash(cid, data, self.rt.vault) if data else None)
                for cid, data in zip(ours, pipe.execute())]

    def send(self, item: tuple[str, Contact | None]) -> str:
        contact_id, contact = item
        if contact is None:
            return self._finish(contact_id, "skip:no_contact")
        try:
            route = routing.choose(contact, self.rt.settings.hotline_numbers, self.bc.content_sid)
        except routing.NoRoute as exc:
            return self._finish(contact_id, f"skip:{exc.reason}")
        body = self.bc.texts.get(contact.language or "") or self.bc.texts[
            self.rt.settings.default_language]
        for wait in (*TRANSIENT_WAITS, None):
            self.limiter(route.sender).wait()
            try:
                message = self._create(route, body)
            except TwilioRestException as exc:
                if is_transient(exc) and wait is not None:
                    time.sleep(wait)
                    continue
                return self._failed(contact_id, exc.code or exc.status)
            except requests.RequestException:
                if wait is not None:
                    time.sleep(wait)
                    continue
                return self._failed(contact_id, "timeout")
            pipe = self.rt.redis.pipeline(transaction=False)
            pipe.set(BY_TWILIO_SID.format(message.sid), f"{self.bc.id} {contact_id}",
                     ex=self.rt.settings.message_ttl_seconds)
            pipe.hset(self.state_key, contact_id, f"sent:{message.sid}:{route.via}")
            pipe.execute()
            return "sent"
        return "failed"  # pragma: no cover - the loop always returns

    def limiter(self, sender: str) -> RateLimiter:
        """The rate is per sending number (or Messaging Service), shared by every worker."""
        key = self.rt.settings.twilio_messaging_service_sid or sender
        if key not in self._limiters:
            self._limiters[key] = RateLimiter(self.rt.redis, f"send:{key}", self.bc.rate)
        return self._limiters[key]

    def _create(self, route: routing.Route, body: str):
        params = {"to": route.to, "from_": route.sender,
                  **message_content(wire_body(route.to, body), route.content_sid)}
        if self.callback:
            params["status_callback"] = self.callback
        return self.rt.twilio.messages.create(**params)

    def _failed(self, contact_id: str, code) -> str:
        mark_permanent_failure(self.rt, contact_id, code)
        return self._finish(contact_id, f"fail:{code}", "failed")

    def _finish(self, contact_id: str, state: str, result: str | None = None) -> str:
        self.rt.redis.hset(self.state_key, contact_id, state)
        return result or state.split(":", 1)[0]

    def _accepted_earlier(self, contact_id: str) -> bool:
        """Whether Twilio holds this broadcast's message to the contact; records it if so."""
        contact = self.rt.contacts.get(contact_id)
        if contact is None or not contact.number:
            return False
        since = datetime.fromtimestamp(self.bc.created_at - 60, tz=timezone.utc)
        for to in (contact.number, f"whatsapp:{contact.number}"):
            texts = {form for t in self.bc.texts.values() for form in (t, wire_body(to, t))}
            for m in self.rt.twilio.messages.list(to=to, date_sent_after=since, limit=50):
                if m.body in texts:
                    self.rt.redis.set(BY_TWILIO_SID.format(m.sid), f"{self.bc.id} {contact_id}",
                                      ex=self.rt.settings.message_ttl_seconds)
                    self._finish(contact_id, f"sent:{m.sid}:recovered")
                    return True
        return False


# --- delivery and the report ---------------------------------------------------------------
def record_delivery(rt: Runtime, twilio_sid: str, status: str, error_code: str | None) -> bool:
    """A status callback for a broadcast message; False if the sid is not a broadcast's."""
    owner = rt.redis.get(BY_TWILIO_SID.format(twilio_sid))
    if not owner:
        return False
    bc_id, contact_id = owner.split(" ", 1)
    value = f"{status}:{error_code}" if error_code else status
    # Callbacks can arrive out of order: never move a message back from a final state.
    script = """
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if cur and (string.find(cur, '^delivered') or string.find(cur, '^read') or
                string.find(cur, '^undelivered') or string.find(cur, '^failed')) and
       not string.find(ARGV[3], '^read') then return 0 end
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1
    """
    rt.redis.eval(script, 1, KEY.format(bc_id) + ":dlv", contact_id, value, status)
    return True


def report(rt: Runtime, bc_id: str) -> dict | None:
    bc = load(rt, bc_id)
    if bc is None:
        return None
    key = KEY.format(bc_id)
    states = rt.redis.hvals(key + ":st")
    deliveries = rt.redis.hvals(key + ":dlv")
    counts = Counter()
    failed_by_code, skipped_by_reason, via = Counter(), Counter(), Counter()
    for state in states:
        kind, _, rest = state.partition(":")
        if kind == "sent":
            counts["sent"] += 1
            via[rest.rsplit(":", 1)[-1]] += 1
        elif kind == "skip":
            if rest == "opted_out":
                counts["opted_out"] += 1
            else:
                counts["skipped"] += 1
                skipped_by_reason[rest] += 1
        elif kind == "fail":
            counts["failed"] += 1
            failed_by_code[rest] += 1
        else:
            counts["in_progress"] += 1
    delivered = Counter(d.split(":", 1)[0] for d in deliveries)
    for d in deliveries:
        status, _, code = d.partition(":")
        if status in ("failed", "undelivered"):
            failed_by_code[code or status] += 1
    meta = rt.redis.hmget(key, "started_at", "finished_at")
    return {
        "id": bc.id, "state": rt.redis.hget(key, "state"), "template": bc.template,
        "audience": bc.audience, "rate": bc.rate,
        "send_at": datetime.fromtimestamp(bc.send_at, tz=timezone.utc).isoformat() if bc.send_at else None,
        "total": bc.total, "queued": max(bc.total - len(states), 0) + counts["in_progress"],
        "sent": counts["sent"], "delivered": delivered["delivered"] + delivered["read"],
        "read": delivered["read"], "undelivered": delivered["undelivered"],
        "failed": counts["failed"] + delivered["failed"] + delivered["undelivered"],
        "failed_by_code": dict(failed_by_code), "opted_out": counts["opted_out"],
        "skipped": counts["skipped"], "skipped_by_reason": dict(skipped_by_reason),
        "via": dict(via),
        "started_at": float(meta[0]) if meta[0] else None,
        "finished_at": float(meta[1]) if meta[1] else None,
    }


def recent(rt: Runtime, count: int = 20) -> list[str]:
    return rt.redis.zrevrange(INDEX, 0, count - 1)
