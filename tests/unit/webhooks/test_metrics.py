"""`GET /metrics`: a bearer token or nothing; counted metrics and what Redis holds, never a
person; readiness fails only for Redis, Rasa down is reported as degraded."""

from __future__ import annotations

import dataclasses

import pytest
from redis.exceptions import ConnectionError as RedisDown

from hotline import metrics
from hotline.handoff import queue as escalations
from hotline.messaging import outbound

TOKEN = "metrics-token-0123456789"


@pytest.fixture
def metrics_token(monkeypatch):
    monkeypatch.setenv("HOTLINE_METRICS_TOKEN", TOKEN)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    return TOKEN


def scrape(client, token=TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def sample(text: str, name: str, **labels) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return None


def test_metrics_is_not_found_without_a_configured_token_or_with_a_wrong_one(
        client, monkeypatch, metrics_token):
    assert client.get("/metrics").status_code == 404
    assert scrape(client, "wrong-token").status_code == 404
    assert client.get("/metrics?token=" + TOKEN).status_code == 404  # never in a URL
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404
    monkeypatch.delenv("HOTLINE_METRICS_TOKEN")
    assert scrape(client).status_code == 404  # no token configured: nobody, not everybody


def test_metrics_show_queues_escalations_and_counts_without_people(client, rt, metrics_token):
    escalations.escalate(rt.redis, "c0ffee01", "asked", urgent=True, language="es")
    escalations.escalate(rt.redis, "c0ffee02", "asked", urgent=False, language="en")
    outbound.queue_message(rt, "c0ffee01", to="+5215512345678", sender="+15005550006",
                           body="hola", kind="reply")
    before = sample(scrape(client).text, "hotline_messages_out_total",
                    channel="whatsapp", kind="reply", language="es") or 0.0
    metrics.message_sent("whatsapp:+5215512345678", "reply", "es")
    metrics.twilio_error(30007, "delivery")

    response = scrape(client)
    assert response.status_code == 200
    text = response.text
    assert sample(text, "hotline_redis_up") == 1
    assert sample(text, "hotline_queue_depth", queue="outbound") == 1
    assert sample(text, "hotline_escalations_waiting", urgent="yes") == 1
    assert sample(text, "hotline_escalations_waiting", urgent="no") == 1
    assert sample(text, "hotline_messages_out_total", channel="whatsapp", kind="reply",
                  language="es") == before + 1
    assert sample(text, "hotline_twilio_errors_total", code="30007", stage="delivery") >= 1
    assert "hotline_reply_seconds" in text
    for personal in ("5215512345678", "c0ffee01", "hola"):
        assert personal not in text


def test_metrics_say_redis_is_down_instead_of_failing(app, client, metrics_token, monkeypatch):
    rt = app.extensions["hotline"]

    def down(*args, **kwargs):
        raise RedisDown("down")

    monkeypatch.setattr(type(rt.redis), "zrange", down)
    response = scrape(client)
    assert response.status_code == 200
    assert sample(response.text, "hotline_redis_up") == 0


def test_a_reply_counts_by_channel_and_language_with_its_latency():
    import time

    before = sample(metrics.exposition()[0].decode(), "hotline_reply_seconds_count",
                    channel="sms") or 0.0
    metrics.message_answered("sms", "es", time.time() - 0.4)
    text = metrics.exposition()[0].decode()
    assert sample(text, "hotline_reply_seconds_count", channel="sms") == before + 1
    assert sample(text, "hotline_messages_in_total", channel="sms", language="es") >= 1
    assert sample(text, "hotline_reply_seconds_bucket", channel="sms", le="0.25") \
        < sample(text, "hotline_reply_seconds_bucket", channel="sms", le="0.5")


def test_readiness_fails_only_without_redis(app, client, monkeypatch):
    rt = app.extensions["hotline"]
    # Rasa and the action server are not running here: degraded, still ready.
    detail = client.get("/readyz")
    assert detail.status_code == 200
    assert detail.get_json()["status"] == "degraded"
    assert detail.get_json()["degraded"] == ["rasa", "action_server"]

    monkeypatch.setattr(type(rt.assistant), "rasa_alive", lambda self: True)
    monkeypatch.setattr(type(rt.assistant), "actions_alive", lambda self: True)
    app.extensions["hotline.readyz"].clear()  # the peers' answers are kept a few seconds
    ready = client.get("/readyz").get_json()
    assert (ready["status"], ready["degraded"]) == ("ready", [])

    def down(*args, **kwargs):
        raise RedisDown("down")

    monkeypatch.setattr(type(rt.redis), "ping", down)
    gone = client.get("/readyz")
    assert gone.status_code == 503
    assert gone.get_json()["status"] == "not ready"


def test_settings_for_metrics_are_read_from_the_environment():
    from hotline.config import ServeSettings

    serve = ServeSettings.from_env({"HOTLINE_METRICS_TOKEN": "t", "HOTLINE_METRICS_PORT": "9102",
                                    "PROMETHEUS_MULTIPROC_DIR": "/tmp/m"})
    assert (serve.metrics_token, serve.metrics_port, serve.metrics_dir) == ("t", 9102, "/tmp/m")
    assert dataclasses.replace(serve, metrics_port=0).metrics_port == 0
