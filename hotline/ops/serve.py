"""One entry point per service: `python -m hotline.ops.serve NAME`, each runnable on its own host.

    gateway   gunicorn -c deploy/gunicorn.conf.py 'webhooks:create_app()'
              (HOTLINE_HOST:HOTLINE_PORT)
    worker    an RQ worker on HOTLINE_WORKER_QUEUES (metrics on HOTLINE_METRICS_PORT, if set)
    sweeper   `hotline.sweeper` (exactly one per deployment; extra copies are harmless)
    actions   the action server, rasa_sdk without the Rasa CLI (ACTION_SERVER_HOST:PORT)
    rasa      the Rasa server (RASA_HOST:RASA_PORT, RASA_MODEL, bot/endpoints.yml with
              REDIS_URL, ACTION_SERVER_URL, NLG_URL; RASA_TOKEN from the environment)
    sandbox   the Twilio stand-in, development and tests only (HOTLINE_SANDBOX_HOST:PORT)

Everything comes from the environment through `hotline.config` (Settings, ServeSettings): bind
addresses, ports, peer URLs, Redis (rediss:// and an ACL user work everywhere). The development
runner (`hotline.ops.stack`, `./hotline.sh run`) fills in loopback defaults and starts these same
commands; deploy/ (Procfile, containers, Kubernetes) starts them one per process. Each
configures logging once (`hotline.logs`) before anything else logs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from hotline.config import PROJECT_ROOT, ConfigError, ServeSettings, Settings
from hotline.ops import environments

GUNICORN_CONF = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
SERVICES = ("gateway", "worker", "sweeper", "actions", "rasa", "sandbox")
# The port each network-facing service listens on, by the variable that sets it (the
# deployment test checks the manifests against these).
PORT_VARIABLES = {"gateway": "HOTLINE_PORT", "actions": "ACTION_SERVER_PORT",
                  "rasa": "RASA_PORT", "sandbox": "HOTLINE_SANDBOX_PORT",
                  "worker": "HOTLINE_METRICS_PORT"}
# What a deployment must give each service (no default is right outside one machine): its
# secrets, its Redis, the peers it calls, and the address it answers on. deploy/ is checked
# against this (tests/unit/ops/test_deploy.py).
NEEDS = {
    "gateway": ("REDIS_URL", "HOTLINE_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                "NLG_TOKEN", "RASA_URL", "ACTION_SERVER_URL", "HOTLINE_HOST",
                "HOTLINE_PORT", "HOTLINE_PUBLIC_URL"),
    "worker": ("REDIS_URL", "HOTLINE_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
               "RASA_URL", "RASA_TOKEN", "ACTION_SERVER_URL", "HOTLINE_PUBLIC_URL"),
    "sweeper": ("REDIS_URL", "HOTLINE_SECRET"),
    "actions": ("REDIS_URL", "HOTLINE_SECRET", "ACTION_SERVER_TOKEN", "ACTION_SERVER_HOST",
                "ACTION_SERVER_PORT"),
    "rasa": ("REDIS_URL", "HOTLINE_SECRET", "RASA_TOKEN", "NLG_URL", "NLG_TOKEN",
             "ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "RASA_HOST", "RASA_PORT", "RASA_MODEL"),
}
# Where each network-facing service answers health checks: (liveness, readiness).
PROBES = {"gateway": ("/healthz", "/readyz"), "actions": ("/health", "/health"),
          "rasa": ("/", "/")}
# The services with no page of their own are probed by a command (`hotline.ops.probe`):
# (liveness, readiness or None), each with the beat file HOTLINE_BEAT_FILE names.
EXEC_PROBES = {
    "worker": (["python", "-m", "hotline.ops.probe", "worker"],
               ["python", "-m", "hotline.ops.probe", "worker", "--ready"]),
    "sweeper": (["python", "-m", "hotline.ops.probe", "sweeper"], None),
}


def gunicorn_command(app: str, bind: str | None = None) -> list[str]:
    """gunicorn with the one config file (bind, workers, timeouts, logging, metrics)."""
    command = [str(_bin("gunicorn", "gateway")), "-c", str(GUNICORN_CONF)]
    if bind:
        command += ["--bind", bind]
    return [*command, app]


def rasa_arguments(serve: ServeSettings, model: str) -> list[str]:
    """`rasa run` arguments; the API token comes from RASA_TOKEN inside rasa_ext.server."""
    return ["run", "--model", model, "--enable-api", "--interface", serve.rasa_host,
            "--port", str(serve.rasa_port), "--endpoints", serve.rasa_endpoints,
            "--credentials", "bot/credentials.yml"]


def _bin(name: str, service: str):
    """A command installed in the service's environment (hotline.ops.environments)."""
    from pathlib import Path

    return Path(environments.service_python(service)).with_name(name)


def _exec(command: list[str]) -> int:
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached


def run_gateway(serve: ServeSettings) -> int:
    Settings.from_env().require("secret", "twilio_account_sid", "twilio_auth_token", "nlg_token")
    return _exec(gunicorn_command("webhooks:create_app()"))


def run_sandbox(serve: ServeSettings) -> int:
    return _exec(gunicorn_command("sandbox:create_app()",
                                  f"{serve.sandbox_host}:{serve.sandbox_port}"))


def run_worker(serve: ServeSettings) -> int:
    from hotline import logs
    from hotline.ops.worker import run

    logs.configure("worker", serve)
    return run(Settings.from_env().require("secret"), serve)


def run_sweeper(serve: ServeSettings) -> int:
    from hotline import logs, sweeper

    logs.configure("sweeper", serve)
    Settings.from_env().require("secret")
    sweeper.main()
    return 0


def run_actions(serve: ServeSettings) -> int:
    # Its own process module (hotline/ never imports a process's package); it configures
    # logging through hotline.logs itself.
    return _exec([environments.service_python("actions"), "-m", "actions.server",
                  "--host", serve.actions_host, "--port", str(serve.actions_port)])


def run_rasa(serve: ServeSettings) -> int:
    Settings.from_env().require("secret", "rasa_token", "nlg_token")
    if not serve.nlg_url:
        raise ConfigError("missing required setting(s): NLG_URL (the gateway's /nlg, e.g. "
                          "http://gateway:8080/nlg)")
    model = serve.rasa_model
    if model is None:
        from hotline.ops.training import model_path

        model = str(model_path())
    # rasa_ext.server hands RASA_TOKEN to Rasa inside the process, never on the command line.
    return _exec([environments.service_python("rasa"), "-m", "rasa_ext.server",
                  *rasa_arguments(serve, model)])


RUNNERS: dict[str, Callable[[ServeSettings], int]] = {
    "gateway": run_gateway, "worker": run_worker, "sweeper": run_sweeper,
    "actions": run_actions, "rasa": run_rasa, "sandbox": run_sandbox,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hotline.ops.serve",
        description="Run one hotline service, configured from the environment.")
    parser.add_argument("service", choices=SERVICES)
    args = parser.parse_args(argv)
    try:
        return RUNNERS[args.service](ServeSettings.from_env())
    except ConfigError as exc:
        print(f"error: {args.service}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
