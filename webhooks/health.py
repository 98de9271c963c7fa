"""Liveness and readiness for process supervisors and load balancers.

`/healthz` is liveness (the process answers). `/readyz` is readiness and fails (503) only when
Redis is unreachable, the one thing the gateway needs to accept a message; Rasa or the action
server down makes it `degraded` (200, named in `degraded`), since messages are kept and
answered when the assistant is back.

`/readyz` also reports the program status in force (state, when last verified, whether stale):
monitoring can alert on a stale status, and it never makes the gateway unready, since people
must still get answers (which say how old their facts are).
"""

from __future__ import annotations

import time
from datetime import date

from flask import Blueprint, current_app, jsonify
from redis.exceptions import RedisError

from hotline.content import program_status

from .context import runtime

bp = Blueprint("health", __name__)
# Needed to answer, not to accept: their absence delays replies (the assistant's hold notice
# tells people), it never loses a message.
DEGRADING = ("rasa", "action_server")
# /readyz is unauthenticated and each peer check is an HTTP call of up to 3 s: answered from a
# few seconds' memory, a burst of anonymous requests cannot tie up the threads Twilio's
# webhooks need.
PEER_CHECK_SECONDS = 5.0


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    rt = runtime()
    try:
        redis_ok = bool(rt.redis.ping())
    except RedisError:
        redis_ok = False
    checks = {"redis": redis_ok, **_peers(rt)}
    # Only Redis decides: a message is stored and queued there, and answered once the
    # assistant is back. Rasa or the action server down is reported, not a reason to take
    # the gateway out of the load balancer (that would lose messages, not delay them).
    degraded = [name for name in DEGRADING if not checks[name]]
    status = "not ready" if not redis_ok else "degraded" if degraded else "ready"
    response = jsonify(status=status, checks=checks, degraded=degraded,
                       program_status=_program_status(rt, redis_ok))
    response.status_code = 200 if redis_ok else 503
    return response


def _peers(rt) -> dict[str, bool]:
    """Whether Rasa and the action server answer, checked at most every PEER_CHECK_SECONDS."""
    memory = current_app.extensions.setdefault("hotline.readyz", {})
    now = time.monotonic()
    if memory.get("until", 0.0) <= now:
        memory["checks"] = {"rasa": rt.assistant.rasa_alive(),
                            "action_server": rt.assistant.actions_alive()}
        memory["until"] = now + PEER_CHECK_SECONDS
    return dict(memory["checks"])


def _program_status(rt, redis_ok: bool) -> dict:
    """The status in force (the content file's when Redis is down), and how old it is."""
    settings = rt.settings
    try:
        status = program_status.load(settings.program_status_file, rt.redis if redis_ok else None)
    except RedisError:
        status = program_status.load_file(settings.program_status_file)
    except program_status.StatusError as exc:
        return {"error": str(exc), "stale": True}
    today = date.today()
    return {"state": status.state, "as_of": status.as_of.isoformat(),
            "intake_as_of": status.intake.as_of.isoformat(),
            "age_days": status.age_days(today),
            "stale": status.stale(today, settings.status_max_age_days)}
