"""The RQ worker the hotline runs (`python -m hotline.ops.serve worker`).

RQ's own `SimpleWorker` (jobs run in the worker process: no fork per job, so a worker keeps its
`Runtime` and its metrics), with every log line of a job carrying the job's id and the contact
it works for (`hotline.logs.log_context`), and the worker's metrics on their own bind when
HOTLINE_METRICS_PORT is set (a Kubernetes pod's port, never a public one).
"""

from __future__ import annotations

import logging

from rq.worker import SimpleWorker

from hotline import liveness, logs
from hotline.config import ServeSettings, Settings
from hotline.runtime import Runtime

# Jobs whose first argument is a contact id (the rest take broadcast ids or references).
CONTACT_JOBS = ("hotline.jobs.drain_inbox", "hotline.jobs.drain_outbox")


# How long a live worker may go without a beat: RQ heartbeats an idle worker every
# worker_ttl - 15 s (405 s by default, while it waits on an empty queue) and a job may run its
# whole timeout (900 s, a person's line). Past that its loop is stuck (hotline.ops.probe).
WORKER_BEAT_SECONDS = 420 + 900 + 60
# RQ's scheduler runs in one worker's forked process at a time, and another worker takes over
# only at its next maintenance: ten minutes by default, so with the scheduler's worker killed
# (or the scheduler dead on a job it could not read) delayed turns and retries waited for the
# sweeper alone. A minute, plus the dead scheduler's lock running out (61 s).
MAINTENANCE_SECONDS = 60

log = logging.getLogger(__name__)


class _JobOkLines(logging.Filter):
    """Drops RQ's "Job OK (id)" line: the "Successfully completed ... in 0.12s" line just before
    it says the same with the job's duration. With "result is kept for 500 seconds"
    (`log_result_lifespan`), these were two of the five lines every message's job wrote, to be
    shipped, stored and read past."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Worker %s: %s: %s (%s)" and len(record.args or ()) == 4
                    and "Job OK" in str(record.args[2]))


class HotlineWorker(SimpleWorker):
    beat_file: str | None = None
    stop_asked = False  # a SIGTERM or SIGINT came (RQ records one only while a job runs)
    log_result_lifespan = False  # see _JobOkLines

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)

    def perform_job(self, job, queue) -> bool:
        contact = job.args[0] if job.func_name in CONTACT_JOBS and job.args else None
        broadcast = job.args[0] if "broadcast" in job.func_name and job.args else None
        try:
            with logs.log_context(job_id=job.id, contact_id=contact, broadcast_id=broadcast):
                return super().perform_job(job, queue)
        finally:
            liveness.beat(self.beat_file)

    def heartbeat(self, *args, **kwargs):
        # RQ's own heartbeat, from the work loop: the loop turned.
        result = super().heartbeat(*args, **kwargs)
        liveness.beat(self.beat_file)
        return result


def start_metrics_server(serve: ServeSettings) -> None:
    """This worker's metrics on HOTLINE_METRICS_HOST:PORT (every process of the host's
    multiprocess directory when PROMETHEUS_MULTIPROC_DIR is set)."""
    if not serve.metrics_port:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

    registry = REGISTRY
    if serve.metrics_dir:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(serve.metrics_port, addr=serve.metrics_host, registry=registry)


def warm_up() -> None:
    """What the first job would otherwise pay for, before the worker takes one: the job
    functions' imports and the language classifier, trained from nlu_data/ (about two seconds
    with its 6,000 lines). Without it the first person to write after a start, or after a
    crashed worker's restart, waited that much longer."""
    import hotline.jobs  # noqa: F401 - RQ imports a job's module at its first job
    from hotline.messaging import language

    language.classifier_vote("hola")


def build(rt: Runtime, serve: ServeSettings) -> HotlineWorker:
    queues = [rt.queue(name) for name in serve.worker_queues]
    worker = HotlineWorker(queues, connection=rt.rq_redis, serializer=queues[0].serializer,
                           maintenance_interval=MAINTENANCE_SECONDS)
    worker.beat_file = serve.beat_file
    if not any(isinstance(f, _JobOkLines) for f in worker.log.filters):
        worker.log.addFilter(_JobOkLines())
    return worker


def run(settings: Settings, serve: ServeSettings) -> int:
    warm_up()
    worker = build(Runtime(settings), serve)
    start_metrics_server(serve)
    worker.work(with_scheduler=True, logging_level=serve.log_level)
    if worker.stop_asked:
        return 0
    # Unasked, RQ's loop ends only on an error it does not survive: any Redis error outside its
    # wait for a job, as when a failover catches it writing a job's state or its heartbeat.
    # The process ends as failed, so that what runs it (Kubernetes, systemd, the development
    # supervisor) starts a fresh one and counts a restart; ending as done (0) told a supervisor
    # that restarts only failures there was nothing to do, and the host's jobs waited in their
    # queues. A new process rather than a new worker in this one: RQ forks its scheduler before
    # it installs its signal handlers, so a second worker's scheduler would start under the
    # first's handlers and could swallow the SIGTERM that stops it (seen in a test process).
    log.error("the worker %s stopped taking jobs on an error (above); exiting for a restart",
              worker.name)
    return 1
