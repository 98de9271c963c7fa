"""`./hotline.sh redis backup [--out DIR]`: a copy of Redis's data files, taken safely.

Redis keeps everything in memory and on disk in two forms: the append-only file (every write,
replayed at start; our redis-server syncs it on every write) and the RDB snapshot (the data
at one moment). A backup asks Redis for a fresh snapshot (BGSAVE), waits until it is written,
then copies it and the append-only file(s) into `DIR/redis-<UTC time>/`, readable by this user
only (they hold everyone's encrypted messages and registrations). The RDB is the consistent
copy to restore; the AOF copy may end in a half-written command, which
`redis-check-aof --fix` trims. Restore: stop the hotline, put `dump.rdb` (or the AOF directory)
in Redis's data directory (var/redis), start it again.

Runs on the machine that holds Redis's files (it reads them from where Redis says they are).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from redis import Redis


class BackupError(RuntimeError):
    """The backup could not be made; says why."""


@dataclass
class Backup:
    directory: Path
    files: list[Path]

    def line(self) -> str:
        size = sum(f.stat().st_size for f in self.files)
        names = ", ".join(str(f.relative_to(self.directory)) for f in self.files)
        return f"backup in {self.directory} ({size} bytes): {names}"


def _config(redis: Redis, name: str) -> str:
    value = redis.config_get(name).get(name)
    if value is None:
        raise BackupError(f"Redis did not say its {name} (is CONFIG allowed for this user?)")
    return value


def snapshot(redis: Redis, timeout: float = 120.0) -> None:
    """Ask for a new RDB snapshot and wait until it is on disk."""
    before = redis.lastsave()
    # LASTSAVE counts whole seconds: start in a later second than the last save, so that a new
    # save is always seen as newer.
    while int(time.time()) <= int(before.timestamp()):
        time.sleep(0.05)
    try:
        redis.bgsave()
    except Exception as exc:  # a snapshot already running is fine: wait for a newer one
        if "in progress" not in str(exc):
            raise BackupError(f"BGSAVE refused: {exc}") from exc
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = redis.info("persistence")
        if not info.get("rdb_bgsave_in_progress") and redis.lastsave() > before:
            if info.get("rdb_last_bgsave_status") != "ok":
                raise BackupError("Redis could not write its snapshot (see its log)")
            return
        time.sleep(0.1)
    raise BackupError(f"the snapshot was not written within {timeout:.0f}s")


def _private_copy(source: Path, target: Path) -> Path:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
    return target


def backup(redis: Redis, out: Path, now: float | None = None) -> Backup:
    """Snapshot, then copy the RDB and the AOF into a new directory under `out`."""
    data_dir = Path(_config(redis, "dir"))
    snapshot(redis)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now or time.time()))
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = out / f"redis-{stamp}"
    target.mkdir(mode=0o700)
    files = []
    rdb = data_dir / _config(redis, "dbfilename")
    if not rdb.exists():
        raise BackupError(f"the snapshot {rdb} is not readable here: run this on Redis's host")
    files.append(_private_copy(rdb, target / rdb.name))
    if _config(redis, "appendonly") == "yes":
        # Redis 7 keeps a directory (a manifest, a base file, increments); older ones one file.
        aof_dir = data_dir / (redis.config_get("appenddirname").get("appenddirname") or "")
        if aof_dir != data_dir and aof_dir.is_dir():
            (target / aof_dir.name).mkdir(mode=0o700)
            for part in sorted(aof_dir.iterdir()):
                files.append(_private_copy(part, target / aof_dir.name / part.name))
        else:
            aof = data_dir / _config(redis, "appendfilename")
            if aof.exists():
                files.append(_private_copy(aof, target / aof.name))
    return Backup(target, files)
