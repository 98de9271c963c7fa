"""Sending corrections: one message per person told an answer a change made untrue.

`plan` takes what `content.corrections` found outdated and keeps the people who can be written
to (not opted out, not erased), by language and channel; `send` with `dry_run` only counts, and
otherwise sends the catalog's ``correction.outdated`` (``{date}``: the day of the change, in each
person's language) as a broadcast: rate-capped, claimed once per person, the opt-out checked
again at the moment of sending (`sender`). A person gets at most one correction per change
(`content.corrections.claim`), and what they were corrected for is settled (`told.settle`).

May import: core, content (catalogs, corrections, told), outreach (spec, audience, runner),
runtime.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field

from hotline.content import corrections, told
from hotline.content.catalogs import format_day
from hotline.outreach import audience, runner
from hotline.outreach.spec import Broadcast
from hotline.runtime import Runtime


@dataclass
class Plan:
    """Who would get a correction for a change, and why."""

    outdated: corrections.Outdated
    recipients: list[str] = field(default_factory=list)  # reachable, in a stable order
    by_language: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    opted_out: int = 0

    @property
    def count(self) -> int:
        return len(self.recipients)

    @property
    def ids(self) -> list[str]:
        return self.outdated.ids

    @property
    def change(self) -> corrections.Change | None:
        return self.outdated.change

    def as_dict(self) -> dict:
        return {"change": self.change.id if self.change else None, "count": self.count,
                "days": self.outdated.days, "ids": self.ids, "by_language": self.by_language,
                "by_channel": self.by_channel, "opted_out": self.opted_out}


def plan(rt: Runtime, change: corrections.Change, days: int = corrections.DEFAULT_DAYS) -> Plan:
    """The people told, in the last `days`, an answer this change (or a content edit) made
    untrue, and not corrected for it yet; opted-out people are counted apart, never included."""
    return _reachable(rt, corrections.outdated_by(rt, change, days))


def _reachable(rt: Runtime, outdated: corrections.Outdated) -> Plan:
    result = Plan(outdated)
    languages, channels = Counter(), Counter()
    for cid, lang, channel, opted in audience.reach(rt, outdated.contacts):
        if opted:
            result.opted_out += 1
            continue
        result.recipients.append(cid)
        languages[lang] += 1
        channels[channel] += 1
    result.by_language, result.by_channel = dict(languages), dict(channels)
    return result


def texts(rt: Runtime, change: corrections.Change) -> dict[str, str]:
    """The correction in each language, naming the day of the change."""
    return {lang: rt.catalogs.text(corrections.TEMPLATE, lang, date=format_day(change.day, lang))
            for lang in rt.catalogs.languages}


def send(rt: Runtime, plan: Plan, actor: str, dry_run: bool = True) -> dict:
    """Send the plan's corrections (dry run: count them, send nothing).

    Returns the plan's counts, the texts, and after a real send the broadcast id and how many
    it went to (people already corrected for this change by an earlier send are left out).
    """
    change = plan.change
    if change is None:
        raise ValueError("no recorded status change to correct")
    result = {**plan.as_dict(), "texts": texts(rt, change), "dry_run": dry_run,
              "broadcast": None, "sent_to": 0}
    if dry_run or not plan.recipients:
        return result
    keep = rt.settings.told_days
    fresh = corrections.claim(rt.redis, change.id, plan.recipients, keep)
    if not fresh:
        return result
    sending = corrections.new_sending(rt.redis, fresh, keep)
    told.settle(rt.redis, plan.outdated.of(fresh))
    bc = Broadcast(id="BC" + secrets.token_hex(8), texts=result["texts"],
                   audience={audience.CORRECTION: sending}, template=corrections.TEMPLATE,
                   rate=rt.settings.send_rate, content_sid=rt.settings.whatsapp_content_sid,
                   created_by=actor)
    bc = runner.submit(rt, bc)
    return {**result, "broadcast": bc.id, "sent_to": len(fresh)}
