"""gunicorn's configuration for the gateway (and the development sandbox).

    gunicorn -c deploy/gunicorn.conf.py 'webhooks:create_app()'
    (what `python -m hotline.ops.serve gateway` runs)

Everything comes from the environment through `hotline.config`: the bind address
(HOTLINE_HOST:HOTLINE_PORT; `--bind` on the command line wins, as the sandbox uses it), worker
processes and threads, the timeout. Logging goes through `hotline.logs` (one redacting handler,
JSON lines with HOTLINE_LOG_FORMAT=json), and the access log leaves out query strings, so a
token someone puts in a URL never lands in a log. Metrics: with PROMETHEUS_MULTIPROC_DIR set,
the workers share it and the gateway's /metrics adds them up; a dead worker's files are marked.
"""

from __future__ import annotations

from pathlib import Path

from gunicorn import glogging

from hotline import logs
from hotline.config import ServeSettings, Settings

_settings, _serve = Settings.from_env(), ServeSettings.from_env()

bind = [f"{_settings.host}:{_settings.port}"]
workers = _serve.gateway_workers
worker_class = "gthread"
threads = _serve.gateway_threads
# Twilio waits 15 s for a webhook; a request past the timeout is a stuck worker, restarted.
timeout = _serve.gateway_timeout
graceful_timeout = 30
keepalive = 5
# Behind a load balancer that checks /readyz: no control socket, no pid file in the image.
control_socket_disable = True
# Requests and errors both to stdout, through hotline.logs.
accesslog = "-"
errorlog = "-"
loglevel = _serve.log_level.lower()
# Path only (%(U)s), never the query (%(q)s) or the raw request line (%(r)s).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# The forwarded headers of the proxy in front are trusted through the app's ProxyFix
# (HOTLINE_TRUSTED_PROXY_HOPS), not gunicorn's own list.
forwarded_allow_ips = "127.0.0.1"


class HotlineLogger(glogging.Logger):
    """gunicorn's loggers without their own handlers: their lines go to the root logger, where
    `hotline.logs` formats and redacts them like every other line of the process."""

    def setup(self, cfg):
        super().setup(cfg)
        # The app named on the command line: webhooks:create_app() or sandbox:create_app().
        app = (cfg.default_proc_name or "").split(":")[0]
        logs.configure({"webhooks": "gateway"}.get(app, app or "gateway"))
        for log in (self.error_log, self.access_log):
            log.handlers.clear()
            log.propagate = True


logger_class = HotlineLogger


def on_starting(server):
    # Emptied by whoever owns the directory (a pod's emptyDir is new; the development runner
    # empties var/metrics at start): RQ workers on the same host may share it.
    if _serve.metrics_dir:
        Path(_serve.metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if _serve.metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
