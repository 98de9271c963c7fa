"""Where each answer comes from, when it is true, and which wording a situation gets.

``content/answers.yml`` has one entry per catalog id: the sources the text rests on (a seed
document ``000``–``004``, a value operators set, ``config``, or the hotline's own behaviour,
``hotline``), the program states and intake situations it holds for, who reviewed it and when,
and whether it is about travel (then it must carry the border line).

A catalog id ``X`` may have variants ``X@intake_open``, ``X@intake_closed`` and ``X@<state>``;
the renderer says the first that exists of ``X@intake_<open|closed>``, ``X@<state>``, ``X``.

>>> class Ids:
...     def has(self, key): return key in {"a", "a@intake_closed", "b", "b@reinstated"}
>>> (resolve("a", Situation("reinstated", False), Ids()),
...  resolve("a", Situation("reinstated", True), Ids()))
('a@intake_closed', 'a')
>>> (resolve("b", Situation("reinstated", False), Ids()),
...  resolve("b", Situation("processing", False), Ids()))
('b@reinstated', 'b')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from hotline.content.program_status import STATES, Situation

__all__ = ["Answer", "AnswersError", "Situation", "Source", "due_soon", "load", "overdue",
           "parse", "resolve", "say", "variants"]

SEEDS = ("000", "001", "002", "003", "004", "config", "hotline")
INTAKE = ("open", "closed")
DUE_SOON_DAYS = 30


class AnswersError(ValueError):
    """answers.yml is missing an entry, or an entry is incomplete or malformed."""


@dataclass(frozen=True)
class Source:
    seed: str
    part: str


@dataclass(frozen=True)
class Answer:
    id: str
    sources: tuple[Source, ...]
    states: tuple[str, ...]
    intake: tuple[str, ...]
    reviewed_by: str
    reviewed_on: date
    travel: bool = False

    @property
    def base(self) -> str:
        return base_of(self.id)

    def holds(self, situation: Situation) -> bool:
        return situation.state in self.states and situation.intake in self.intake

    def review_due(self, review_days: int) -> date:
        return self.reviewed_on + timedelta(days=review_days)


def base_of(answer_id: str) -> str:
    return answer_id.split("@", 1)[0]


def variants(answer_id: str, situation: Situation) -> list[str]:
    """The catalog ids that could say this answer in this situation, most specific first."""
    return [f"{answer_id}@intake_{situation.intake}", f"{answer_id}@{situation.state}", answer_id]


def resolve(answer_id: str, situation: Situation, catalogs) -> str:
    """The catalog id to say for an answer in this situation (the id itself when none exists)."""
    if "@" in answer_id:
        return answer_id
    return next((key for key in variants(answer_id, situation) if catalogs.has(key)), answer_id)


def _reviewed(entry_id: str, raw) -> tuple[str, date]:
    if not isinstance(raw, dict):
        raise AnswersError(f"{entry_id}: 'reviewed' is {{by, 'on'}}")
    # YAML reads a bare `on:` key as the boolean True; accept it, the quoted 'on' and `date`.
    when = next((raw[k] for k in ("on", True, "date") if k in raw), None)
    by = str(raw.get("by") or "").strip()
    if not by:
        raise AnswersError(f"{entry_id}: 'reviewed' needs who reviewed it ('by')")
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, date):
        raise AnswersError(f"{entry_id}: 'reviewed' needs the review date ('on': YYYY-MM-DD)")
    return by, when


def _entry(entry_id: str, raw) -> Answer:
    if not isinstance(raw, dict):
        raise AnswersError(f"{entry_id}: an entry is a mapping")
    unknown_keys = set(raw) - {"sources", "holds_for", "reviewed", "travel"}
    if unknown_keys:
        raise AnswersError(f"{entry_id}: unknown keys {sorted(map(str, unknown_keys))}")
    sources = []
    for source in raw.get("sources") or []:
        seed = str(source.get("seed") if isinstance(source, dict) else "")
        part = str(source.get("part") or "").strip() if isinstance(source, dict) else ""
        if seed not in SEEDS:
            raise AnswersError(f"{entry_id}: unknown source {seed!r} (one of {', '.join(SEEDS)})")
        if not part:
            raise AnswersError(f"{entry_id}: source {seed} needs the part it rests on")
        sources.append(Source(seed, part))
    if not sources:
        raise AnswersError(f"{entry_id}: no sources")
    holds = raw.get("holds_for") or {}
    if not isinstance(holds, dict) or set(holds) - {"states", "intake"}:
        raise AnswersError(f"{entry_id}: holds_for is {{states: [...], intake: [...]}}")
    # A missing key means every state (every intake situation); an empty list is a mistake.
    states = tuple(str(s) for s in holds["states"] or ()) if "states" in holds else STATES
    intake = tuple(str(i) for i in holds["intake"] or ()) if "intake" in holds else INTAKE
    if not states or set(states) - set(STATES):
        raise AnswersError(f"{entry_id}: holds_for states are some of {', '.join(STATES)}")
    if not intake or set(intake) - set(INTAKE):
        raise AnswersError(f"{entry_id}: holds_for intake is some of {', '.join(INTAKE)}")
    travel = raw.get("travel", False)
    if not isinstance(travel, bool):
        raise AnswersError(f"{entry_id}: travel is true or false")
    by, on = _reviewed(entry_id, raw.get("reviewed"))
    return Answer(entry_id, tuple(sources), states, intake, by, on, travel)


def parse(data: dict, catalog_ids: set[str] | None = None) -> dict[str, Answer]:
    """Every entry checked; with catalog_ids, one entry per catalog id and no other."""
    if not isinstance(data, dict):
        raise AnswersError("answers.yml is a mapping from catalog id to entry")
    entries = {str(k): _entry(str(k), v) for k, v in data.items()}
    if catalog_ids is not None:
        missing, extra = sorted(catalog_ids - entries.keys()), sorted(entries.keys() - catalog_ids)
        if missing:
            raise AnswersError(f"catalog ids without an entry in answers.yml: {missing[:10]}")
        if extra:
            raise AnswersError(f"entries in answers.yml that are not catalog ids: {extra[:10]}")
    for entry in entries.values():
        suffix = entry.id.partition("@")[2]
        if suffix and suffix not in {f"intake_{i}" for i in INTAKE} | set(STATES):
            raise AnswersError(f"{entry.id}: unknown variant '@{suffix}'")
    return entries


def load(path: Path, catalog_ids: set[str] | None = None) -> dict[str, Answer]:
    return parse(yaml.safe_load(Path(path).read_text()) or {}, catalog_ids)


def overdue(entries, today: date, review_days: int) -> list[Answer]:
    """Answers whose last review is older than the review period."""
    items = entries.values() if isinstance(entries, dict) else entries
    return sorted((a for a in items if a.review_due(review_days) < today), key=lambda a: a.id)


def due_soon(entries, today: date, review_days: int, within: int = DUE_SOON_DAYS) -> list[Answer]:
    """Answers not yet overdue whose review falls due within `within` days."""
    items = entries.values() if isinstance(entries, dict) else entries
    limit = today + timedelta(days=within)
    return sorted((a for a in items if today <= a.review_due(review_days) <= limit),
                  key=lambda a: a.id)


def wording(catalogs, status, answer_id: str, lang: str, /, **values) -> tuple[str, str]:
    """(catalog id, words) of an answer today: the variant for the status's situation, with the
    values the status gives (dates, organizations, who runs the hotline) filled in the person's
    language."""
    key = resolve(answer_id, status.situation, catalogs)
    return key, catalogs.text(key, lang, **{**values, **status.values(lang, catalogs)})


def say(catalogs, status, answer_id: str, lang: str, /, **values) -> str:
    """An answer's words today (see `wording`)."""
    return wording(catalogs, status, answer_id, lang, **values)[1]
