"""Running a broadcast: submitted, started (or scheduled), sent chunk by chunk, finished.

A broadcast is a record, then a frozen list of recipients (the audience at the moment it
starts), then chunks of that list claimed by RQ jobs. Each recipient is claimed before Twilio is
called (`sender`), so a restarted broadcast, a second worker or a re-run chunk never sends
anyone the same broadcast twice. A chunk whose runner died (no heartbeat: a thread beats it
while the runner lives, `heartbeat`) is run again by the next job or the sweeper; a recipient
left "sending" by the dead runner is first looked up at Twilio, so there is no gap and no
duplicate.

Owns the life cycle (submit, start, schedule, cancel), the chunk protocol (claims, heartbeats,
takeover) and `resume_stalled` for the sweeper. Jobs are queued by the dotted names in
`hotline.jobs`, which jobs already in Redis also name.

May import: core, outreach (spec, store, audience, sender), runtime.
"""

from __future__ import annotations

import logging
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from rq import Retry

from hotline.heartbeat import Heartbeat
from hotline.outreach import store
from hotline.outreach.audience import audience_members, dry_run
from hotline.outreach.sender import Sender
from hotline.outreach.spec import Broadcast, BroadcastError
from hotline.runtime import BROADCAST_QUEUE, Runtime

log = logging.getLogger(__name__)

CHUNK = 250
RUNNERS = 2
# A scheduled start that fails (Redis blip, a worker killed in it) is tried again; the sweeper
# also starts a broadcast still "scheduled" this long after its time (`resume_due`).
START_RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])
DUE_GRACE_SECONDS = 120


def submit(rt: Runtime, bc: Broadcast) -> Broadcast:
    """Freeze the audience now (or at send_at) and queue the sending."""
    preview = dry_run(rt, bc)
    if preview["audience"] == 0:
        raise BroadcastError("the audience is empty: nobody would receive this broadcast")
    store.save(rt.redis, bc)
    if bc.send_at and bc.send_at > time.time() + 1:
        bc.state = "scheduled"
        store.set_state(rt.redis, bc.id, "scheduled")
        rt.queue(BROADCAST_QUEUE).enqueue_at(
            datetime.fromtimestamp(bc.send_at, tz=timezone.utc), "hotline.jobs.start_broadcast",
            bc.id, retry=START_RETRY)
        return bc
    return start(rt, bc.id)


def start(rt: Runtime, bc_id: str) -> Broadcast:
    """Freeze the recipient list (the first time only) and queue the runners."""
    # Only the first start freezes the list; a repeated start resumes the same list.
    if store.freeze(rt.redis, bc_id):
        members = [cid for cid, _, _ in audience_members(rt, store.load(rt.redis, bc_id).audience)]
        store.add_recipients(rt.redis, bc_id, members)
        store.set_state(rt.redis, bc_id, "sending", total=len(members), started_at=time.time())
    elif store.state(rt.redis, bc_id) in ("done", "cancelled"):
        return store.load(rt.redis, bc_id)
    else:
        store.set_state(rt.redis, bc_id, "sending")
    for _ in range(RUNNERS):
        enqueue_runner(rt, bc_id)
    return store.load(rt.redis, bc_id)


def enqueue_runner(rt: Runtime, bc_id: str) -> None:
    rt.queue(BROADCAST_QUEUE).enqueue("hotline.jobs.run_broadcast", bc_id, job_timeout=3600)


def cancel(rt: Runtime, bc_id: str) -> bool:
    """Stop a broadcast that has not finished; False when it already has."""
    if store.state(rt.redis, bc_id) in ("draft", "scheduled", "sending"):
        store.set_state(rt.redis, bc_id, "cancelled")
        return True
    return False


def _stale(rt: Runtime) -> int:
    """A chunk or a "sending" claim this old belongs to a dead worker."""
    return rt.settings.broadcast_stale_seconds


def _claim_chunk(rt: Runtime, bc_id: str, total: int, token: str) -> tuple[int, bool] | None:
    """(start index, taken over) of a chunk nobody else is running; None when none is left."""
    start = store.next_chunk(rt.redis, bc_id, CHUNK)
    if start < total:
        store.own_chunk(rt.redis, bc_id, start, token)
        return start, False
    # Everything was handed out: take over a chunk whose runner stopped beating.
    now = time.time()
    for chunk_start, beat in store.heartbeats(rt.redis, bc_id).items():
        stale = beat != store.DONE and now - float(beat) > _stale(rt)
        if stale and store.take_over(rt.redis, bc_id, chunk_start, beat, now, token):
            log.warning("broadcast %s: taking over stale chunk %s", bc_id, chunk_start)
            return int(chunk_start), True
    return None


def heartbeat(rt: Runtime, bc_id: str, start: int, token: str,
              every: float | None = None) -> Heartbeat:
    """Beats a chunk's claim from its own thread while the runner lives.

    Beating once per batch let a slow batch (limiter waits, Twilio's retries, a low rate) look
    dead: another runner took the chunk over and sent what this one was still sending. Every
    quarter of the stale time, so three beats can fail (a Redis blip) before it matters; `lost`
    is set once the chunk is no longer ours, and the sender stops before its next send.
    """
    every = every if every is not None else max(_stale(rt) / 4, 0.05)
    return Heartbeat(lambda: store.beat(rt.redis, bc_id, start, token), every,
                     f"broadcast {bc_id} chunk {start}")


def run(rt: Runtime, bc_id: str, threads: int | None = None) -> int:
    """Send chunks of one broadcast until none is left; returns how many this runner sent.

    Each call runs one chunk and queues itself again, so replies to people (queued ahead of
    broadcasts) are never stuck behind a whole broadcast.
    """
    bc = store.load(rt.redis, bc_id)
    if bc is None or bc.state != "sending":
        return 0
    token = secrets.token_hex(8)
    claimed = _claim_chunk(rt, bc_id, bc.total, token)
    if claimed is None:
        _finish_if_done(rt, bc)
        return 0
    start, taken_over = claimed
    ids = store.recipients(rt.redis, bc_id, start, CHUNK)
    threads = threads or rt.settings.broadcast_threads
    results = []
    with heartbeat(rt, bc_id, start, token) as heart, \
            ThreadPoolExecutor(max_workers=threads) as pool:
        # Each send first asks whether the chunk is still ours: a recipient claimed but not
        # sent is left "sending", which the runner that took over looks up and sends.
        sender = Sender(rt, bc, taken_over=taken_over, still_ours=lambda: not heart.lost.is_set())
        for i in range(0, len(ids), threads * 4):
            if not heart.beat():
                log.warning("broadcast %s: chunk %s was taken over; stopping", bc_id, start)
                return sum(1 for r in results if r == "sent")
            if store.state(rt.redis, bc_id) != "sending":
                return sum(1 for r in results if r == "sent")  # cancelled
            results += pool.map(sender.send, sender.claim(ids[i:i + threads * 4]))
        if heart.lost.is_set():
            return sum(1 for r in results if r == "sent")
    if store.owner(rt.redis, bc_id, start) == token:
        store.finish_chunk(rt.redis, bc_id, start)
    enqueue_runner(rt, bc_id)
    return sum(1 for r in results if r == "sent")


def _finish_if_done(rt: Runtime, bc: Broadcast) -> None:
    chunks = store.heartbeats(rt.redis, bc.id)
    expected = -(-bc.total // CHUNK)
    all_done = len(chunks) >= expected and all(v == store.DONE for v in chunks.values())
    if all_done and store.state(rt.redis, bc.id) == "sending":
        store.set_state(rt.redis, bc.id, "done", finished_at=time.time())
        log.info("broadcast %s done", bc.id)


def resume_stalled(rt: Runtime) -> int:
    """For the sweeper: broadcasts still sending whose chunks went quiet get a runner again."""
    resumed = 0
    for bc_id in store.ids(rt.redis):
        if store.state(rt.redis, bc_id) != "sending":
            continue
        beats = [v for v in store.heartbeats(rt.redis, bc_id).values() if v != store.DONE]
        quiet = not beats or all(time.time() - float(b) > _stale(rt) for b in beats)
        if quiet and store.hold_resume(rt.redis, bc_id, _stale(rt)):
            enqueue_runner(rt, bc_id)
            resumed += 1
    return resumed


def resume_due(rt: Runtime, now: float | None = None) -> int:
    """For the sweeper: start scheduled broadcasts whose time is well past (their start job was
    lost: a worker killed in it, Redis restarted without it). Starting twice is harmless: the
    recipient list is frozen once and every recipient is claimed once."""
    now = now or time.time()
    started = 0
    for bc_id in store.ids(rt.redis):
        if store.state(rt.redis, bc_id) != "scheduled":
            continue
        bc = store.load(rt.redis, bc_id)
        if bc is None or not bc.send_at or bc.send_at > now - DUE_GRACE_SECONDS:
            continue
        if store.hold_resume(rt.redis, bc_id, DUE_GRACE_SECONDS):
            log.warning("broadcast %s: scheduled start was lost; starting it now", bc_id)
            start(rt, bc_id)
            started += 1
    return started
