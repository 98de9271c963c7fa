"""Messages the assistant did not understand, kept for a while so supervisors can teach it.

When the assistant answers with its clarifying menu (`utter_default`) or says it still does not
understand (`utter_default_human`), the NLG endpoint `record`s the person's message, the topics
the model hesitated between and when; the next answer the same person gets from a later message
is `note_next`d on it ("what they chose next": the menu option, a rephrased question). In the
console supervisors see them `grouped`, and `label` one with the topic it should have been
(the console audits who did); `./hotline.sh nlu export-labeled` writes the labelled ones as
training examples, masked (`mask`).

Owns the keys ``hl:nlu:miss`` (a sorted set: entry id -> when), ``hl:nlu:miss:e:{id}`` (a hash:
contact, text encrypted with the vault like every message text, language, the model's top
topics, next answer, label, who labelled) and ``hl:nlu:miss:c:{contact_id}`` (a sorted set of
that person's entries, for `note_next` and `forget`). Entries expire after `days`; `forget`
removes a person's at once.

May import: core.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from redis import Redis

from hotline.crypto import Vault
from hotline.text import fold, normalize

INDEX = "hl:nlu:miss"
_ENTRY = "hl:nlu:miss:e:{}"
_CONTACT = "hl:nlu:miss:c:{}"
DAY = 24 * 3600
# The responses that mean "I did not understand": the menu, then "I still don't understand".
MISSED = ("utter_default", "utter_default_human")
# A later answer counts as what the person chose next only this soon after.
NEXT_WITHIN = 3600


@dataclass
class Missed:
    id: str
    contact_id: str
    text: str
    lang: str
    at: float
    response: str
    ranking: list[str] = field(default_factory=list)
    next: str | None = None
    label: str | None = None
    labeled_by: str | None = None


def record(redis: Redis, vault: Vault, contact_id: str, text: str, lang: str, response: str,
           ranking: list[str], message_id: str | None, days: int) -> str | None:
    """Keep one message not understood; None for an empty one or one already kept (Rasa
    renders the menu once per message, but a retried turn may render it again)."""
    text = normalize(text)
    if not text or not contact_id:
        return None
    entry_id = (message_id or uuid.uuid4().hex)[:64]
    key = _ENTRY.format(entry_id)
    if redis.exists(key):
        return None
    now = time.time()
    ttl = days * DAY
    pipe = redis.pipeline(transaction=True)
    pipe.hset(key, mapping={"contact": contact_id, "text": vault.encrypt(text), "lang": lang,
                            "at": repr(now), "response": response,
                            "ranking": json.dumps(ranking[:3])})
    pipe.expire(key, ttl)
    pipe.zadd(INDEX, {entry_id: now})
    pipe.zadd(_CONTACT.format(contact_id), {entry_id: now})
    pipe.expire(_CONTACT.format(contact_id), ttl)
    pipe.zremrangebyscore(INDEX, 0, now - ttl)
    pipe.execute()
    return entry_id


def note_next(redis: Redis, contact_id: str, answer: str, message_id: str | None) -> bool:
    """Note the answer a later message of this person got on their latest entry not yet
    followed (within NEXT_WITHIN); the message the entry is about is not its own next."""
    latest = redis.zrevrange(_CONTACT.format(contact_id), 0, 0, withscores=True)
    if not latest:
        return False
    entry_id, at = latest[0]
    if time.time() - at > NEXT_WITHIN or (message_id and entry_id == message_id[:64]):
        return False
    key = _ENTRY.format(entry_id)
    if answer in MISSED:
        return False
    return bool(redis.hsetnx(key, "next", answer)) if redis.exists(key) else False


def recent(redis: Redis, vault: Vault, days: int = 7, limit: int = 2000) -> list[Missed]:
    """The entries of the last `days`, newest first."""
    ids = redis.zrevrangebyscore(INDEX, "+inf", time.time() - days * DAY, start=0, num=limit)
    found = []
    for entry_id in ids:
        entry = get(redis, vault, entry_id)
        if entry is not None:
            found.append(entry)
    return found


def get(redis: Redis, vault: Vault, entry_id: str) -> Missed | None:
    raw = redis.hgetall(_ENTRY.format(entry_id))
    if not raw:
        return None
    try:
        text = vault.decrypt(raw["text"])
    except ValueError:
        return None  # encrypted with a key since retired: unreadable, as intended
    return Missed(id=entry_id, contact_id=raw["contact"], text=text, lang=raw.get("lang", ""),
                  at=float(raw["at"]), response=raw.get("response", ""),
                  ranking=json.loads(raw.get("ranking") or "[]"), next=raw.get("next"),
                  label=raw.get("label"), labeled_by=raw.get("labeled_by"))


def label(redis: Redis, entry_id: str, intent: str, operator: str) -> bool:
    """Set the topic a message should have been; False when it is gone (expired, erased)."""
    key = _ENTRY.format(entry_id)
    if not redis.exists(key):
        return False
    redis.hset(key, mapping={"label": intent, "labeled_by": operator})
    return True


def group_key(text: str) -> str:
    """Messages that differ only in case, accents, punctuation or numbers group together.

    >>> group_key("¿Es GRATIS el registro?") == group_key("es gratis el registro")
    True
    """
    return re.sub(r"\d+", "0", fold(text))


def grouped(entries: list[Missed]) -> list[dict]:
    """Entries grouped by `group_key`, the largest groups first, each with its count, its
    latest entry, the answers people got next and the label it was given, if any."""
    groups: dict[str, dict] = {}
    for entry in entries:
        group = groups.setdefault(group_key(entry.text), {
            "entry": entry, "count": 0, "next": Counter(), "label": None, "contacts": set()})
        group["count"] += 1
        group["contacts"].add(entry.contact_id)
        if entry.next:
            group["next"][entry.next] += 1
        group["label"] = group["label"] or entry.label
    return sorted(({**g, "people": len(g.pop("contacts")), "next": g["next"].most_common(3)}
                   for g in groups.values()),
                  key=lambda g: (-g["count"], -g["entry"].at))


def labeled(redis: Redis, vault: Vault, days: int = 3650) -> list[Missed]:
    return [e for e in recent(redis, vault, days, limit=100_000) if e.label]


def forget(redis: Redis, contact_id: str) -> int:
    """Remove every entry of this person; returns how many."""
    key = _CONTACT.format(contact_id)
    ids = redis.zrange(key, 0, -1)
    pipe = redis.pipeline(transaction=False)
    for entry_id in ids:
        pipe.delete(_ENTRY.format(entry_id))
        pipe.zrem(INDEX, entry_id)
    pipe.delete(key)
    pipe.execute()
    return len(ids)


# --- masking, for training data ------------------------------------------------------------
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")
_A_NUMBER = re.compile(r"\b[aA][\s#.-]*(?:\d[\s.-]?){7,8}\d\b")
_BARE_A_NUMBER = re.compile(r"\b\d{8,9}\b")
_NAME_AFTER = re.compile(
    r"\b(me llamo|mi nombre es|my name is|me dicen|soy la|soy el|i am|i'm|im|soy)\s+"
    r"((?:[A-ZÁÉÍÓÚÑ][\w'’-]+)(?:\s+(?:de\s+la\s+|del\s+|de\s+)?[A-ZÁÉÍÓÚÑ][\w'’-]+){0,3})")
_CAPITALISED_PAIR = re.compile(r"\b([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\b")
_PLACES = ("tijuana", "mexicali", "juarez", "ciudad juarez", "nuevo laredo", "matamoros",
           "reynosa", "piedras negras", "nogales", "monterrey", "tapachula", "saltillo",
           "chihuahua", "hermosillo", "ensenada", "acuna", "ciudad de mexico", "cdmx",
           "guadalajara", "el paso", "houston", "san antonio", "san diego", "los angeles",
           "brownsville", "mcallen", "laredo", "dallas", "phoenix", "miami", "chicago",
           "new york", "nueva york", "colonia \\w+", "col \\w+")
_PLACE = re.compile(r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p in _PLACES) + r")\b",
                    re.I)


def mask(text: str) -> str:
    """The message with phone numbers, A-numbers, names and places replaced by placeholders,
    fit to be a training example.

    >>> mask("me llamo Ana Ruiz, estoy en Reynosa, mi numero es +52 899 123 4567")
    'me llamo PERSONA, estoy en LUGAR, mi numero es TELEFONO'
    >>> mask("mi A es A 012 345 678 y vivo en la colonia Libertad")
    'mi A es NUMERO_A y vivo en la LUGAR'
    """
    text = normalize(text)
    text = _A_NUMBER.sub("NUMERO_A", text)
    text = _BARE_A_NUMBER.sub("NUMERO_A", text)
    text = _PHONE.sub("TELEFONO", text)
    text = _PLACE.sub("LUGAR", text)
    text = _NAME_AFTER.sub(lambda m: f"{m[1]} PERSONA", text)
    # Two capitalised words in the middle of a sentence are most likely a name.
    text = _CAPITALISED_PAIR.sub(lambda m: m[0] if m.start() == 0 else "PERSONA", text)
    return text
