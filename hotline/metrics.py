"""Prometheus metrics the hotline's processes count; core, imports no capability.

Counted where the work happens (a worker answering or sending, the gateway taking a status
callback) and exposed by the gateway's `/metrics` (webhooks/metrics.py) and by each worker's own
metrics bind (HOTLINE_METRICS_PORT, `hotline.ops.serve`). Under gunicorn, or several workers on
one host, PROMETHEUS_MULTIPROC_DIR names a directory the processes share (prometheus_client's
multiprocess mode; it must be set before the first metric is made). Gauges read from Redis at
scrape time (queue depths, escalations waiting, broadcast progress) are the gateway's
(webhooks/metrics.py). Labels carry channels, languages and codes, never a person.
"""

from __future__ import annotations

import time
from functools import cache
from types import SimpleNamespace

# Replies are seconds to a minute when Rasa is slow; past that the hold notice has gone out.
REPLY_BUCKETS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0)


@cache
def _metrics() -> SimpleNamespace:
    # Made on first use, not at import (nothing is created at import time).
    from prometheus_client import Counter, Histogram

    return SimpleNamespace(
        messages_in=Counter("hotline_messages_in_total",
                            "Messages people sent, answered, by channel and reply language",
                            ["channel", "language"]),
        messages_out=Counter("hotline_messages_out_total",
                             "Messages accepted by Twilio, by channel, kind and language",
                             ["channel", "kind", "language"]),
        reply_seconds=Histogram("hotline_reply_seconds",
                                "From a message received to its reply queued for sending",
                                ["channel"], buckets=REPLY_BUCKETS),
        twilio_errors=Counter("hotline_twilio_errors_total",
                              "Twilio error codes: refused sends and failed deliveries",
                              ["code", "stage"]),
    )


def channel_of(address: str) -> str:
    """`whatsapp` or `sms`, from a Twilio address.

    >>> channel_of("whatsapp:+5215512345678"), channel_of("+5215512345678")
    ('whatsapp', 'sms')
    """
    return "whatsapp" if address.startswith("whatsapp:") else "sms"


def message_answered(channel: str, language: str | None, received_at: float) -> None:
    """A person's message answered: its reply is queued `now - received_at` after it came."""
    m = _metrics()
    m.messages_in.labels(channel, language or "unknown").inc()
    m.reply_seconds.labels(channel).observe(max(time.time() - received_at, 0.0))


def message_sent(to: str, kind: str, language: str | None) -> None:
    _metrics().messages_out.labels(channel_of(to), kind, language or "unknown").inc()


def twilio_error(code: int | str | None, stage: str) -> None:
    """`stage` is `send` (Twilio refused the message) or `delivery` (a status callback)."""
    _metrics().twilio_errors.labels(str(code or "none"), stage).inc()


def multiprocess_dir() -> str | None:
    from hotline.config import ServeSettings

    # prometheus_client reads the same variable itself when it makes a metric.
    return ServeSettings.from_env().metrics_dir


def exposition() -> tuple[bytes, str]:
    """This host's counted metrics in Prometheus' text format (every process sharing the
    multiprocess directory, else this process)."""
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    _metrics()  # the families show (at zero) before anything was counted
    return generate_latest(registry), CONTENT_TYPE_LATEST
