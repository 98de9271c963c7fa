"""Scale-out benchmark: the hotline as many hosts on one machine, three failures under load.

Each host is a network namespace with its own address on one bridge (veth pairs), and runs its
services through the deployable entry points (`python -m hotline.ops.serve NAME`), configured
only by its environment, as deploy/ runs them:

    redis-1 (primary), redis-2 (replica), sentinel-1..3     Redis with Sentinel
    lb                        a TCP balancer in front of the gateways and the Rasa servers
                              (bench/balancer.py: what a cloud balancer or a Service is)
    gateway-1, gateway-2      the gateway (gunicorn)
    rasa-1, rasa-2            Rasa and its action server each, sharing the Redis lock store
    worker-1, worker-2        RQ workers
    sweeper, sandbox          one each (the sandbox is Twilio)

Every client reaches Redis through the sentinels (`REDIS_URL=redis+sentinel://...`). People
talk through the balancer (Twilio's side) while the Redis primary, one Rasa host and one worker
host are killed with -9 (nothing restarts them: the hosts are gone); then it waits for quiet and
prints the account of every message (bench/harness.py): lost, answered twice, out of order.
On a living host, a hotline service that exits on its own is started again after a second, as
Kubernetes (restartPolicy Always) or systemd (Restart=always) would; the run prints how often.

    sudo nice -n 10 .venv/bin/python bench/scale_out.py [--senders 8] [--turns 8]

Needs root (`ip netns`). Target: 0 lost, 0 twice, 0 out of order.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    NUMBERS,
    Account,
    Listener,
    Person,
    account,
    newest_model,
    open_intake,
    people,
    wait_for_quiet,
)
from hotline.config import PROJECT_ROOT, Settings  # noqa: E402
from hotline.ops.training import rasa_env  # noqa: E402
from hotline.redis_connect import connect  # noqa: E402
from hotline.runtime import Runtime  # noqa: E402

PREFIX = "hlso"
HOSTS = {  # name -> last octet of its address
    "lb": 2, "redis-1": 11, "redis-2": 12, "sentinel-1": 21, "sentinel-2": 22, "sentinel-3": 23,
    "gateway-1": 31, "gateway-2": 32, "rasa-1": 41, "rasa-2": 42, "worker-1": 51, "worker-2": 52,
    "sweeper": 61, "sandbox": 71,
}
SERVICE = "hotline"  # Sentinel's name for the primary
GATEWAY, RASA, ACTIONS, SANDBOX, REDIS, SENTINEL = 8080, 5005, 5055, 8090, 6379, 26379
KILLS = ("redis-1", "rasa-1", "worker-1")
# The line a host's init loop writes to a service's log when it starts the service again.
RESTART_MARK = "host init: exited"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale() -> None:
    """Namespaces and bridges a killed earlier run left behind (their owner pid is gone)."""
    for line in ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        owner = name[len(PREFIX):].split("-")[0]
        if name.startswith(PREFIX) and owner.isdigit() and not _alive(int(owner)):
            for pid in ip("netns", "pids", name, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            ip("netns", "del", name, check=False)
    for line in ip("-o", "link", "show", "type", "bridge", check=False).stdout.splitlines():
        name = line.split(":")[1].strip()
        owner = name[len(PREFIX):]
        if name.startswith(PREFIX) and owner.isdigit() and not _alive(int(owner)):
            ip("link", "del", name, check=False)


@dataclass
class Network:
    """Hosts on one bridge; this process (the phones, Twilio's side) is on it at .1."""

    tag: str = field(default_factory=lambda: str(os.getpid()))
    subnet: str = ""
    hosts: list[str] = field(default_factory=list)
    processes: list[tuple[str, str, subprocess.Popen]] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        return PREFIX + self.tag

    def ns(self, host: str) -> str:
        return f"{PREFIX}{self.tag}-{host}"

    def address(self, host: str) -> str:
        return f"{self.subnet}.{HOSTS[host]}"

    def create(self, hosts) -> None:
        clean_stale()
        routes = ip("-4", "route").stdout
        for octet in [100 + int(self.tag) % 150, *range(100, 250)]:
            if f"10.{octet}.0." not in routes:
                self.subnet = f"10.{octet}.0"
                break
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.subnet}.1/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for i, host in enumerate(hosts):
            ns, outside, inside = self.ns(host), f"hs{self.tag}{i:02d}", f"hs{self.tag}{i:02d}p"
            ip("netns", "add", ns)
            self.hosts.append(host)
            ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            ip("link", "set", inside, "netns", ns)
            ip("link", "set", outside, "master", self.bridge)
            ip("link", "set", outside, "up")
            ip("-n", ns, "addr", "add", f"{self.address(host)}/24", "dev", inside)
            ip("-n", ns, "link", "set", inside, "up")
            ip("-n", ns, "link", "set", "lo", "up")

    def spawn(self, host: str, name: str, command: list[str], env: dict, log_dir: Path,
              restart: bool = False) -> subprocess.Popen:
        """Run `command` on `host`; with `restart`, under a loop that starts it again a second
        after it exits (the host's init system: the loop dies with the host)."""
        log = open(log_dir / f"{host}.{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        if restart:
            command = ["sh", "-c", 'while :; do "$@"; echo "' + RESTART_MARK
                       + ' (exit $?); started again in 1 s"; sleep 1; done', "init", *command]
        process = subprocess.Popen(["ip", "netns", "exec", self.ns(host), *command],
                                   cwd=PROJECT_ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        log.close()
        self.processes.append((host, name, process))
        return process

    def kill_host(self, host: str) -> int:
        """kill -9 everything running on a host (its network stays: the address refuses)."""
        pids = [int(p) for p in ip("netns", "pids", self.ns(host), check=False).stdout.split()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def destroy(self) -> None:
        for host in self.hosts:
            self.kill_host(host)
        for _, _, process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for host in self.hosts:
            ip("netns", "del", self.ns(host), check=False)
        ip("link", "del", self.bridge, check=False)
        self.hosts.clear()


class ScaleOut:
    """The hotline on its hosts. `env` is what every service shares (the harness reads the
    sandbox's URL and the credentials from it)."""

    ports = None  # the harness's loopback ports: none here, every URL is given

    def __init__(self, work: Path, model: Path | None = None):
        self.work = work
        self.logs = work / "log"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.net = Network()
        self.model = model or newest_model()
        self.password = secrets.token_urlsafe(24)
        self.env: dict = {}
        self.timings: list[tuple[str, float]] = []

    # addresses ----------------------------------------------------------------------------
    def at(self, host: str) -> str:
        return self.net.address(host)

    @property
    def gateway_url(self) -> str:
        return f"http://{self.at('lb')}:{GATEWAY}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.at('lb')}:{RASA}"

    @property
    def redis_url(self) -> str:
        sentinels = ",".join(f"{self.at(f'sentinel-{i}')}:{SENTINEL}" for i in (1, 2, 3))
        return f"redis+sentinel://:{self.password}@{sentinels}/{SERVICE}/0"

    def runtime(self) -> Runtime:
        return Runtime(Settings.from_env(self.env))

    def primary(self) -> tuple[str, int] | None:
        with contextlib.suppress(Exception):
            return connect(self.redis_url).connection_pool.get_master_address()
        return None

    # start ---------------------------------------------------------------------------------
    def configure(self) -> dict:
        env = rasa_env()
        for name in ("REDIS_URL", "RQ_REDIS_URL", "TWILIO_API_BASE_URL", "HOTLINE_PUBLIC_URL",
                     "PROMETHEUS_MULTIPROC_DIR"):
            env.pop(name, None)
        keyring = self.work / "keyring.json"
        env.update(
            REDIS_URL=self.redis_url,
            HOTLINE_SECRET=secrets.token_urlsafe(32),
            HOTLINE_KEYRING_FILE=str(keyring),
            TWILIO_ACCOUNT_SID="AC" + secrets.token_hex(16),
            TWILIO_AUTH_TOKEN=secrets.token_hex(16),
            TWILIO_API_BASE_URL=f"http://{self.at('sandbox')}:{SANDBOX}",
            HOTLINE_NUMBERS=NUMBERS,
            RASA_TOKEN=secrets.token_urlsafe(24), NLG_TOKEN=secrets.token_urlsafe(24),
            ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
            HOTLINE_METRICS_TOKEN=secrets.token_urlsafe(24),
            # Twilio and Rasa reach the gateways, and the workers Rasa, through the balancer.
            HOTLINE_PUBLIC_URL=self.gateway_url, NLG_URL=f"{self.gateway_url}/nlg",
            RASA_URL=self.rasa_url, ACTION_SERVER_URL=f"http://{self.at('lb')}:{ACTIONS}",
            HOTLINE_TRUSTED_PROXY_HOPS="0", HOTLINE_SWEEP_SECONDS="2",
            SANDBOX_DELIVERY_DELAY="0.05", HOTLINE_GATEWAY_WORKERS="2",
            PYTHONPATH=str(PROJECT_ROOT), PYTHONUNBUFFERED="1",
        )
        self.env = env
        return env

    def _redis(self) -> None:
        data = self.work / "redis"
        data.mkdir(exist_ok=True)
        primary = self.at("redis-1")
        for host in ("redis-1", "redis-2"):
            conf = data / f"{host}.conf"
            conf.touch(mode=0o600)
            lines = [f"bind {self.at(host)}", f"port {REDIS}", f"requirepass {self.password}",
                     f"masterauth {self.password}", "save \"\"", "appendonly no",
                     f"dir {data}", f"dbfilename {host}.rdb"]
            if host == "redis-2":
                lines.append(f"replicaof {primary} {REDIS}")
            conf.write_text("\n".join(lines) + "\n")
            self.net.spawn(host, "redis", ["redis-server", str(conf)], self.env, self.logs)
        for i in (1, 2, 3):
            host = f"sentinel-{i}"
            conf = data / f"{host}.conf"
            conf.touch(mode=0o600)
            conf.write_text("\n".join([
                f"bind {self.at(host)}", f"port {SENTINEL}", "protected-mode no",
                f"dir {data}",
                f"sentinel monitor {SERVICE} {primary} {REDIS} 2",
                f"sentinel auth-pass {SERVICE} {self.password}",
                f"sentinel down-after-milliseconds {SERVICE} 1500",
                f"sentinel failover-timeout {SERVICE} 6000",
                f"sentinel parallel-syncs {SERVICE} 1"]) + "\n")
            self.net.spawn(host, "sentinel", ["redis-server", str(conf), "--sentinel"],
                           self.env, self.logs)

    def _sentinels_agree(self) -> bool:
        from redis import Redis

        for i in (1, 2, 3):
            try:
                state = Redis(self.at(f"sentinel-{i}"), SENTINEL, socket_timeout=1,
                              decode_responses=True).sentinel_master(SERVICE)
            except Exception:  # noqa: BLE001 - not up yet
                return False
            if int(state.get("num-other-sentinels", 0)) < 2 or int(state.get("num-slaves", 0)) < 1:
                return False
        return True

    def serve(self, host: str, service: str, **extra: str) -> None:
        self.net.spawn(host, service, [sys.executable, "-m", "hotline.ops.serve", service],
                       {**self.env, **extra}, self.logs, restart=True)

    def restarts(self) -> dict[str, int]:
        """How often each service was started again by its host, by 'host service'."""
        counts = {}
        for host, name, _ in self.net.processes:
            n = sum(RESTART_MARK in line for line in self._log(host, name))
            if n:
                counts[f"{host} {name}"] = n
        return counts

    def start(self, timeout: float = 300) -> ScaleOut:
        started = time.monotonic()
        self.net.create(HOSTS)  # first: the addresses below are on its subnet
        self.configure()
        self._redis()  # the sentinels know the primary from their config at once
        metrics = self.work / "metrics"
        for i in (1, 2):
            host = f"rasa-{i}"
            # Rasa calls the action server of its own host.
            self.serve(host, "actions", ACTION_SERVER_HOST=self.at(host),
                       ACTION_SERVER_PORT=str(ACTIONS))
            self.serve(host, "rasa", RASA_HOST=self.at(host), RASA_PORT=str(RASA),
                       RASA_MODEL=str(self.model),
                       ACTION_SERVER_URL=f"http://{self.at(host)}:{ACTIONS}")
        self.serve("sandbox", "sandbox", HOTLINE_SANDBOX_HOST=self.at("sandbox"),
                   HOTLINE_SANDBOX_PORT=str(SANDBOX), HOTLINE_GATEWAY_THREADS="16")
        lb = self.at("lb")
        self.net.spawn("lb", "balancer", [
            sys.executable, str(PROJECT_ROOT / "bench" / "balancer.py"),
            f"{lb}:{GATEWAY}=" + ",".join(f"{self.at(f'gateway-{i}')}:{GATEWAY}" for i in (1, 2)),
            f"{lb}:{RASA}=" + ",".join(f"{self.at(f'rasa-{i}')}:{RASA}" for i in (1, 2)),
            f"{lb}:{ACTIONS}=" + ",".join(f"{self.at(f'rasa-{i}')}:{ACTIONS}" for i in (1, 2)),
        ], self.env, self.logs)
        for i in (1, 2):
            host = f"gateway-{i}"
            directory = metrics / host
            directory.mkdir(parents=True, exist_ok=True)
            self.serve(host, "gateway", HOTLINE_HOST=self.at(host), HOTLINE_PORT=str(GATEWAY),
                       PROMETHEUS_MULTIPROC_DIR=str(directory))
        for i in (1, 2):
            self.serve(f"worker-{i}", "worker")
        self.serve("sweeper", "sweeper")

        def answers(url: str, ok=lambda r: r.status_code == 200):
            def check() -> bool:
                with contextlib.suppress(requests.RequestException):
                    return ok(requests.get(url, timeout=2))
                return False
            return check

        def workers() -> bool:
            from rq import Worker

            with contextlib.suppress(Exception):
                return Worker.count(connection=connect(self.redis_url)) >= 2
            return False

        checks = {"sandbox": answers(f"http://{self.at('sandbox')}:{SANDBOX}/",
                                     lambda r: r.status_code < 500)}
        for i in (1, 2):
            checks[f"gateway-{i}"] = answers(f"http://{self.at(f'gateway-{i}')}:{GATEWAY}/healthz")
            checks[f"actions-{i}"] = answers(f"http://{self.at(f'rasa-{i}')}:{ACTIONS}/health")
            checks[f"rasa-{i}"] = answers(f"http://{self.at(f'rasa-{i}')}:{RASA}/")
        checks["workers"] = workers
        # Before any kill: the sentinels have found each other and the replica.
        checks["sentinels"] = self._sentinels_agree
        checks["balancer"] = answers(f"{self.gateway_url}/healthz")
        deadline = started + timeout
        pending = dict(checks)
        while pending:
            for name, check in list(pending.items()):
                if check():
                    del pending[name]
                    self.timings.append((name, time.monotonic() - started))
            for host, name, process in self.net.processes:
                if process.poll() is not None or RESTART_MARK in self.tail(host, name, 3):
                    raise RuntimeError(f"{host} {name} exited during start-up:\n"
                                       + self.tail(host, name))
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
            time.sleep(0.5)
        return self

    def _log(self, host: str, name: str) -> list[str]:
        path = self.logs / f"{host}.{name}.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def tail(self, host: str, name: str, lines: int = 30) -> str:
        return "\n".join(self._log(host, name)[-lines:])

    def troubles(self, host: str, name: str, lines: int = 25) -> str:
        """The last warnings and errors of a host's service (with their tracebacks): what a
        lost message leaves behind, printed before the hosts and their logs are gone."""
        kept = [line for line in self._log(host, name)
                if not line[9:].startswith(("INFO", "DEBUG"))]
        return "\n".join(kept[-lines:])

    def stop(self) -> None:
        self.net.destroy()


@dataclass
class Outcome:
    result: Account
    crowd: list[Person]
    kills: list[tuple[float, str]]
    failover_seconds: float | None
    elapsed: float
    quiet_after: float
    started_in: float
    restarts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        senders_errors = [e for p in self.crowd for e in p.errors]
        failover = (f"{self.failover_seconds:.1f} s" if self.failover_seconds is not None
                    else "not seen")
        return [
            f"hosts up in {self.started_in:.0f} s; {len(self.crowd)} people, "
            f"{self.elapsed:.0f} s of load and recovery (quiet {self.quiet_after:.0f} s after "
            "the last sender)",
            "killed: " + ", ".join(f"{w} at {t:.0f} s" for t, w in self.kills),
            f"Redis primary moved (Sentinel failover) {failover} after the kill",
            "started again by their host: " + (", ".join(
                f"{service} ×{n}" for service, n in self.restarts.items()) or "none"),
            *self.result.lines(),
            f"senders' errors          {len(senders_errors)} {senders_errors[:3]}",
        ]


def run(work: Path, senders: int = 8, turns: int = 8, kill_every: float = 10.0,
        warmup: float = 10.0, report=print) -> Outcome:
    """Start the hosts, run the load with the three kills, account; always cleans up."""
    cluster = ScaleOut(work)
    started = time.monotonic()
    try:
        cluster.start()
        started_in = time.monotonic() - started
        report(f"hosts up in {started_in:.0f} s: "
               + ", ".join(f"{n} {t:.0f}s" for n, t in cluster.timings))
        rt = cluster.runtime()
        open_intake(rt)
        with Listener(rt.redis) as listener:
            crowd = people(cluster, listener, senders, registrations=1, stops=1,
                           faq_turns=turns, gateway_url=cluster.gateway_url)
            for person in crowd:
                person.pause = (1.5, 3.0)  # short conversations: the whole run stays in minutes
                # The second of two messages answered together gets no answer of its own: a
                # sender waits this long for it, then goes on (a lost answer is still counted).
                person.answer_timeout = 40.0
            load_started = time.monotonic()
            for person in crowd:
                person.thread.start()
                time.sleep(0.2)
            time.sleep(warmup)
            kills, failover = [], None
            old_primary = cluster.primary()
            for host in KILLS:
                count = cluster.net.kill_host(host)
                at = time.monotonic() - load_started
                kills.append((at, host))
                report(f"  {at:6.1f} s  kill -9 host {host} ({count} processes)")
                if host == "redis-1":
                    killed_at = time.monotonic()
                    while time.monotonic() - killed_at < 30:
                        now = cluster.primary()
                        if now and now != old_primary:
                            failover = time.monotonic() - killed_at
                            report(f"  primary is now {now[0]} after {failover:.1f} s")
                            break
                        time.sleep(0.2)
                    time.sleep(max(0.0, kill_every - (time.monotonic() - killed_at)))
                else:
                    time.sleep(kill_every)
            for person in crowd:
                person.thread.join(timeout=400)
            last_sender = time.monotonic()
            wait_for_quiet(rt, listener, quiet=6, limit=240)
            quiet_after = time.monotonic() - last_sender
            result = account(cluster, rt, listener, crowd, rasa_url=cluster.rasa_url)
            if result.lost or result.twice or result.out_of_order:
                for host, name in (("sweeper", "sweeper"), ("worker-1", "worker"),
                                   ("worker-2", "worker")):
                    report(f"--- {host} {name}: warnings and errors ---\n"
                           f"{cluster.troubles(host, name)}")
        return Outcome(result, crowd, kills, failover, time.monotonic() - load_started,
                       quiet_after, started_in, cluster.restarts())
    except BaseException:
        for host, name, _ in cluster.net.processes:
            report(f"--- {host} {name} ---\n{cluster.tail(host, name, 12)}")
        raise
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--turns", type=int, default=8, help="questions per asking person")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between kills")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("needs root and iproute2 (ip netns)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="hotline-scale-out-"))
    try:
        outcome = run(work, args.senders, args.turns, args.interval,
                      report=lambda line: print(line, flush=True))
    finally:
        if not args.keep_logs:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs in {work / 'log'}")
    for line in outcome.lines():
        print("  " + line)
    r = outcome.result
    return 0 if not (r.lost or r.twice or r.out_of_order) else 1


if __name__ == "__main__":
    sys.exit(main())
