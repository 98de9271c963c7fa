"""The hotline's RQ worker: every line logged while a job runs carries the job's id and the
contact it works for; its metrics answer on their own bind."""

from __future__ import annotations

import logging
import urllib.request

from hotline import logs
from hotline.config import ServeSettings
from hotline.ops.stack import free_port
from hotline.ops.worker import HotlineWorker, start_metrics_server
from hotline.runtime import OUTBOUND_QUEUE


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.seen = []

    def emit(self, record):
        self.seen.append((record.name, record.getMessage(), logs.current_context()))


def test_a_jobs_log_lines_carry_its_job_and_contact(rt, caplog):
    job = rt.queue(OUTBOUND_QUEUE).enqueue("hotline.jobs.drain_outbox", "c0ffee42")
    collect = Collect()
    logging.getLogger().addHandler(collect)
    try:
        queue = rt.queue(OUTBOUND_QUEUE)
        worker = HotlineWorker([queue], connection=rt.rq_redis, serializer=queue.serializer)
        assert worker.work(burst=True, logging_level="INFO")
    finally:
        logging.getLogger().removeHandler(collect)
    during = [ctx for name, _, ctx in collect.seen if ctx]
    assert {"job_id": job.id, "contact_id": "c0ffee42"} in during
    assert logs.current_context() == {}  # nothing leaks past the job


def test_a_job_leaves_one_line_saying_it_completed_not_three(rt):
    # RQ wrote "Successfully completed ... in 0.12s", then "Job OK (id)", then "result is kept
    # for 500 seconds": three lines for every message's job, two of them repeating the first.
    from hotline.ops import worker

    job = rt.queue(OUTBOUND_QUEUE).enqueue("os.path.basename", "/a/b")
    collect = Collect()
    logging.getLogger().addHandler(collect)
    try:
        assert worker.build(rt, ServeSettings(worker_queues=(OUTBOUND_QUEUE,))).work(
            burst=True, logging_level="INFO")
    finally:
        logging.getLogger().removeHandler(collect)
    said = [message for name, message, _ in collect.seen if name == "rq.worker"]
    assert [m for m in said if m.startswith("Successfully completed os.path.basename")]
    assert [m for m in said if job.id in m]  # the line saying it started names the job
    assert not [m for m in said if "Job OK" in m or "result is kept" in m], said
    assert len(worker.build(rt, ServeSettings()).log.filters) == 1  # one filter, however built


def test_worker_metrics_answer_on_their_own_port():
    port = free_port()
    start_metrics_server(ServeSettings(metrics_port=port))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
        assert response.status == 200


def test_no_metrics_port_means_no_server(monkeypatch):
    import prometheus_client

    started = []
    monkeypatch.setattr(prometheus_client, "start_http_server", lambda *a, **k: started.append(a))
    start_metrics_server(ServeSettings(metrics_port=0))
    assert started == []


def test_a_worker_learns_the_languages_before_its_first_job(monkeypatch):
    # Training the language classifier took about two seconds at the first message a worker
    # handled: the first person after every start or crash waited for it.
    from hotline.messaging import language
    from hotline.ops import worker

    language._classifier.cache_clear()
    worker.warm_up()
    assert language._classifier.cache_info().currsize == 1
    monkeypatch.setattr(language, "yaml", None)  # nothing read from nlu_data/ at the first job
    assert language.classifier_vote("kiero saber si ya abrieron el rejistro")[0] == "es"


def test_a_surviving_worker_takes_over_the_scheduler_within_minutes(rt):
    # RQ's scheduler runs forked from one worker; another starts one only at its maintenance.
    # At RQ's ten minutes, a killed scheduler's worker left delayed turns and retries to the
    # sweeper alone (a scale-out run lost five messages when the sweeper could not move them).
    from datetime import timedelta

    from rq.utils import now

    from hotline.ops import worker

    built = worker.build(rt, ServeSettings())
    built.last_cleaned_at = now() - timedelta(seconds=worker.MAINTENANCE_SECONDS + 1)
    assert built.should_run_maintenance_tasks
    assert worker.MAINTENANCE_SECONDS <= 60


def _run_with(monkeypatch, settings, loop_turn):
    """hotline.ops.worker.run, its worker's first turn of RQ's loop replaced by `loop_turn`."""
    from hotline.ops import worker

    build = worker.build

    def build_then_patch(rt, serve):
        made = build(rt, serve)
        made.check_for_suspension = lambda burst: loop_turn(made)
        # No scheduler forked from the test process: a child forked here inherits an earlier
        # test's worker's signal handlers, and a SIGTERM landing before it sets its own is
        # swallowed, so stopping it waited for ever.
        made._start_scheduler = lambda *args, **kwargs: None
        return made

    monkeypatch.setattr(worker, "build", build_then_patch)
    return worker.run(settings, ServeSettings(worker_queues=(OUTBOUND_QUEUE,)))


def test_a_worker_whose_loop_ends_on_a_redis_error_exits_as_failed(settings, redis, monkeypatch,
                                                                    caplog):
    # RQ's loop quits on a Redis error outside its wait for a job (a failover caught it writing
    # its heartbeat). The process then ended with 0: a scale-out run's surviving worker quit so
    # at the failover, nothing started it again, and a person's messages waited in the queue for
    # ever once the other worker host died. As failed, whatever runs it starts a fresh one.
    import redis as redis_py

    def failover(made):
        raise redis_py.exceptions.ConnectionError("Error 111 connecting to 10.172.0.11:6379.")

    with caplog.at_level(logging.ERROR, logger="hotline.ops.worker"):
        assert _run_with(monkeypatch, settings, failover) == 1
    assert any("exiting for a restart" in r.getMessage() for r in caplog.records)


def test_a_worker_asked_to_stop_exits_as_done(settings, redis, monkeypatch):
    import signal

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert _run_with(monkeypatch, settings,
                         lambda made: made.request_stop(signal.SIGTERM, None)) == 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
