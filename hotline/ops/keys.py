"""`./hotline.sh keys rotate | status`: a new data key, and everything stored re-encrypted with it.

How a rotation goes:
1. A new random key is added to the keyring file (`HOTLINE_KEYRING_FILE`, 0600). Every process
   notices the changed file at its next encryption (`hotline.crypto.Vault`), so new writes use
   the new key at once; old values still read, every key decrypts.
2. Every Redis key is walked with SCAN; each Fernet token found in a value (a whole value, a hash
   field, a list item, or a token inside a JSON value such as a transcript entry) is decrypted
   and encrypted again with the new key. Each change is a compare-and-set (a Lua script): a value
   rewritten by the hotline meanwhile is left alone, it is already under the new key.
3. The SCAN cursor is kept in Redis (`hl:keys:rotation`) after every batch: an interrupted
   rotation resumes where it stopped when the command runs again (no second new key), and two
   runs at once are refused (a lock). A value that does not decrypt with any key is not ours
   and is left as it is.

Pseudonyms (contact ids, the A-number index) are keyed hashes, not encryption: their key never
rotates (it would change every Redis key and Rasa sender id). The key is derived from
HOTLINE_SECRET; changing that secret means re-indexing, which this command does not do.

Old keys stay in the keyring so that backups taken before the rotation still read; drop a key
from the file by hand only when no backup needs it.

Before rotating, `keys rotate` (or `keys encrypt-legacy` alone) encrypts what was written before
those fields were encrypted and is still plain text: a registration's vulnerabilities, free-text
place and appointment, its audit details, operators' notes, console audit details. Each store
does it for its own keys (`encrypt_legacy`). It is safe to stop and run again: an encrypted value
is recognised and left alone, so nothing is encrypted twice and a second run changes nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from redis import Redis

from hotline.crypto import Vault, add_key, read_keyring
from hotline.handoff import audit as console_audit
from hotline.handoff import queue as escalations

ROTATION = "hl:keys:rotation"  # hash: target key id, cursor, counts, started/finished
LOCK = "hl:keys:rotation:lock"
LOCK_SECONDS = 300
# Sandbox records are Twilio's, RQ's job data holds ids only: neither holds our tokens.
SKIP_PREFIXES = (b"tw:", b"rq:")
TOKEN = re.compile(r"gAAAAA[0-9A-Za-z_\-]+=*")

# Compare-and-set per Redis type: replace only if the value is still the one we read.
_CAS_STRING = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0"""
_CAS_HASH = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0"""
_CAS_LIST = """
if redis.call('LINDEX', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('LSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0"""


class RotationError(ValueError):
    pass


@dataclass
class Progress:
    key_id: int
    cursor: int
    keys_seen: int
    values_rewritten: int
    done: bool

    def line(self) -> str:
        state = "finished" if self.done else f"in progress (cursor {self.cursor})"
        return (f"data key {self.key_id}: re-encryption {state}; {self.keys_seen} Redis keys "
                f"looked at, {self.values_rewritten} values re-encrypted")


def _rewrite(vault: Vault, text: str) -> str | None:
    """The value with every token re-encrypted under the current key; None if nothing changed."""
    changed = False

    def swap(match: re.Match) -> str:
        nonlocal changed
        new = vault.reencrypt(match.group(0))
        if new is None:
            return match.group(0)
        changed = True
        return new

    out = TOKEN.sub(swap, text)
    return out if changed else None


def _rotate_key(redis: Redis, vault: Vault, key: str, scripts) -> int:
    """Re-encrypt every token in one Redis key; returns how many values were rewritten."""
    cas_string, cas_hash, cas_list = scripts
    kind = redis.type(key)
    done = 0
    if kind == "string":
        old = redis.get(key)
        new = _rewrite(vault, old) if old else None
        if new is not None:
            done += cas_string(keys=[key], args=[old, new])
    elif kind == "hash":
        for field, old in redis.hscan_iter(key, count=500):
            new = _rewrite(vault, old)
            if new is not None:
                done += cas_hash(keys=[key], args=[field, old, new])
    elif kind == "list":
        for index, old in enumerate(redis.lrange(key, 0, -1)):
            new = _rewrite(vault, old)
            if new is not None:
                done += cas_list(keys=[key], args=[index, old, new])
    # Sets and sorted sets hold ids and scores here, never encrypted values.
    return done


def encrypt_legacy(rt) -> dict[str, int]:
    """Encrypt the sensitive values still in plain text from before they were encrypted, each
    store its own; returns how many values each changed (all 0 on a second run)."""
    return {"registrations": rt.registrations.encrypt_legacy(),
            "notes": escalations.encrypt_legacy(rt.redis, rt.vault),
            "console_audit": console_audit.encrypt_legacy(rt.redis, rt.vault)}


def progress(redis: Redis) -> Progress | None:
    state = redis.hgetall(ROTATION)
    if not state:
        return None
    return Progress(int(state["key_id"]), int(state["cursor"]), int(state.get("seen", 0)),
                    int(state.get("rewritten", 0)), state.get("done") == "1")


def rotate(redis: Redis, vault: Vault, keyring, batch: int = 500,
           max_batches: int | None = None) -> Progress:
    """Start a rotation (a new key) or resume the unfinished one; returns where it stands.

    `redis` must decode responses. `max_batches` stops early (tests, or a slow night); the next
    call resumes from the stored cursor.
    """
    if keyring is None:
        raise RotationError("HOTLINE_KEYRING_FILE is not set: there is nowhere to keep a new key")
    token = f"{time.time()}"
    if not redis.set(LOCK, token, nx=True, ex=LOCK_SECONDS):
        raise RotationError("another rotation is running (or stopped less than 5 minutes ago)")
    try:
        state = progress(redis)
        if state is None or state.done or state.key_id not in read_keyring(keyring):
            key_id = add_key(keyring)
            redis.delete(ROTATION)
            redis.hset(ROTATION, mapping={"key_id": key_id, "cursor": 0, "seen": 0,
                                          "rewritten": 0, "done": 0,
                                          "started": int(time.time())})
            state = progress(redis)
        vault.refresh()  # the key just added (or added by the interrupted run) encrypts now
        if vault.key_id != state.key_id:
            raise RotationError(f"the keyring's newest key is {vault.key_id}, the rotation in "
                                f"progress is for key {state.key_id}: fix the keyring file")
        scripts = (redis.register_script(_CAS_STRING), redis.register_script(_CAS_HASH),
                   redis.register_script(_CAS_LIST))
        cursor, batches = state.cursor, 0
        while True:
            cursor, keys = redis.scan(cursor=cursor, count=batch)
            seen = rewritten = 0
            for key in keys:
                if key.encode().startswith(SKIP_PREFIXES) or key in (ROTATION, LOCK):
                    continue
                seen += 1
                rewritten += _rotate_key(redis, vault, key, scripts)
            # The cursor is saved only after its batch is done: a crash repeats one batch, and
            # repeating is harmless (a value already under the new key is left alone).
            pipe = redis.pipeline()
            pipe.hset(ROTATION, "cursor", cursor)
            pipe.hincrby(ROTATION, "seen", seen)
            pipe.hincrby(ROTATION, "rewritten", rewritten)
            if cursor == 0:
                pipe.hset(ROTATION, mapping={"done": 1, "finished": int(time.time())})
            pipe.expire(LOCK, LOCK_SECONDS)
            pipe.execute()
            batches += 1
            if cursor == 0 or (max_batches is not None and batches >= max_batches):
                break
        return progress(redis)
    finally:
        if redis.get(LOCK) == token:
            redis.delete(LOCK)
