"""The program's current status: dated configuration that operators change without retraining.

The sources disagree because they were written years apart, so the hotline never states a
status without the date it speaks for. Beside the program's state, the status says whether the
hotline takes registrations now (the intake, dated on its own), which organizations receive
registrations or offer legal help, and who runs the hotline: the facts the answers name.

It lives in ``content/program_status.yml``; ``hotline status set`` stores the whole document as
JSON in Redis, which takes effect on the next message (the renderer loads it per message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml
from babel.lists import format_list
from redis import Redis

from hotline.content.catalogs import Catalogs, format_day

STATES = ("processing", "suspended", "terminated", "reinstated")
ROLES = ("registrations", "legal_help")
REDIS_KEY = "hl:program_status"
# Catalog texts said in place of a value operators have not set.
NO_ORGANIZATIONS = "orgs.none"
NO_RUN_BY = "run_by.none"


class StatusError(ValueError):
    """The configured status is not one the catalogs can say truthfully."""


def _day(value, what: str = "dates") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise StatusError(f"{what} are written YYYY-MM-DD; got {value!r}") from None


@dataclass(frozen=True)
class Organization:
    """An organization operators confirmed: its name, how to reach it, what it does for people."""

    name: str
    contact: str
    roles: tuple[str, ...]

    def __post_init__(self):
        if not self.name.strip() or not self.contact.strip():
            raise StatusError("an organization needs a name and how to reach it")
        unknown = set(self.roles) - set(ROLES)
        if unknown or not self.roles:
            raise StatusError(f"an organization's roles are some of {', '.join(ROLES)}; "
                              f"got {list(self.roles)!r} for {self.name!r}")

    @classmethod
    def from_mapping(cls, data: dict) -> Organization:
        if not isinstance(data, dict):
            raise StatusError(f"an organization is {{name, contact, roles}}; got {data!r}")
        roles = data.get("roles") or ()
        roles = (roles,) if isinstance(roles, str) else tuple(str(r) for r in roles)
        return cls(str(data.get("name") or "").strip(), str(data.get("contact") or "").strip(),
                   roles)

    @classmethod
    def parse(cls, spec: str) -> Organization:
        """'Name|how to reach them|role,role' as operators type it on the command line.

        >>> Organization.parse("Casa X|+52 000 000 0000|registrations, legal_help").roles
        ('registrations', 'legal_help')
        """
        parts = [p.strip() for p in spec.split("|")]
        if len(parts) != 3:
            raise StatusError(f"--org is 'Name|contact|roles' (roles: {', '.join(ROLES)}); "
                              f"got {spec!r}")
        name, contact, roles = parts
        return cls(name, contact, tuple(r.strip() for r in roles.split(",") if r.strip()))

    def as_text(self) -> str:
        return f"{self.name} ({self.contact})"

    def as_mapping(self) -> dict:
        return {"name": self.name, "contact": self.contact, "roles": list(self.roles)}


@dataclass(frozen=True)
class Situation:
    """What an answer's wording depends on: the program's state and whether intake is open."""

    state: str
    intake_open: bool

    @property
    def intake(self) -> str:
        return "open" if self.intake_open else "closed"


@dataclass(frozen=True)
class Intake:
    """Whether the hotline takes registrations, since when, and when that was last checked."""

    open: bool
    since: date
    as_of: date

    def __post_init__(self):
        if self.since > self.as_of:
            raise StatusError("intake 'since' cannot be later than its 'as_of'")

    @classmethod
    def from_mapping(cls, data: dict) -> Intake:
        if not isinstance(data, dict):
            raise StatusError(f"intake is {{open, since, as_of}}; got {data!r}")
        try:
            is_open = data["open"]
            if not isinstance(is_open, bool):
                raise StatusError(f"intake 'open' is true or false; got {is_open!r}")
            return cls(is_open, _day(data["since"]), _day(data["as_of"]))
        except KeyError as exc:
            raise StatusError(f"intake needs {exc.args[0]!r}") from None


@dataclass(frozen=True)
class ProgramStatus:
    state: str
    since: date
    as_of: date
    # Without an intake, none is known open: closed, as of the status's own date.
    intake: Intake | None = None
    organizations: tuple[Organization, ...] = ()
    run_by: str | None = None  # who runs the hotline, as people should read it; operators set it

    def __post_init__(self):
        if self.state not in STATES:
            raise StatusError(f"state must be one of {', '.join(STATES)}; got {self.state!r}")
        if self.since > self.as_of:
            raise StatusError("'since' cannot be later than 'as_of'")
        if self.intake is None:
            object.__setattr__(self, "intake", Intake(False, self.since, self.as_of))
        object.__setattr__(self, "organizations", tuple(self.organizations))
        object.__setattr__(self, "run_by", (self.run_by or "").strip() or None)
        if self.intake.open and not self.receiving():
            raise StatusError(
                "intake cannot be open while no organization receives registrations: add one "
                "with the role 'registrations' (--org 'Name|contact|registrations'), or close it")

    @property
    def message_key(self) -> str:
        return f"status_{self.state}"

    @property
    def situation(self) -> Situation:
        return Situation(self.state, self.intake.open)

    def receiving(self) -> tuple[Organization, ...]:
        return tuple(o for o in self.organizations if "registrations" in o.roles)

    def legal_help(self) -> tuple[Organization, ...]:
        return tuple(o for o in self.organizations if "legal_help" in o.roles)

    def age_days(self, today: date) -> int:
        """Days since the older of the two checked facts (the state, the intake)."""
        return (today - min(self.as_of, self.intake.as_of)).days

    def stale(self, today: date, max_age_days: int) -> bool:
        """Whether the state or the intake was last verified more than max_age_days ago."""
        return self.age_days(today) > max_age_days

    def values(self, lang: str, catalogs: Catalogs) -> dict[str, str]:
        """The placeholders the answers fill from the status, in the person's language."""
        none = catalogs.text(NO_ORGANIZATIONS, lang)
        return {
            "since": format_day(self.since, lang),
            "as_of": format_day(self.as_of, lang),
            "intake_as_of": format_day(self.intake.as_of, lang),
            "organizations": _listing(self.receiving(), lang) or none,
            "legal_orgs": _listing(self.legal_help(), lang) or none,
            "run_by": self.run_by or catalogs.text(NO_RUN_BY, lang),
        }

    @classmethod
    def from_mapping(cls, data: dict) -> ProgramStatus:
        if not isinstance(data, dict):
            raise StatusError(f"the program status is a mapping; got {data!r}")
        try:
            state, since, as_of = str(data["state"]), _day(data["since"]), _day(data["as_of"])
        except KeyError as exc:
            raise StatusError(f"program status needs {exc.args[0]!r}") from None
        intake = Intake.from_mapping(data["intake"]) if data.get("intake") is not None else None
        orgs = data.get("organizations") or []
        if not isinstance(orgs, list):
            raise StatusError("organizations is a list of {name, contact, roles}")
        run_by = data.get("run_by")
        if run_by is not None and not isinstance(run_by, str):
            raise StatusError(f"run_by is a name; got {run_by!r}")
        return cls(state, since, as_of, intake, tuple(Organization.from_mapping(o) for o in orgs),
                   run_by)

    def as_mapping(self) -> dict:
        return {
            "state": self.state, "since": self.since.isoformat(), "as_of": self.as_of.isoformat(),
            "intake": {"open": self.intake.open, "since": self.intake.since.isoformat(),
                       "as_of": self.intake.as_of.isoformat()},
            "organizations": [o.as_mapping() for o in self.organizations],
            "run_by": self.run_by,
        }

    def changed(self, **changes) -> ProgramStatus:
        """A copy with some fields changed, checked again."""
        return replace(self, **changes)


def _listing(orgs: tuple[Organization, ...], lang: str) -> str:
    return format_list([o.as_text() for o in orgs], locale=lang) if orgs else ""


def load(path: Path, redis: Redis | None = None) -> ProgramStatus:
    """The status in force: an operator's override in Redis, else the content file."""
    if redis is not None:
        kind = redis.type(REDIS_KEY)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "string":
            return ProgramStatus.from_mapping(json.loads(redis.get(REDIS_KEY)))
        if kind == "hash":
            # An override stored before the status grew: its fields over the file's document.
            return ProgramStatus.from_mapping({**load_file(path).as_mapping(),
                                               **redis.hgetall(REDIS_KEY)})
    return load_file(path)


# path -> (the file's text when parsed, its status). Every answer rendered asks for the status,
# and parsing the YAML each time took an eighth of the gateway's CPU under load
# (bench/inbound_latency.py). The file is still read each time (a few kB): a change is seen at
# the next message, however soon after the last one it was made.
_PARSED: dict[Path, tuple[str, ProgramStatus]] = {}


def load_file(path: Path) -> ProgramStatus:
    path = Path(path)
    text = path.read_text()
    parsed = _PARSED.get(path)
    if parsed is not None and parsed[0] == text:
        return parsed[1]  # frozen: safe to share
    data = yaml.safe_load(text) or {}
    status = ProgramStatus.from_mapping(data.get("current") or {})
    _PARSED[path] = (text, status)
    return status


def store_override(redis: Redis, status: ProgramStatus) -> None:
    """Store the whole document; the next message reads it."""
    pipe = redis.pipeline()
    pipe.delete(REDIS_KEY)
    pipe.set(REDIS_KEY, json.dumps(status.as_mapping(), ensure_ascii=False))
    pipe.execute()


def clear_override(redis: Redis) -> None:
    redis.delete(REDIS_KEY)
