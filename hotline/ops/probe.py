"""Exec probes for the services with no web page of their own: the RQ workers and the sweeper.

    python -m hotline.ops.probe worker|sweeper [--ready]

Liveness (the default): the service's loop turned recently (its HOTLINE_BEAT_FILE, written by
`hotline.liveness`): a stuck worker or sweeper is restarted, a busy one is not. A worker waiting
on an empty queue beats every few minutes and a job may run 15, so its limit is generous; the
sweeper beats every HOTLINE_SWEEP_SECONDS. Readiness (`--ready`, workers): also that Redis
answers, since a worker can do nothing without it (a rollout waits for a pod that can work).
Prints one line and exits 0 (healthy) or 1.
"""

from __future__ import annotations

import argparse
import sys

from hotline import liveness
from hotline.config import ConfigError, ServeSettings, Settings

SWEEPS_MISSED = 3  # a sweep slowed by a Redis blip is not a stuck sweeper


def limit(service: str, settings: Settings) -> float:
    """How old a beat may be before the service counts as stuck."""
    if service == "sweeper":
        return SWEEPS_MISSED * settings.sweep_seconds + 60
    from hotline.ops.worker import WORKER_BEAT_SECONDS

    return WORKER_BEAT_SECONDS


def redis_answers(settings: Settings) -> str | None:
    """None when Redis answers a PING within two seconds, else why not."""
    from redis.exceptions import RedisError

    from hotline.redis_connect import connect

    try:
        connect(settings.redis_url, socket_timeout=2, socket_connect_timeout=2).ping()
    except (RedisError, OSError, ValueError) as exc:
        return f"Redis does not answer: {exc.__class__.__name__}"
    return None


def check(service: str, ready: bool, environ=None) -> tuple[bool, str]:
    try:
        serve, settings = ServeSettings.from_env(environ), Settings.from_env(environ)
    except ConfigError as exc:
        return False, f"configuration: {exc}"
    if not serve.beat_file:
        return False, "HOTLINE_BEAT_FILE is not set: nothing to read"
    seconds = liveness.age(serve.beat_file)
    if seconds is None:
        # Starting up: the first beat comes as the loop starts.
        return False, f"no beat yet in {serve.beat_file}"
    allowed = limit(service, settings)
    if seconds > allowed:
        return False, f"last beat {seconds:.0f} s ago (limit {allowed:.0f} s)"
    if ready:
        problem = redis_answers(settings)
        if problem:
            return False, problem
    return True, f"last beat {seconds:.0f} s ago"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotline.ops.probe",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=("worker", "sweeper"))
    parser.add_argument("--ready", action="store_true", help="readiness: Redis answers too")
    args = parser.parse_args(argv)
    ok, why = check(args.service, args.ready)
    print(f"{args.service} {'ready' if args.ready else 'live'}: {'ok' if ok else 'NO'}, {why}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
