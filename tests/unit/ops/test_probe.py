"""The exec probes of the workers and the sweeper: alive while their loop turns, a worker ready
only while Redis answers; a stuck loop, a missing beat or an unreadable setting says NO."""

from __future__ import annotations

import os
import time

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from hotline import liveness
from hotline.ops import probe
from hotline.ops.worker import WORKER_BEAT_SECONDS, HotlineWorker


def env(settings, beat_file, **more):
    return {"REDIS_URL": settings.redis_url, "HOTLINE_BEAT_FILE": str(beat_file),
            "HOTLINE_SWEEP_SECONDS": "30", **more}


def test_a_fresh_beat_is_alive_and_a_stale_one_is_stuck(settings, tmp_path):
    beat = tmp_path / "hotline.beat"
    liveness.beat(str(beat))
    assert probe.check("sweeper", False, env(settings, beat))[0]
    old = time.time() - (3 * 30 + 61)
    os.utime(beat, (old, old))
    ok, why = probe.check("sweeper", False, env(settings, beat))
    assert not ok and "limit 150 s" in why
    # A worker may wait on an empty queue or run a long job: the same age is fine for it.
    assert probe.check("worker", False, env(settings, beat))[0]
    old = time.time() - WORKER_BEAT_SECONDS - 5
    os.utime(beat, (old, old))
    assert not probe.check("worker", False, env(settings, beat))[0]


def test_no_beat_yet_or_no_beat_file_set_is_not_alive(settings, tmp_path):
    ok, why = probe.check("worker", False, env(settings, tmp_path / "never"))
    assert not ok and "no beat yet" in why
    ok, why = probe.check("worker", False, {"REDIS_URL": settings.redis_url})
    assert not ok and "HOTLINE_BEAT_FILE" in why


def test_a_worker_is_ready_only_while_redis_answers(settings, tmp_path):
    beat = tmp_path / "hotline.beat"
    liveness.beat(str(beat))
    assert probe.check("worker", True, env(settings, beat))[0]
    ok, why = probe.check("worker", True, env(settings, beat, REDIS_URL="redis://127.0.0.1:1/0"))
    assert not ok and "Redis does not answer" in why


def test_a_malformed_setting_is_a_clear_no(settings, tmp_path):
    ok, why = probe.check("sweeper", False, env(settings, tmp_path / "b",
                                                HOTLINE_SWEEP_SECONDS="soon"))
    assert not ok and why.startswith("configuration")


def test_main_prints_one_line_and_exits_by_health(settings, tmp_path, monkeypatch, capsys):
    beat = tmp_path / "hotline.beat"
    for name, value in env(settings, beat).items():
        monkeypatch.setenv(name, value)
    assert probe.main(["sweeper"]) == 1
    liveness.beat(str(beat))
    assert probe.main(["sweeper"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("sweeper live: ok")


def test_the_worker_beats_with_rqs_heartbeat(rt, tmp_path):
    beat = tmp_path / "w.beat"
    worker = HotlineWorker([Queue("inbound", connection=rt.rq_redis,
                                  serializer=JSONSerializer)],
                           connection=rt.rq_redis, serializer=JSONSerializer)
    worker.beat_file = str(beat)
    worker.register_birth()
    try:
        worker.heartbeat()
    finally:
        worker.register_death()
    assert liveness.age(str(beat)) is not None and liveness.age(str(beat)) < 5


def test_an_unwritable_beat_file_never_stops_the_work(tmp_path):
    liveness.beat(str(tmp_path / "missing-dir" / "b"))  # logged, not raised
    assert liveness.age(str(tmp_path / "missing-dir" / "b")) is None


def test_the_sweeper_beats_each_time_round_its_loop(settings, tmp_path, monkeypatch):
    from hotline import sweeper

    beat = tmp_path / "s.beat"
    for name, value in env(settings, beat).items():
        monkeypatch.setenv(name, value)

    class Stop(Exception):
        pass

    def sleep(seconds):
        raise Stop  # the first turn of the loop, then out

    monkeypatch.setattr(sweeper.time, "sleep", sleep)
    with pytest.raises(Stop):
        sweeper.main()
    assert liveness.age(str(beat)) is not None
