"""Who may use the console: the signed-in operator (Flask-Login), supervisors-only views, and
the limit on sign-in attempts per address.

Owns the key `hl:login:{address}` (attempts in the current 15 minutes); operator accounts
themselves are `hotline.access.operators`.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import LoginManager, UserMixin, current_user
from redis import Redis

from hotline.access import operators

from ..context import runtime

LOGIN_ATTEMPTS = 10  # per address and LOGIN_WINDOW
LOGIN_WINDOW = 15 * 60
_ATTEMPTS = "hl:login:{}"

login_manager = LoginManager()
login_manager.login_view = "console.login"


class Operator(UserMixin):
    """A signed-in operator, as Flask-Login knows them (by username)."""

    def __init__(self, record: dict):
        self.record = record
        self.id = record["username"]
        self.name = record["name"]
        self.role = record["role"]

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


@login_manager.user_loader
def load_operator(username: str) -> Operator | None:
    record = operators.get(runtime().redis, username)
    return Operator(record) if record else None


def init_app(app) -> None:
    login_manager.init_app(app)


def supervisor_only(view):
    """Refuse a view (403) to operators who do not supervise."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.supervisor:
            abort(403, "supervisors only")
        return view(*args, **kwargs)
    return wrapped


def sign_in_allowed(redis: Redis, address: str) -> bool:
    """Count one sign-in attempt from `address`; False once it made too many lately."""
    key = _ATTEMPTS.format(address)
    attempts = redis.incr(key)
    redis.expire(key, LOGIN_WINDOW)
    return attempts <= LOGIN_ATTEMPTS


def signed_in(redis: Redis, address: str) -> None:
    """A correct sign-in clears the address's count."""
    redis.delete(_ATTEMPTS.format(address))
