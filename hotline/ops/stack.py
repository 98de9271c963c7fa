"""Starts every service of the hotline on loopback and keeps them running.

Used by `./hotline.sh run` and by the test suite's session fixture, so the tests exercise the same
start-up a newcomer uses. Processes: redis-server (unless REDIS_URL points elsewhere), the
Twilio sandbox (unless real Twilio credentials are set), the action server, the Rasa server,
the Flask gateway under gunicorn, RQ workers and the sweeper. What it reads from the
environment is read by `hotline.config` (`Settings`, `StackSettings`); the environment it builds
here is the one the services inherit.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from hotline.config import (
    PROJECT_ROOT,
    ConfigError,
    Settings,
    StackSettings,
    read_env_file,
)
from hotline.ops.environments import service_python
from hotline.ops.training import ensure_trained, rasa_env

log = logging.getLogger("hotline.ops.stack")

DEV_NUMBERS = "+15005550006,whatsapp:+14155238886"


def serve_command(name: str) -> list[str]:
    """How the runner starts a service: its deployable entry point, with the interpreter of the
    service's environment (Rasa and the action server on 3.10, the rest on 3.12)."""
    return [service_python(name), "-m", "hotline.ops.serve", name]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dev_secrets(var_dir: Path) -> dict:
    """Development credentials, made once per checkout and kept in var/dev.env."""
    path = var_dir / "dev.env"
    values = read_env_file(path)
    wanted = {
        "TWILIO_ACCOUNT_SID": lambda: "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": lambda: secrets.token_hex(16),
        "HOTLINE_SECRET": lambda: secrets.token_urlsafe(32),
        "RASA_TOKEN": lambda: secrets.token_urlsafe(24),
        "NLG_TOKEN": lambda: secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": lambda: secrets.token_urlsafe(24),
        "HOTLINE_METRICS_TOKEN": lambda: secrets.token_urlsafe(24),
        "REDIS_PASSWORD": lambda: secrets.token_urlsafe(32),
    }
    changed = False
    for key, make in wanted.items():
        if key not in values:
            values[key] = make()
            changed = True
    if changed:
        private_dir(var_dir)
        write_private(path, "# Development credentials for the local sandbox; not for production.\n"
                      + "".join(f"{k}={v}\n" for k, v in values.items()))
    return values


def private_dir(path: Path) -> Path:
    """A directory only this user can enter (var/ holds secrets, Redis data and logs)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file readable by this user only, from its first byte: created 0600 under a
    temporary name, then renamed over the old one (never a moment at the umask's 0644)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, path)


@dataclass
class Ports:
    gateway: int
    sandbox: int
    rasa: int
    actions: int
    redis: int

    @classmethod
    def configured(cls, settings: StackSettings) -> Ports:
        """The ports `./hotline.sh run` uses (StackSettings' defaults unless the env says)."""
        return cls(settings.gateway_port, settings.sandbox_port, settings.rasa_port,
                   settings.actions_port, settings.redis_port)

    @classmethod
    def free(cls) -> Ports:
        return cls(*(free_port() for _ in range(5)))


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict
    process: subprocess.Popen | None = None
    restarts: int = 0  # crashes in a row, without a healthy run between them
    log_path: Path | None = None
    started_at: float = 0.0  # time.monotonic() of the last start
    restart_at: float | None = None  # when a crashed service is started again


# A service that ran this long since its last start has recovered: its next crash is restarted
# after the shortest delay again, not after a delay that doubled with every crash of the day.
HEALTHY_SECONDS = 60.0
MAX_RESTART_DELAY = 60.0


def restart_delay(crashes_in_a_row: int) -> float:
    """1 s after a first crash, then doubling, at most a minute.

    >>> [restart_delay(n) for n in (1, 2, 3, 7, 8)]
    [1.0, 2.0, 4.0, 60.0, 60.0]
    """
    return min(2.0 ** (crashes_in_a_row - 1), MAX_RESTART_DELAY)


@dataclass
class Stack:
    var_dir: Path = PROJECT_ROOT / "var"
    ports: Ports = field(default_factory=lambda: Ports.configured(StackSettings()))
    workers: int = StackSettings.workers
    gateway_workers: int = 2
    env_overrides: dict = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    env: dict = field(default_factory=dict)
    model: Path | None = None
    # Called with a line for each service as it becomes healthy (`./hotline.sh run` prints).
    announce: Callable[[str], None] | None = None
    # Decided by configure() from the environment (StackSettings): which stand-ins to start.
    use_sandbox: bool = field(default=StackSettings.use_sandbox, init=False)
    own_redis: bool = field(default=StackSettings.own_redis, init=False)

    # configuration -------------------------------------------------------------------------
    def configure(self) -> dict:
        """The environment every service starts with: ours, the overrides, development secrets
        where none are given, and the loopback addresses of the other services."""
        # Not reading configuration: the services inherit this process's environment.
        base = {**os.environ, **self.env_overrides}
        env = dict(base)
        settings, decided = Settings.from_env(base), StackSettings.from_env(base)
        self.use_sandbox, self.own_redis = decided.use_sandbox, decided.own_redis
        dev = dev_secrets(self.var_dir)
        for key, given in (("HOTLINE_SECRET", settings.secret), ("RASA_TOKEN", settings.rasa_token),
                           ("NLG_TOKEN", settings.nlg_token),
                           ("ACTION_SERVER_TOKEN", settings.action_server_token)):
            env[key] = given or dev[key]
        # Versioned data keys (`./hotline.sh keys rotate`), beside dev.env and as private.
        env["HOTLINE_KEYRING_FILE"] = str(settings.keyring_file or self.var_dir / "keyring.json")
        if self.use_sandbox:
            env["TWILIO_ACCOUNT_SID"] = settings.twilio_account_sid or dev["TWILIO_ACCOUNT_SID"]
            env["TWILIO_AUTH_TOKEN"] = settings.twilio_auth_token or dev["TWILIO_AUTH_TOKEN"]
            env["TWILIO_API_BASE_URL"] = f"http://127.0.0.1:{self.ports.sandbox}"
            env.setdefault("HOTLINE_NUMBERS", DEV_NUMBERS)
        if self.own_redis:
            # Our redis-server asks for a password (redis.conf, 0600): any local process could
            # otherwise read every store and queue jobs for the workers.
            password = urllib.parse.quote(dev["REDIS_PASSWORD"], safe="")
            env["REDIS_URL"] = f"redis://:{password}@127.0.0.1:{self.ports.redis}/0"
        # rq reads its Redis from RQ_REDIS_URL: a password on the command line is one `ps` away.
        env["RQ_REDIS_URL"] = env["REDIS_URL"]
        # Where each service binds: loopback on this runner's ports (hotline.ops.serve reads
        # the same variables a deployment sets per service).
        env.update(
            HOTLINE_HOST=settings.host,
            HOTLINE_PORT=str(self.ports.gateway),
            RASA_HOST="127.0.0.1", RASA_PORT=str(self.ports.rasa),
            ACTION_SERVER_HOST="127.0.0.1", ACTION_SERVER_PORT=str(self.ports.actions),
            HOTLINE_SANDBOX_HOST="127.0.0.1", HOTLINE_SANDBOX_PORT=str(self.ports.sandbox),
            HOTLINE_GATEWAY_WORKERS=str(self.gateway_workers),
            # Gateway and workers share one metrics directory: the gateway's /metrics shows all.
            PROMETHEUS_MULTIPROC_DIR=str(self.var_dir / "metrics"),
            PYTHONPATH=str(PROJECT_ROOT),
            PYTHONUNBUFFERED="1",
        )
        # Peer URLs: local defaults, never over what the environment gives (a Rasa elsewhere).
        for key, local in (("RASA_URL", f"http://127.0.0.1:{self.ports.rasa}"),
                           ("ACTION_SERVER_URL", f"http://127.0.0.1:{self.ports.actions}"),
                           ("NLG_URL", f"http://127.0.0.1:{self.ports.gateway}/nlg")):
            env[key] = base.get(key) or local
        env.setdefault("HOTLINE_METRICS_TOKEN", dev["HOTLINE_METRICS_TOKEN"])
        self.env = rasa_env() | env
        return self.env

    def _bin(self, name: str) -> str:
        return str(Path(sys.executable).with_name(name))

    def plan(self) -> list[Service]:
        env, p = self.env, self.ports
        services = []
        if self.own_redis:
            redis_dir = private_dir(self.var_dir / "redis")
            redis_bin = shutil.which("redis-server") or "/usr/bin/redis-server"
            # The password goes in a config file only this user reads, not on the command line.
            config = redis_dir / "redis.conf"
            write_private(config, "requirepass " + urllib.parse.unquote(
                urllib.parse.urlsplit(env["REDIS_URL"]).password or "") + "\n")
            services.append(Service("redis", [
                redis_bin, str(config),
                "--bind", "127.0.0.1", "--port", str(p.redis), "--dir", str(redis_dir),
                # Durability choice (ARCHITECTURE.md, "Redis durability"): every acknowledged
                # write (an inbound message Twilio got 200 for, a STOP) is on disk first.
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--daemonize", "no",
                "--protected-mode", "yes"], env))
        # Every other service through its deployable entry point (hotline/ops/serve.py), bound
        # and configured by the environment built in configure().
        if self.use_sandbox:
            services.append(Service("sandbox", serve_command("sandbox"),
                                    {**env, "HOTLINE_GATEWAY_THREADS": "16"}))
        # The action server checks Rasa's shared secret (actions/server.py).
        services.append(Service("actions", serve_command("actions"), env))
        services.append(Service("gateway", serve_command("gateway"), env))
        for i in range(self.workers):
            # Redis from REDIS_URL; jobs are JSON, never unpickled (hotline/runtime.py).
            services.append(Service(f"worker-{i + 1}", serve_command("worker"), env))
        services.append(Service("sweeper", serve_command("sweeper"), env))
        # RASA_TOKEN reaches Rasa through the environment (rasa_ext/server.py), not argv.
        services.append(Service("rasa", serve_command("rasa"),
                                {**env, "RASA_MODEL": str(self.model)}))
        return services

    # lifecycle -----------------------------------------------------------------------------
    def _spawn(self, service: Service) -> None:
        log_dir = private_dir(self.var_dir / "log")
        service.log_path = log_dir / f"{service.name}.log"
        out = os.fdopen(os.open(service.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
                        "ab")
        # umask 077: whatever a service writes under var/ (AOF, models, logs) is private too.
        service.process = subprocess.Popen(service.command, cwd=PROJECT_ROOT, env=service.env,
                                           stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True,
                                           umask=0o077)
        out.close()
        service.started_at = time.monotonic()
        service.restart_at = None

    def _kill_group(self, service: Service) -> None:
        """Kill what is left of a service's process group: a killed RQ worker's forked scheduler
        or a dead gunicorn master's workers would otherwise live on beside its replacement."""
        if service.process is None:
            return
        # Nobody left in the group is the usual case: nothing to do.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(service.process.pid, signal.SIGKILL)

    def supervise(self, now: float | None = None) -> list[str]:
        """One look at every service: a crashed one has its leftovers killed and is restarted
        after `restart_delay` (without blocking the others); one that has run healthy for
        HEALTHY_SECONDS has its crash count reset. Returns the services started now."""
        now = time.monotonic() if now is None else now
        started = []
        for service in self.services:
            if service.process is None:
                continue
            if service.process.poll() is None:
                if service.restarts and now - service.started_at >= HEALTHY_SECONDS:
                    log.info("%s healthy again after %s crash(es)", service.name,
                             service.restarts)
                    service.restarts = 0
                continue
            if service.restart_at is None:
                self._kill_group(service)
                service.restarts += 1
                service.restart_at = now + restart_delay(service.restarts)
                log.warning("%s exited (%s); restarting in %.0fs", service.name,
                            service.process.returncode, service.restart_at - now)
            if now >= service.restart_at:
                self._spawn(service)
                started.append(service.name)
        return started

    def start(self, timeout: float = 240) -> Stack:
        self.configure()
        # A model given (the benchmarks use the newest one) is never retrained here.
        self.model = self.model or ensure_trained()
        self.services = self.plan()
        # Counts of an earlier run would add up with this one's (prometheus multiprocess files).
        shutil.rmtree(self.env["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
        private_dir(Path(self.env["PROMETHEUS_MULTIPROC_DIR"]))
        for service in self.services:
            self._spawn(service)
            if service.name == "redis":
                self._wait_redis()
        self.wait_ready(timeout)
        return self

    def _wait_redis(self, timeout: float = 20) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError

        from hotline.redis_connect import connect

        client = connect(self.env["REDIS_URL"])
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except RedisConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        "redis-server did not start; see var/log/redis.log") from None
                time.sleep(0.1)

    def health_checks(self) -> dict:
        """How to tell each service is up, by the name it is announced under."""
        p = self.ports

        def answers(url: str, ok=lambda r: r.status_code == 200):
            def check() -> bool:
                try:
                    return ok(requests.get(url, timeout=2))
                except requests.RequestException:
                    return False
            return check

        def workers_registered() -> bool:
            from rq import Worker

            from hotline.redis_connect import connect

            try:
                return Worker.count(connection=connect(self.env["REDIS_URL"])) \
                    >= self.workers
            except Exception:  # noqa: BLE001 - not up yet, whatever the reason
                return False

        names = {s.name for s in self.services}
        checks = {
            "sandbox": answers(f"http://127.0.0.1:{p.sandbox}/", lambda r: r.status_code < 500),
            "actions": answers(f"http://127.0.0.1:{p.actions}/health"),
            "gateway": answers(f"http://127.0.0.1:{p.gateway}/healthz"),
            "workers": workers_registered,
            "sweeper": lambda: True,  # alive is all it can show (checked with every process)
            "rasa": answers(f"http://127.0.0.1:{p.rasa}/"),
            # Last: the gateway sees every peer it needs (ready, not merely degraded).
            "stack": answers(f"http://127.0.0.1:{p.gateway}/readyz",
                             lambda r: r.ok and r.json().get("status") == "ready"),
        }
        wanted = names | {"stack"} | ({"workers"} if self.workers else set())
        return {k: v for k, v in checks.items() if k in wanted}

    def wait_ready(self, timeout: float) -> None:
        """Wait for every service, announcing each as it becomes healthy (Rasa loading its
        model is the long one); a service that exits during start-up ends the wait."""
        started = time.monotonic()
        deadline = started + timeout
        pending = self.health_checks()
        while time.monotonic() < deadline:
            for service in self.services:
                if service.process.poll() is not None:
                    raise RuntimeError(f"{service.name} exited during start-up; "
                                       f"see {service.log_path}")
            for name, check in list(pending.items()):
                if check():
                    del pending[name]
                    if self.announce and name != "stack":
                        self.announce(f"  ready  {name:<8} {time.monotonic() - started:6.1f} s")
            if not pending:
                return
            time.sleep(0.5)
        raise RuntimeError(f"not ready after {timeout:.0f}s: {', '.join(pending)}; "
                           f"logs in {self.var_dir}/log")

    def watch(self) -> None:
        """Keep services alive until told to stop; a crashed one is restarted with backoff."""
        stopping = []

        def request_stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        while not stopping:
            self.supervise()
            time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(self.services):
            if service.process and service.process.poll() is None:
                os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for service in reversed(self.services):
            if service.process is None:
                continue
            try:
                service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()

    def banner(self) -> str:
        env, p = self.env, self.ports
        lines = [
            "",
            "MPP hotline is running (Ctrl-C or SIGTERM stops it)",
            f"  gateway         http://{env['HOTLINE_HOST']}:{p.gateway}"
            f"   (Twilio webhooks: /twilio/messages, /twilio/status)",
            f"  console         http://{env['HOTLINE_HOST']}:{p.gateway}/console/"
            "   (./hotline.sh operator create --username NAME)",
            f"  API             http://{env['HOTLINE_HOST']}:{p.gateway}/api/v1/"
            "   (./hotline.sh token create --name ORG)",
        ]
        if self.use_sandbox:
            lines += [
                f"  Twilio sandbox  http://127.0.0.1:{p.sandbox}",
                f"  account SID     {env['TWILIO_ACCOUNT_SID']}",
                f"  auth token      {env['TWILIO_AUTH_TOKEN']}",
            ]
        else:
            lines.append("  Twilio          real Twilio (TWILIO_ACCOUNT_SID from the environment)")
        lines += [
            f"  hotline numbers {env.get('HOTLINE_NUMBERS') or '(any number on the account)'}",
            f"  Rasa            http://127.0.0.1:{p.rasa}   actions http://127.0.0.1:{p.actions}",
            "  Redis           "
            + ("own redis-server, data in var/redis" if self.own_redis else "REDIS_URL"),
            f"  logs            {self.var_dir / 'log'}",
            "  talk to it      ./hotline.sh chat   (or ./hotline.sh chat --whatsapp)",
            "",
        ]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        configured = StackSettings.from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(description="Run every hotline service on loopback.")
    parser.add_argument("--workers", type=int, default=configured.workers)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stack = Stack(ports=Ports.configured(configured), workers=args.workers,
                  announce=lambda line: print(line, flush=True))
    try:
        print("starting services (the first start trains the assistant)...", flush=True)
        stack.start()
        run_env = stack.var_dir / "run.env"
        # It names the Twilio auth token: readable by this user only, like dev.env.
        write_private(
            run_env,
            "".join(f"{k}={stack.env[k]}\n" for k in (
                "HOTLINE_PORT", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL",
                "HOTLINE_NUMBERS", "REDIS_URL", "HOTLINE_KEYRING_FILE") if stack.env.get(k)))
        print(stack.banner(), flush=True)
        stack.watch()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
