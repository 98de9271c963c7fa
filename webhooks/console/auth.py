"""Who may use the console: the signed-in operator (Flask-Login), supervisors-only views, and
the limits on failed sign-ins.

Failed sign-ins are counted per client address and per account, each in a fixed 15-minute
window that starts at its first failure (an attacker's further tries do not extend it). A flood
from one address stops that address and the accounts it tried; everyone else still signs in.
A correct password clears nothing: an insider cannot sign in to their own account to win more
guesses at someone else's. The client address is the proxy's X-Forwarded-For when
HOTLINE_TRUSTED_PROXY_HOPS says how many proxies to trust (`webhooks.hardening`); IPv6 clients
are counted per /64, the block one subscriber usually holds.

A session lasts while its operator's session generation is the one it signed in under
(`operators.end_sessions`) and at most one shift from the sign-in (HOTLINE_CONSOLE_SESSION_HOURS),
however busy it is; a disabled account's sessions end at its next request.

Owns the keys `hl:login:address:{address}` and `hl:login:account:{username}` (failures in the
current window); operator accounts themselves are `hotline.access.operators`.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import wraps

from flask import abort, session
from flask_login import LoginManager, UserMixin, current_user
from redis import Redis

from hotline.access import operators

from ..context import runtime

log = logging.getLogger(__name__)
LOGIN_ATTEMPTS = 10  # failures per address, and per account, in one LOGIN_WINDOW
LOGIN_WINDOW = 15 * 60
_ADDRESS = "hl:login:address:{}"
_ACCOUNT = "hl:login:account:{}"
# Where the session keeps what it was signed in under.
SESSION_GENERATION = "operator_generation"
SESSION_SIGNED_IN_AT = "signed_in_at"

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
    """The session's operator, or None (signed out) once the session is no longer good."""
    rt = runtime()
    record = operators.get(rt.redis, username)
    if record is None or record.get("disabled"):
        return None
    if session.get(SESSION_GENERATION) != operators.generation(rt.redis, username):
        return None  # signed out, new password or disabled since: every copy of it ends
    signed_in_at = session.get(SESSION_SIGNED_IN_AT)
    shift = rt.settings.console_session_hours * 3600
    if not isinstance(signed_in_at, (int, float)) or time.time() - signed_in_at > shift:
        return None
    return Operator(record)


def start_session(redis: Redis, username: str) -> None:
    """Mark the (fresh) session with the account's generation and the time of the sign-in."""
    session[SESSION_GENERATION] = operators.generation(redis, username)
    session[SESSION_SIGNED_IN_AT] = time.time()


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


def client_bucket(address: str | None) -> str:
    """What one client's failures are counted under: its IPv4 address, its IPv6 /64.

    >>> client_bucket("203.0.113.9"), client_bucket("2001:db8:1:2:aaaa::1")
    ('203.0.113.9', '2001:db8:1:2::/64')
    >>> client_bucket(None), client_bucket("not an address")
    ('unknown', 'unknown')
    """
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is an IPv4 client
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_bucket(username: str | None) -> str:
    """The account a failure counts against, written as operators are named."""
    return (username or "").strip().lower()[:40] or "?"


def sign_in_allowed(redis: Redis, address: str | None, username: str | None) -> bool:
    """False while this address, or this account, failed too often in its current window."""
    counts = redis.mget(_ADDRESS.format(client_bucket(address)),
                        _ACCOUNT.format(account_bucket(username)))
    return all(int(c or 0) < LOGIN_ATTEMPTS for c in counts)


def sign_in_failed(redis: Redis, address: str | None, username: str | None) -> None:
    """Count a failure against the address and the account; a window is fixed at its start."""
    keys = (_ADDRESS.format(client_bucket(address)), _ACCOUNT.format(account_bucket(username)))
    pipe = redis.pipeline()
    for key in keys:
        pipe.set(key, 0, ex=LOGIN_WINDOW, nx=True)  # the window starts at the first failure
        pipe.incr(key)  # INCR keeps the key's expiry: more failures do not extend it
    counts = pipe.execute()[1::2]
    if any(c == LOGIN_ATTEMPTS for c in counts):
        # Said once per window and kind, so a supervisor sees a burst without a flood of logs.
        which = " and ".join(kind for kind, c in zip(("address", "account"), counts)
                             if c == LOGIN_ATTEMPTS)
        log.warning("console sign-in: too many failures from one %s; refused for %d minutes",
                    which, LOGIN_WINDOW // 60)
