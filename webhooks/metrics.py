"""`GET /metrics`: the gateway's Prometheus endpoint, for a bearer token only.

Decision: served by the gateway itself, not a second bind (gunicorn serves one app), and
protected: it answers only `Authorization: Bearer <HOTLINE_METRICS_TOKEN>`, and is a plain 404
while no token is configured, so an exposed gateway shows nothing. Prometheus sends the token
with `authorization: {credentials_file: ...}` (deploy/prometheus/scrape.yml). Workers expose
their own counts on HOTLINE_METRICS_PORT (`hotline.ops.worker`); in development they share the
gateway's PROMETHEUS_MULTIPROC_DIR, so this endpoint shows theirs too.

Besides the counted metrics (hotline/metrics.py) it reads, at scrape time, what is in Redis: RQ
queue depths, escalations waiting for an operator, and the progress of broadcasts being sent.
Counts only, never a person.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, request
from redis.exceptions import RedisError

from hotline import metrics
from hotline.config import ServeSettings
from hotline.handoff import queue as escalations
from hotline.outreach import report as bc_report
from hotline.outreach import store as bc_store
from hotline.runtime import BROADCAST_QUEUE, INBOUND_QUEUE, OUTBOUND_QUEUE

from .context import runtime

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)
ACTIVE_BROADCASTS = ("scheduled", "sending")
RECENT_BROADCASTS = 5  # bounded labels: only the newest few broadcasts are looked at


def authorized(header: str | None, token: str | None) -> bool:
    """`Bearer <token>`, compared in constant time; no token configured means nobody.

    >>> authorized("Bearer s3cr3t-token", "s3cr3t-token"), authorized("Bearer x", None)
    (True, False)
    >>> authorized("s3cr3t-token", "s3cr3t-token"), authorized(None, "s3cr3t-token")
    (False, False)
    """
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].encode(), token.encode())


class RedisCollector:
    """Gauges read from Redis when Prometheus scrapes."""

    def __init__(self, rt):
        self.rt = rt

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        rt = self.rt
        up = GaugeMetricFamily("hotline_redis_up", "1 if the gateway reached Redis")
        try:
            depth = GaugeMetricFamily("hotline_queue_depth", "Jobs waiting in each RQ queue",
                                      labels=["queue"])
            for name in (INBOUND_QUEUE, OUTBOUND_QUEUE, BROADCAST_QUEUE):
                depth.add_metric([name], rt.queue(name).count)
            waiting = escalations.waiting(rt.redis)
            held = GaugeMetricFamily("hotline_escalations_waiting",
                                     "People waiting for an operator", labels=["urgent"])
            urgent = sum(1 for entry in waiting if entry.get("urgent") == "1")
            held.add_metric(["yes"], urgent)
            held.add_metric(["no"], len(waiting) - urgent)
            progress = GaugeMetricFamily(
                "hotline_broadcast_messages",
                "Messages of the broadcasts being sent, by outcome so far",
                labels=["broadcast", "outcome"])
            for bc_id in bc_store.recent_ids(rt.redis, RECENT_BROADCASTS):
                if bc_store.state(rt.redis, bc_id) not in ACTIVE_BROADCASTS:
                    continue
                counts = bc_report.report(rt, bc_id) or {}
                for outcome in ("total", "queued", "sent", "delivered", "failed", "skipped",
                                "opted_out"):
                    progress.add_metric([bc_id, outcome], counts.get(outcome) or 0)
        except RedisError as exc:
            log.warning("metrics: Redis unreachable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield from (up, depth, held, progress)


@bp.get("/metrics")
def serve_metrics():
    if not authorized(request.headers.get("Authorization"),
                      ServeSettings.from_env().metrics_token):
        abort(404)
    from prometheus_client import CollectorRegistry, generate_latest

    counted, content_type = metrics.exposition()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisCollector(runtime()))
    return Response(counted + generate_latest(registry), content_type=content_type)
