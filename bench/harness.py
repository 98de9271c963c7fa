"""Load and faults for the benchmarks (bench/chaos.py, bench/flood.py) and the chaos stack
test (tests/stack/test_chaos.py): people having real conversations through the Twilio sandbox
while services are killed, and an account of every message afterwards.

A `Person` posts each message as Twilio would (signed, with its own MessageSid) and, like
Twilio, posts the same MessageSid again while the gateway does not answer 200 (a killed
gateway worker, Redis restarting). Replies are read from the sandbox's records in Redis by one
`Listener` (not by 30 pollers of the sandbox's HTTP API), and tied to the message they answer
by the id each send carries in its status callback URL (`?send=<MessageSid>-<n>`).

`account()` then says, from the sandbox and the hotline's own records: accepted, answered, lost
(accepted, never answered, and not a message whose answer was not due: batched with the one
before, after STOP, to an operator), answered twice (a reply part sent twice), out of order (a
person's answers arriving in another order than their messages), Rasa turns run twice (a
MessageSid twice among the user events of a Rasa tracker), registrations complete, and how
long each answer took.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import secrets
import signal
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import requests
from redis import Redis
from redis.exceptions import RedisError

from hotline.config import Settings
from hotline.content import program_status
from hotline.content.program_status import Intake, Organization
from hotline.messaging import deadletters, inbound, phones
from hotline.messaging.channels import parse_address
from hotline.ops.chat import Phone
from hotline.ops.stack import Ports, Stack
from hotline.ops.training import MODELS_DIR, model_path
from hotline.runtime import Runtime
from sandbox.store import SandboxStore

log = logging.getLogger(__name__)

SMS_NUMBER = "+15005550006"
NUMBERS = f"{SMS_NUMBER},whatsapp:+14155238886"
# Notices are not answers: the message they are about still has to be answered.
NOTICE_SUFFIXES = ("hold", "wait", "flow")

FAQ = ["hola", "cuanto cuesta? me quieren cobrar por una cita", "necesito un abogado gratis",
       "se puede ir a la frontera ya?", "sigue el programa quedate en mexico?",
       "como reviso mi fecha de corte", "que documentos necesito", "gracias",
       "hello", "what documents do i need to bring", "thank you"]
REGISTRATION = ["quiero registrarme", "si acepto", "1", "Mexico, Tijuana",
                "Maria Jose Lopez Hernandez", "15 marzo 88", "honduras", None, "marzo 2019",
                "2", "2", "1 5", "si"]
STOP = ["hola", "gracias", "STOP"]


def newest_model() -> Path:
    """The model for the current data if it is trained, else the newest one: a benchmark never
    trains (that takes the machine for many minutes)."""
    current = model_path()
    if current.exists():
        return current
    models = sorted(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model in models/: run ./hotline.sh train first")
    return models[-1]


def start_stack(var_dir: Path, workers: int = 2, gateway_workers: int = 2,
                env: dict | None = None) -> Stack:
    """The whole hotline on free loopback ports with its own redis-server (AOF on), the
    sandbox, and nothing of a developer's own stack."""
    overrides = {"HOTLINE_NUMBERS": NUMBERS, "HOTLINE_SWEEP_SECONDS": "2",
                 "HOTLINE_PUBLIC_URL": "", "HOTLINE_TRUSTED_PROXY_HOPS": "0",
                 "SANDBOX_DELIVERY_DELAY": "0.05", **(env or {})}
    # Our own Redis and sandbox: neither REDIS_URL nor a real Twilio account from outside.
    for name in ("REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL"):
        os.environ.pop(name, None)
    stack = Stack(var_dir=var_dir, ports=Ports.free(), workers=workers,
                  gateway_workers=gateway_workers, env_overrides=overrides)
    stack.model = newest_model()
    stack.start(timeout=400)
    return stack


class Supervisor:
    """The development supervisor's loop in a thread (the benchmark keeps the main thread)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.stop = threading.Event()
        self.restarted: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._run, daemon=True, name="supervisor")

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            for name in self.stack.supervise():
                self.restarted.append((time.time(), name))

    def __enter__(self) -> Supervisor:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def open_intake(rt: Runtime) -> None:
    """Registrations need intake open, with an organization that receives them."""
    current = program_status.load_file(rt.settings.program_status_file)
    day = date.today()
    organization = Organization("Casa de Prueba", "WhatsApp +52 000 000 0000", ("registrations",))
    program_status.store_override(rt.redis, current.changed(
        intake=Intake(True, day, day), organizations=(organization,)))


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def kill(stack: Stack, target: str) -> str:
    """kill -9 one process: a service by name, or `gateway-worker` (one of gunicorn's)."""
    if target == "gateway-worker":
        gateway = next(s for s in stack.services if s.name == "gateway")
        workers = children(gateway.process.pid)
        if not workers:
            return "gateway-worker: none found"
        victim = random.choice(workers)
        os.kill(victim, signal.SIGKILL)
        return f"gateway-worker pid {victim}"
    service = next(s for s in stack.services if s.name == target)
    os.kill(service.process.pid, signal.SIGKILL)
    return f"{target} pid {service.process.pid}"


@dataclass
class Sent:
    sid: str
    person: str
    text: str
    first_try: float
    accepted_at: float | None = None
    tries: int = 0


@dataclass
class Reply:
    out_id: str
    at: float
    seq: int
    body: str


class Listener:
    """Reads every message the sandbox accepted, as it arrives, and files it by the inbound
    MessageSid it answers."""

    def __init__(self, redis: Redis):
        self.store = SandboxStore(redis)
        self.redis = redis
        self.by_sid: dict[str, list[Reply]] = {}
        self.untagged: list[dict] = []
        self.seen: set[str] = set()
        self.last_total = 0
        self.last_new = time.time()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="listener")

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.poll()

    def _run(self) -> None:
        while not self.stop.wait(0.3):
            # Redis restarting: the next look finds what came meanwhile.
            with contextlib.suppress(RedisError, OSError):
                self.poll()

    def poll(self) -> None:
        records, total = self.store.page(None, None, 0, 1)
        if total <= self.last_total:
            return
        records, _ = self.store.page(None, None, 0, total - self.last_total + 5)
        with self.lock:
            for record in reversed(records):
                if record["sid"] in self.seen:
                    continue
                self.seen.add(record["sid"])
                self.last_new = time.time()
                callback = record.get("_status_callback") or ""
                send = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query).get("send")
                if not send:
                    self.untagged.append(record)
                    continue
                out_id = send[0]
                sid = out_id.rsplit("-", 1)[0]
                self.by_sid.setdefault(sid, []).append(
                    Reply(out_id, float(record.get("_at") or time.time()),
                          int(record["_seq"]), record.get("body") or ""))
            self.last_total = total

    def answers(self, sid: str) -> list[Reply]:
        with self.lock:
            return [r for r in self.by_sid.get(sid, [])
                    if r.out_id.rsplit("-", 1)[1] not in NOTICE_SUFFIXES]

    def notices(self, sid: str) -> list[Reply]:
        with self.lock:
            return [r for r in self.by_sid.get(sid, [])
                    if r.out_id.rsplit("-", 1)[1] in NOTICE_SUFFIXES]


# Seconds the second of a pair waits for an answer of its own once the first is answered.
BATCH_GRACE = 15.0


class Person:
    """One person with a phone and a script: each message posted like Twilio (again with the
    same MessageSid until the gateway says 200), then a wait for its answer, then a pause."""

    def __init__(self, name: str, phone: Phone, script: list[str], listener: Listener,
                 answer_timeout: float = 300.0, pause: tuple[float, float] = (4.0, 10.0),
                 pairs: bool = False, interval: float | None = None):
        self.name, self.phone, self.script = name, phone, script
        self.listener = listener
        self.answer_timeout = answer_timeout
        # A person reads the answer and types the next message: seconds, not milliseconds.
        self.pause = pause
        # Two messages back to back now and then: their answers must come in order.
        self.pairs = pairs
        # A fixed pace (messages per second, without waiting for answers): the flooder.
        self.interval = interval
        self.sent: list[Sent] = []
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True, name=name)

    def deliver(self, text: str, deadline: float) -> Sent:
        sent = Sent("SM" + secrets.token_hex(16), self.name, text, time.time())
        self.sent.append(sent)
        while time.time() < deadline:
            sent.tries += 1
            try:
                response = self.phone.send(text, sid=sent.sid)
                if response.status_code == 200:
                    sent.accepted_at = time.time()
                    return sent
            except requests.RequestException:
                pass
            time.sleep(2)  # Twilio tries again a little later
        self.errors.append(f"{sent.sid} never accepted")
        return sent

    def run(self) -> None:
        i = 0
        while i < len(self.script):
            text = self.script[i]
            deadline = time.time() + 600
            if self.interval:
                self.deliver(text, deadline)
                time.sleep(self.interval)
                i += 1
                continue
            batch = [text]
            if self.pairs and i + 1 < len(self.script) and random.random() < 0.3:
                batch.append(self.script[i + 1])
            sent = [self.deliver(t, deadline) for t in batch]
            for n, s in enumerate(sent):
                if s.accepted_at:
                    self.wait_answer(s, answered_with=sent[0] if n else None)
            i += len(batch)
            time.sleep(random.uniform(*self.pause))

    def wait_answer(self, sent: Sent, answered_with: Sent | None = None) -> None:
        """Until this message's answer arrives. `answered_with`: the first message of the same
        pair. The hotline answers messages that queued up together in one turn, under the
        first one's MessageSid, so once that one is answered this one waits BATCH_GRACE more,
        not the whole timeout (the accounting finds it "batched", not lost)."""
        deadline = time.time() + self.answer_timeout
        while time.time() < deadline:
            if self.listener.answers(sent.sid):
                return
            if answered_with is not None and self.listener.answers(answered_with.sid):
                deadline = min(deadline, time.time() + BATCH_GRACE)
            time.sleep(0.3)


def make_phone(stack: Stack, number: str | None = None, channel: str = "sms",
               gateway_url: str | None = None) -> Phone:
    """`gateway_url`: where Twilio posts when it is not this machine's stack (a balancer)."""
    env = stack.env
    return Phone(gateway_url or f"http://127.0.0.1:{stack.ports.gateway}",
                 env["TWILIO_API_BASE_URL"],
                 env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"],
                 number or "+52155" + "".join(secrets.choice("0123456789") for _ in range(8)),
                 SMS_NUMBER, channel)


def a_number() -> str:
    digits = "0" + "".join(secrets.choice("0123456789") for _ in range(8))
    return f"A-{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def people(stack: Stack, listener: Listener, count: int, registrations: int = 3,
           stops: int = 3, faq_turns: int = 6, seed: int = 7,
           gateway_url: str | None = None) -> list[Person]:
    """`count` people: some register, some say STOP at the end, the rest ask questions (a few
    of them two at a time)."""
    rng = random.Random(seed)
    crowd = []
    for i in range(count):
        if i < registrations:
            script = [t if t is not None else a_number() for t in REGISTRATION]
            kind = "register"
        elif i < registrations + stops:
            script, kind = list(STOP), "stop"
        else:
            script, kind = [rng.choice(FAQ) for _ in range(faq_turns)], "faq"
        crowd.append(Person(f"{kind}-{i}", make_phone(stack, gateway_url=gateway_url), script,
                            listener,
                            pairs=(kind == "faq" and i % 4 == 0)))
    return crowd


def wait_for_quiet(rt: Runtime, listener: Listener, quiet: float = 15.0,
                   limit: float = 420.0) -> float:
    """Until nobody's line holds a message and the sandbox got nothing new for `quiet` seconds;
    returns how long it took."""
    started = time.time()
    while time.time() - started < limit:
        try:
            line = inbound.inbox(rt)
            busy = any(line.pending(c) for c in line.active_keys())
        except RedisError:
            busy = True
        if not busy and time.time() - listener.last_new >= quiet:
            break
        time.sleep(1)
    return time.time() - started


def contact_id(rt: Runtime, phone: Phone) -> str:
    return rt.vault.pseudonym(phones.canonical(parse_address(phone.address).number))


def rasa_turns_twice(stack: Stack, rt: Runtime, crowd: list[Person],
                     rasa_url: str | None = None) -> tuple[int, int]:
    """MessageSids that appear more than once among the user turns of the Rasa trackers, and
    how many trackers were read (a tracker Rasa would not give is not counted as clean)."""
    twice = read = 0
    url = (rasa_url or f"http://127.0.0.1:{stack.ports.rasa}") + "/conversations/{}/tracker"
    for person in crowd:
        try:
            tracker = requests.get(url.format(contact_id(rt, person.phone)),
                                   params={"token": stack.env["RASA_TOKEN"]}, timeout=30).json()
        except (requests.RequestException, ValueError):
            continue
        if not isinstance(tracker, dict) or "events" not in tracker:
            continue
        read += 1
        sids = Counter(((e.get("metadata") or {}).get("message_sid"))
                       for e in tracker.get("events") or [] if e.get("event") == "user")
        sids.pop(None, None)
        twice += sum(1 for n in sids.values() if n > 1)
    return twice, read


@dataclass
class Account:
    accepted: int = 0
    answered: int = 0
    not_due: int = 0
    lost: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    rasa_twice: int = 0
    trackers_read: tuple[int, int] = (0, 0)
    registrations: tuple[int, int] = (0, 0)
    waits: list[float] = field(default_factory=list)
    longest: tuple[float, str] = (0.0, "")
    told_coming: int = 0
    # For each person with a message lost: the state of their lines (`line_state`).
    stuck: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        waits = sorted(self.waits)

        def pct(q: float) -> float:
            return waits[min(len(waits) - 1, int(round(q * (len(waits) - 1))))] if waits else 0

        return [
            f"inbound accepted          {self.accepted}",
            f"answered                  {self.answered}  (+{self.not_due} with no answer due:"
            f" batched, after STOP, to an operator)",
            f"lost                      {len(self.lost)}  {self.lost[:5]}",
            f"answered twice            {len(self.twice)}  {self.twice[:5]}",
            f"answered out of order     {len(self.out_of_order)}  {self.out_of_order[:5]}",
            f"Rasa turns run twice      {self.rasa_twice}  (trackers read: "
            f"{self.trackers_read[0]} of {self.trackers_read[1]})",
            f"registrations complete    {self.registrations[0]} of {self.registrations[1]}",
            f"longest wait for answer   {self.longest[0]:.1f} s  ({self.longest[1]})",
            f"wait p50 / p95            {pct(.5):.1f} s / {pct(.95):.1f} s",
            f"told 'it is coming'       {self.told_coming}",
            *(f"stuck: {line}" for line in self.stuck),
        ]


def account(stack: Stack, rt: Runtime, listener: Listener, crowd: list[Person],
            rasa_url: str | None = None) -> Account:
    result = Account()
    lost_by: dict[str, Person] = {}  # people with a message lost, for their lines' state
    registrants = [p for p in crowd if p.name.startswith("register")]
    for person in crowd:
        last_seq = 0
        for sent in person.sent:
            if not sent.accepted_at:
                continue
            result.accepted += 1
            answers = listener.answers(sent.sid)
            result.told_coming += len(listener.notices(sent.sid))
            parts = Counter(r.out_id for r in answers)
            result.twice += [out for out, n in parts.items() if n > 1]
            if answers:
                result.answered += 1
                first = min(answers, key=lambda r: r.seq)
                wait = first.at - sent.first_try
                result.waits.append(wait)
                if wait > result.longest[0]:
                    result.longest = (wait, f"{person.name}: {sent.text[:30]!r}")
                if first.seq < last_seq:
                    result.out_of_order.append(sent.sid)
                last_seq = max(last_seq, first.seq)
                continue
            # No answer reached the phone. Done with no reply recorded (batched with the message
            # before, after STOP, to an operator) or a reply refused (opted out) was not due.
            record = rt.messages.load_inbound(sent.sid)
            first_part = rt.messages.load_outbound(f"{sent.sid}-0")
            state = record.state if record else "never stored"
            if state == "done" and (first_part is None or first_part.status == "refused"):
                result.not_due += 1
            else:
                status = first_part.status if first_part else "no reply recorded"
                result.lost.append(f"{sent.sid} ({person.name}: {state}, {status})")
                lost_by.setdefault(person.name, person)
    for name, person in lost_by.items():
        result.stuck.append(f"{name} {line_state(rt, contact_id(rt, person.phone))}")
    result.rasa_twice, read = rasa_turns_twice(stack, rt, crowd, rasa_url)
    result.trackers_read = (read, len(crowd))
    done = sum(1 for p in registrants
               if rt.registrations.latest_for_contact(contact_id(rt, p.phone)) is not None)
    result.registrations = (done, len(registrants))
    return result


def line_state(rt: Runtime, cid: str) -> str:
    """What holds a person's lines, read from Redis: whether the sweeper can see them, their
    heads, locks, the sweep's holds, the job marker and the jobs naming the person. A lost
    message's evidence, printed with the account (the hosts' logs are gone with them)."""
    from rq.job import Job

    from hotline.jobs import sweep_hold_left
    from hotline.messaging import flow, outbound

    r = rt.redis
    parts = []
    for name, line in (("inbox", inbound.inbox(rt)), ("outbox", outbound.outbox(rt))):
        pending = line.pending(cid)
        head = ""
        if pending and name == "inbox":
            record = rt.messages.load_inbound(pending[0])
            head = f" head {record.state if record else 'missing'}"
        elif pending:
            record = rt.messages.load_outbound(pending[0])
            head = f" head {record.status if record else 'missing'}"
        parts.append(f"{name}: {len(pending)} waiting{head}, active "
                     f"{cid in line.active_keys()}, lock {line.held_for(cid):.0f} s, "
                     f"sweep hold {sweep_hold_left(rt, name, cid)} s")
    parts.append(f"job marker {flow.job_marked_for(r, cid)} s")
    jobs = []
    for name in ("inbound", "outbound"):
        queue = rt.queue(name)
        for where, ids in (("queued", queue.get_job_ids()),
                           ("scheduled", queue.scheduled_job_registry.get_job_ids()),
                           ("started", queue.started_job_registry.get_job_ids()),
                           ("failed", queue.failed_job_registry.get_job_ids())):
            for job_id in ids:
                try:
                    job = Job.fetch(job_id, connection=rt.rq_redis, serializer=queue.serializer)
                    if cid in (job.args or ()):
                        jobs.append(f"{job.func_name.rsplit('.', 1)[-1]} {where}")
                except Exception:  # noqa: BLE001 - a job RQ cannot read is evidence too
                    jobs.append(f"unreadable {job_id} {where}")
    parts.append("jobs: " + (", ".join(jobs) or "none"))
    dead = [f"{e['line']} {e['item'][:10]} ({e['error'][:60]}, {e['attempts']} attempts)"
            for e in deadletters.listing(r, state=None) if e["contact_id"] == cid]
    parts.append("dead letters: " + (", ".join(dead) or "none"))
    return "; ".join(parts)


def runtime_of(stack: Stack) -> Runtime:
    return Runtime(Settings.from_env(stack.env))
