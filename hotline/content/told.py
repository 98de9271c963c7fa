"""What each person was told: which answer, in which wording and version, and when.

When the NLG endpoint renders an answer for a contact, `record` keeps the base answer id (the
catalog id without its ``@`` variant), the catalog id actually said, the content version of that
entry (a short hash of its texts in every language) and the time. When a status change or a
content edit makes an answer untrue, `corrections` finds who was told it, from these records.

Owns the keys ``hl:told:c:{contact_id}`` (a hash: base answer id -> "catalog id|version|time",
plus "|corrected time" once a correction was sent for it), ``hl:told:a:{answer}`` (a sorted set:
contact id -> when last told that answer, only while not corrected) and ``hl:told:answers`` (every
answer told, by when last told). Nothing here names a person beyond the pseudonymous contact id.
Everything expires after the retention period (`Settings.told_days`); `forget` removes a contact
from all of it.

May import: core, content.catalogs.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache

from redis import Redis

_CONTACT = "hl:told:c:{}"
_ANSWER = "hl:told:a:{}"
_ANSWERS = "hl:told:answers"
_SEP = "|"
DAY = 24 * 3600


@dataclass(frozen=True)
class Told:
    """One answer one person was told: the latest time they were told it."""

    contact_id: str
    answer: str  # the base answer id, e.g. utter_next_steps or status_reinstated
    catalog_id: str  # what was said, e.g. utter_next_steps@intake_closed
    version: str
    at: float
    corrected_at: float | None = None

    def encode(self) -> str:
        parts = [self.catalog_id, self.version, repr(self.at)]
        return _SEP.join(parts + ([repr(self.corrected_at)] if self.corrected_at else []))

    @classmethod
    def decode(cls, contact_id: str, answer: str, raw: str) -> Told:
        """
        >>> told = Told.decode("c1", "a", "a@intake_open|3f2a|1700000000.5")
        >>> told.catalog_id, told.version, told.at, told.corrected_at
        ('a@intake_open', '3f2a', 1700000000.5, None)
        >>> Told.decode("c1", "a", told.encode() + "|1700000100.0").corrected_at
        1700000100.0
        """
        catalog_id, version, at, *corrected = raw.split(_SEP)
        return cls(contact_id, answer, catalog_id, version, float(at),
                   float(corrected[0]) if corrected else None)


@lru_cache(maxsize=4096)
def content_version(catalogs, catalog_id: str) -> str:
    """A short hash of the entry's texts in every language: it changes when either is edited.

    Catalogs are loaded once per process and never change in it, hence the cache.
    """
    if not catalogs.has(catalog_id):
        return "-"
    texts = "\x1f".join(f"{lang}\x1e{catalogs.raw(catalog_id, lang)}"
                        for lang in catalogs.languages)
    return hashlib.sha256(texts.encode()).hexdigest()[:12]


def base_of(catalog_id: str) -> str:
    return catalog_id.split("@", 1)[0]


def record(redis: Redis, contact_id: str, catalog_id: str, version: str, keep_days: int,
           at: float | None = None) -> None:
    """Remember that this person was just told this wording (and so its answer, the catalog id
    without its variant) in this version."""
    at = time.time() if at is None else at
    answer = base_of(catalog_id)
    keep = keep_days * DAY
    contact, index = _CONTACT.format(contact_id), _ANSWER.format(answer)
    pipe = redis.pipeline(transaction=False)
    pipe.hset(contact, answer, Told(contact_id, answer, catalog_id, version, at).encode())
    pipe.expire(contact, keep)
    pipe.zadd(index, {contact_id: at})
    # Bounded: an index only ever holds the retention period.
    pipe.zremrangebyscore(index, "-inf", at - keep)
    pipe.expire(index, keep)
    pipe.zadd(_ANSWERS, {answer: at})
    pipe.zremrangebyscore(_ANSWERS, "-inf", at - keep)
    pipe.execute()


def of_contact(redis: Redis, contact_id: str) -> list[Told]:
    """Everything this person was told (the latest telling of each answer), by answer id."""
    data = redis.hgetall(_CONTACT.format(contact_id))
    return [Told.decode(contact_id, answer, raw) for answer, raw in sorted(data.items())]


def answers(redis: Redis) -> list[str]:
    """Every answer someone was told within the retention period."""
    return redis.zrange(_ANSWERS, 0, -1)


def uncorrected(redis: Redis, since: float, until: float = float("inf"),
                batch: int = 1000) -> list[Told]:
    """Every telling between `since` and `until` for which no correction was sent yet."""
    found = []
    for answer in answers(redis):
        ids = redis.zrangebyscore(_ANSWER.format(answer), since, until)
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            pipe = redis.pipeline(transaction=False)
            for contact_id in chunk:
                pipe.hget(_CONTACT.format(contact_id), answer)
            for contact_id, raw in zip(chunk, pipe.execute()):
                if raw:
                    entry = Told.decode(contact_id, answer, raw)
                    if entry.corrected_at is None:
                        found.append(entry)
    return found


def recipients(redis: Redis, answer: str, days: int, now: float | None = None) -> int:
    """How many people were told this answer (not yet corrected) in the last `days`."""
    now = time.time() if now is None else now
    return redis.zcount(_ANSWER.format(base_of(answer)), now - days * DAY, "+inf")


def settle(redis: Redis, entries: list[Told], at: float | None = None) -> None:
    """A correction was sent for these tellings: mark them corrected and take them out of the
    indexes, so no later change corrects the person for them again. What they were told stays
    in their record (until it expires), marked corrected."""
    at = time.time() if at is None else at
    pipe = redis.pipeline(transaction=False)
    for entry in entries:
        contact = _CONTACT.format(entry.contact_id)
        corrected = Told(entry.contact_id, entry.answer, entry.catalog_id, entry.version,
                         entry.at, at)
        # Only if they were not told it again meanwhile (the field would hold a newer time).
        pipe.eval(_SETTLE, 2, contact, _ANSWER.format(entry.answer), entry.answer,
                  entry.encode(), corrected.encode(), entry.contact_id)
    pipe.execute()


# KEYS: the contact's hash, the answer's index; ARGV: answer, value seen, corrected, contact id.
_SETTLE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[4])
  return 1
end
return 0
"""


def forget(redis: Redis, contact_id: str) -> int:
    """Remove this person from every record and index; returns how many answers they held."""
    contact = _CONTACT.format(contact_id)
    held = redis.hkeys(contact)
    pipe = redis.pipeline(transaction=False)
    # Every index, not only those the record names: the record may have expired before them.
    for answer in set(held) | set(answers(redis)):
        pipe.zrem(_ANSWER.format(answer), contact_id)
    pipe.delete(contact)
    pipe.execute()
    return len(held)
