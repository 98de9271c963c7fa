"""`./hotline.sh redis backup` against a real redis-server with its append-only file on: a fresh
snapshot and the AOF are copied, private to this user, and the copy restores the data."""

from __future__ import annotations

import shutil
import stat
import subprocess
import time

import pytest
from redis import Redis

from hotline.ops import backup, cli
from hotline.ops.stack import free_port


def start_redis(directory, *extra) -> tuple[subprocess.Popen, Redis]:
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--dir", str(directory), "--save", "", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = Redis(port=port, decode_responses=True)
    for _ in range(100):
        try:
            client.ping()
            return process, client
        except Exception:
            time.sleep(0.05)
    process.kill()
    pytest.fail("redis-server did not start")


@pytest.fixture
def aof_redis(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    process, client = start_redis(data, "--appendonly", "yes", "--appendfsync", "always")
    yield client
    process.kill()
    process.wait()


def test_a_backup_holds_a_fresh_snapshot_and_the_aof_and_restores(aof_redis, tmp_path):
    aof_redis.set("hl:contact:c1", "encrypted")
    aof_redis.rpush("hl:inbox:c1", "SM1", "SM2")
    made = backup.backup(aof_redis, tmp_path / "backups")
    names = sorted(str(f.relative_to(made.directory)) for f in made.files)
    assert "dump.rdb" in names
    assert any(n.startswith("appendonlydir/") and n.endswith(".manifest") for n in names)
    assert stat.S_IMODE(made.directory.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in made.files)
    # Written after the backup: not in it.
    aof_redis.set("hl:later", "x")
    # The snapshot alone restores the data as it was.
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy(made.directory / "dump.rdb", restored_dir / "dump.rdb")
    process, restored = start_redis(restored_dir)
    try:
        assert restored.get("hl:contact:c1") == "encrypted"
        assert restored.lrange("hl:inbox:c1", 0, -1) == ["SM1", "SM2"]
        assert restored.get("hl:later") is None
    finally:
        process.kill()
        process.wait()


def test_the_command_prints_where_the_backup_went(aof_redis, tmp_path, monkeypatch, capsys):
    port = aof_redis.connection_pool.connection_kwargs["port"]
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    assert cli.main(["redis", "backup", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"backup in {tmp_path / 'out'}/redis-") and "dump.rdb" in printed


def test_a_backup_of_a_redis_without_aof_has_the_snapshot(redis, tmp_path):
    made = backup.backup(redis, tmp_path / "b")
    assert [f.name for f in made.files] == ["dump.rdb"]
