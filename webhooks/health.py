"""Liveness and readiness for process supervisors and load balancers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError

from .context import runtime

bp = Blueprint("health", __name__)


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
    checks = {
        "redis": redis_ok,
        "rasa": rt.assistant.rasa_alive(),
        "action_server": rt.assistant.actions_alive(),
    }
    ready = all(checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response
