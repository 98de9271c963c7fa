"""The program's current status: dated configuration that operators change without retraining.

The sources disagree because they were written years apart, so the hotline never states a
status without the date it speaks for. The status lives in ``content/program_status.yml``;
``hotline status set`` stores an override in Redis that takes effect on the next message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from redis import Redis

STATES = ("processing", "suspended", "terminated", "reinstated")
REDIS_KEY = "hl:program_status"


class StatusError(ValueError):
    """The configured status is not one the catalogs can say."""


@dataclass(frozen=True)
class ProgramStatus:
    state: str
    since: date
    as_of: date

    def __post_init__(self):
        if self.state not in STATES:
            raise StatusError(f"state must be one of {', '.join(STATES)}; got {self.state!r}")
        if self.since > self.as_of:
            raise StatusError("'since' cannot be later than 'as_of'")

    @property
    def message_key(self) -> str:
        return f"status_{self.state}"

    @classmethod
    def from_mapping(cls, data: dict) -> "ProgramStatus":
        try:
            return cls(state=str(data["state"]), since=_day(data["since"]),
                       as_of=_day(data["as_of"]))
        except KeyError as exc:
            raise StatusError(f"program status needs {exc.args[0]!r}") from None


def _day(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise StatusError(f"dates are written YYYY-MM-DD; got {value!r}") from None


def load(path: Path, redis: Redis | None = None) -> ProgramStatus:
    """The status in force: an operator's override in Redis, else the content file."""
    if redis is not None:
        override = redis.hgetall(REDIS_KEY)
        if override:
            return ProgramStatus.from_mapping(override)
    data = yaml.safe_load(Path(path).read_text()) or {}
    return ProgramStatus.from_mapping(data.get("current") or {})


def store_override(redis: Redis, status: ProgramStatus) -> None:
    redis.hset(REDIS_KEY, mapping={"state": status.state, "since": status.since.isoformat(),
                                   "as_of": status.as_of.isoformat()})


def clear_override(redis: Redis) -> None:
    redis.delete(REDIS_KEY)
