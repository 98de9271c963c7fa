"""Corrections: which answers a status change or a content edit made untrue, and who was told them.

Every change of the program status (`set_status`, used by ``hotline status set`` and the
console) is recorded with the status before and after it. A telling (`told.Told`) is outdated
by a change, if it was told before the change, when

- the answer's wording for the situation differs between before and after (``X@intake_open``
  becomes ``X@intake_closed``, ``X@reinstated`` becomes ``X``);
- it is a ``status_*`` answer and the program's state changed;
- its text uses a status value that changed: ``since``, ``organizations``, ``legal_orgs``,
  ``run_by``. Not ``as_of`` and ``intake_as_of``: they say when the facts were last checked, and
  checking the same facts again does not make an answer given earlier untrue;
- answers.yml says the wording held before and no longer holds.

Whatever the change, a telling is outdated when the catalog entry it said was edited since (its
content version differs) or removed. Each person gets at most one correction per change
(`claim`), and a telling a correction was sent for is settled (`told.settle`). Sending goes
through the broadcasts (`hotline.outreach.corrections`); the people of one sending are kept here
(`sending_recipients`), which the broadcast's audience names.

Owns the keys ``hl:corr:change:{id}`` (the change: when, by whom, the status before and after),
``hl:corr:changes`` (changes by time), ``hl:corr:sent:{change id}`` (who got a correction for
it), ``hl:corr:to:{sending id}`` (the people of one sending) and ``hl:corr:sends`` (sendings by
time). `forget` takes a person out of all of them.

May import: core, content (catalogs, answers, program_status, told).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from redis import Redis

from hotline.content import answers as answer_meta
from hotline.content import program_status, told
from hotline.content.catalogs import placeholders
from hotline.content.program_status import ProgramStatus

TEMPLATE = "correction.outdated"
DEFAULT_DAYS = 30
# The status values whose change makes an answer that says them untrue (see the docstring).
OUTDATING_VALUES = ("since", "organizations", "legal_orgs", "run_by")
KEEP_CHANGES = 200

_CHANGE = "hl:corr:change:{}"
_CHANGES = "hl:corr:changes"
_SENT = "hl:corr:sent:{}"
_SENDING = "hl:corr:to:{}"
_SENDINGS = "hl:corr:sends"


# changes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One change of the status in force: when, on which day, by whom, before and after."""

    id: str
    at: float
    day: date
    actor: str
    before: ProgramStatus
    after: ProgramStatus


def today(settings) -> date:
    """The day where the hotline works (corrections name it to people there)."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def set_status(rt, new: ProgramStatus | None, actor: str) -> Change:
    """Put a status in force (None: the content file's again) and record the change; it applies
    to the next message."""
    settings, redis = rt.settings, rt.redis
    before = program_status.load(settings.program_status_file, redis)
    if new is None:
        program_status.clear_override(redis)
    else:
        program_status.store_override(redis, new)
    after = program_status.load(settings.program_status_file, redis)
    return record_change(redis, before, after, actor, today(settings))


def record_change(redis: Redis, before: ProgramStatus, after: ProgramStatus, actor: str,
                  day: date, at: float | None = None) -> Change:
    change = Change("CH" + secrets.token_hex(6), time.time() if at is None else at, day, actor,
                    before, after)
    pipe = redis.pipeline()
    pipe.hset(_CHANGE.format(change.id), mapping={
        "id": change.id, "at": repr(change.at), "day": day.isoformat(), "actor": actor,
        "before": json.dumps(before.as_mapping(), ensure_ascii=False),
        "after": json.dumps(after.as_mapping(), ensure_ascii=False)})
    pipe.zadd(_CHANGES, {change.id: change.at})
    pipe.execute()
    for old in redis.zrange(_CHANGES, 0, -KEEP_CHANGES - 1):
        redis.delete(_CHANGE.format(old), _SENT.format(old))
        redis.zrem(_CHANGES, old)
    return change


def get_change(redis: Redis, change_id: str) -> Change | None:
    data = redis.hgetall(_CHANGE.format(change_id))
    if not data.get("id"):
        return None
    return Change(data["id"], float(data["at"]), date.fromisoformat(data["day"]), data["actor"],
                  ProgramStatus.from_mapping(json.loads(data["before"])),
                  ProgramStatus.from_mapping(json.loads(data["after"])))


def last_change(redis: Redis) -> Change | None:
    """The latest recorded change of the status, if any."""
    newest = redis.zrevrange(_CHANGES, 0, 0)
    return get_change(redis, newest[0]) if newest else None


# what a change makes untrue --------------------------------------------------------------------
class Difference:
    """What changed between two statuses, as far as the answers' words are concerned."""

    def __init__(self, before: ProgramStatus, after: ProgramStatus, catalogs, entries=None):
        self.before, self.after, self.catalogs = before, after, catalogs
        self.entries = entries or {}
        self.state_changed = before.state != after.state
        self.changed_values = frozenset(
            name for lang in catalogs.languages
            for name, value in before.values(lang, catalogs).items()
            if name in OUTDATING_VALUES and after.values(lang, catalogs)[name] != value)

    def outdates(self, answer: str, catalog_id: str) -> bool:
        """Whether someone told `catalog_id` (for `answer`) under the status before was told
        something the status after makes untrue."""
        before, after = self.before.situation, self.after.situation
        if answer.startswith("status_") and self.state_changed:
            return True
        if (answer_meta.resolve(answer, before, self.catalogs)
                != answer_meta.resolve(answer, after, self.catalogs)):
            return True
        if self.catalogs.has(catalog_id) and \
                placeholders(self.catalogs.raw(catalog_id, self.catalogs.languages[0])) \
                & self.changed_values:
            return True
        meta = self.entries.get(catalog_id)
        return bool(meta and meta.holds(before) and not meta.holds(after))


@dataclass
class Outdated:
    """The tellings a change (or a content edit) made untrue, in the period looked at."""

    change: Change | None
    days: int
    entries: list[told.Told] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # answer id -> "status" | "content"

    @property
    def ids(self) -> list[str]:
        return sorted(self.reasons)

    @property
    def contacts(self) -> list[str]:
        return sorted({e.contact_id for e in self.entries})

    @property
    def count(self) -> int:
        return len(self.contacts)

    def of(self, contact_ids) -> list[told.Told]:
        wanted = set(contact_ids)
        return [e for e in self.entries if e.contact_id in wanted]


@lru_cache(maxsize=2)
def _entries(path: str, modified: float) -> dict:
    """answers.yml, read again only when it changes (the console counts on every view)."""
    return answer_meta.load(Path(path))


def outdated(rt, before: ProgramStatus, after: ProgramStatus, days: int,
             changed_at: float | None = None, change: Change | None = None,
             now: float | None = None) -> Outdated:
    """Who, told something in the last `days` and not corrected since, was told what the
    change from `before` to `after` (at `changed_at`, default now) or a content edit made
    untrue. People a correction for `change` already went to are left out."""
    now = time.time() if now is None else now
    changed_at = now if changed_at is None else changed_at
    catalogs = rt.catalogs
    path = rt.settings.answers_file
    difference = Difference(before, after, catalogs, _entries(str(path), path.stat().st_mtime))
    corrected = rt.redis.smembers(_SENT.format(change.id)) if change else set()
    result = Outdated(change, days)
    for entry in told.uncorrected(rt.redis, now - days * told.DAY):
        if entry.contact_id in corrected:
            continue
        if told.content_version(catalogs, entry.catalog_id) != entry.version:
            reason = "content"
        elif entry.at <= changed_at and difference.outdates(entry.answer, entry.catalog_id):
            reason = "status"
        else:
            continue
        result.entries.append(entry)
        result.reasons.setdefault(entry.answer, reason)
    return result


def outdated_by(rt, change: Change, days: int, now: float | None = None) -> Outdated:
    """`outdated` for a recorded change."""
    return outdated(rt, change.before, change.after, days, change.at, change, now)


def describe(result: Outdated, count: int | None = None) -> str:
    """'N people received answers ... (ids)', as the CLI says it; `count` instead of everyone
    found (the people who can be written to)."""
    ids = [f"{i} (edited)" if result.reasons[i] == "content" else i for i in result.ids]
    listed = ", ".join(ids[:12]) + (f", … {len(ids) - 12} more" if len(ids) > 12 else "")
    count = result.count if count is None else count
    who = "1 person" if count == 1 else f"{count} people"
    return (f"{who} received answers this change makes outdated in the last {result.days} days"
            + (f" ({listed})" if ids else ""))


# sending -----------------------------------------------------------------------------------------
def claim(redis: Redis, change_id: str, contact_ids: list[str], keep_days: int) -> list[str]:
    """Mark these people as corrected for this change; returns those not marked before (two
    sendings for one change never correct the same person twice)."""
    pipe = redis.pipeline(transaction=False)
    for contact_id in contact_ids:
        pipe.sadd(_SENT.format(change_id), contact_id)
    pipe.expire(_SENT.format(change_id), keep_days * told.DAY)
    won = pipe.execute()[:len(contact_ids)]
    return [cid for cid, new in zip(contact_ids, won) if new]


def new_sending(redis: Redis, contact_ids: list[str], keep_days: int) -> str:
    """Keep the people of one sending (its broadcast's audience names it); returns its id."""
    sending_id = "CS" + secrets.token_hex(6)
    pipe = redis.pipeline()
    pipe.sadd(_SENDING.format(sending_id), *contact_ids)
    pipe.expire(_SENDING.format(sending_id), keep_days * told.DAY)
    pipe.zadd(_SENDINGS, {sending_id: time.time()})
    pipe.zremrangebyscore(_SENDINGS, "-inf", time.time() - keep_days * told.DAY)
    pipe.execute()
    return sending_id


def sending_recipients(redis: Redis, sending_id: str) -> list[str]:
    """The people of one sending, in a stable order."""
    return sorted(redis.smembers(_SENDING.format(sending_id)))


def forget(redis: Redis, contact_id: str) -> int:
    """Take this person out of every change's and sending's list; returns from how many."""
    keys = [_SENT.format(c) for c in redis.zrange(_CHANGES, 0, -1)]
    keys += [_SENDING.format(s) for s in redis.zrange(_SENDINGS, 0, -1)]
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.srem(key, contact_id)
    return sum(pipe.execute())
