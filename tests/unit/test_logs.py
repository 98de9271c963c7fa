"""One redacting logging setup: the hotline's own INFO lines arrive (under gunicorn and RQ too),
with the work's ids, as JSON in production; phone numbers, message texts, tokens and secrets
never do."""

from __future__ import annotations

import io
import json
import logging

import pytest

from hotline import logs
from hotline.config import ServeSettings

PHONE = "+5215598765432"
SECRETS = {"HOTLINE_SECRET": "master-secret-abcdefghijkl",
           "TWILIO_AUTH_TOKEN": "twilio-tok-12345678", "NLG_TOKEN": "nlg-token-abcdef123",
           "RASA_TOKEN": "rasa-token-xyz98765",
           "HOTLINE_METRICS_TOKEN": "metrics-tok-55555"}


@pytest.fixture
def configured(monkeypatch):
    """A fresh root logger configured by `logs.configure`, writing to a buffer."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REDIS_URL", "redis://:redis-pass-0000111@127.0.0.1:6380/0")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()

    def configure(fmt="text"):
        root.handlers = []
        handler = logs.configure("worker", ServeSettings(log_format=fmt))
        handler.setStream(buffer)
        return buffer

    yield configure
    root.handlers, root.level = saved
    logging.captureWarnings(False)


@pytest.mark.parametrize("line", [
    f"inbound from {PHONE} queued",
    f"whatsapp:{PHONE} wrote",
    "typed 55 9876 5432 in the message",
    "(55) 9876-5432 and 55.9876.5432",
    "POST /nlg?token=nlg-token-abcdef123 200",
    "Authorization: Bearer rasa-token-xyz98765",
    "form Body=necesito+ayuda&From=%2B5215598765432",
    "connecting to redis://:redis-pass-0000111@127.0.0.1:6380/0",
    "password=hunter2-long",
])
def test_personal_data_and_credentials_are_blanked(line):
    redacted = logs.redact(line, SECRETS.values())
    assert logs.REDACTED in redacted
    for secret in [*SECRETS.values(), PHONE, "9876", "necesito", "hunter2", "redis-pass"]:
        assert secret not in redacted


@pytest.mark.parametrize("line", [
    "outbound 4f2a9c1e0b-0 accepted by Twilio as SM0123456789012345678901234567890a",
    "rescheduled {'inbox': 2, 'outbox': 0} at 2026-12-01 12:30:00",
    "job 1b6f1f0e-5d07-4e2c-9a4b-0f3c2d1e0a9b finished in 0.84s",
    # About one job id in a hundred begins with ten decimal digits; they were blanked as phones.
    "started (50218394-7712-4c2e-9a4b-0f3c2d1e0a9b) [job_id=50218394-7712-4c2e-9a4b-0f3c2d1e0a9b]",
    "rq:job:12345678-9012-3456-7890-123456789012 and x-12345678-9012-3456-7890-123456789012",
    "Listening at: http://127.0.0.1:41035 (32611)",
])
def test_ids_times_and_counts_are_kept(line):
    assert logs.redact(line, SECRETS.values()) == line


def test_a_number_beside_a_job_id_is_still_blanked():
    line = logs.redact("job 12345678-9012-3456-7890-123456789012 for +52 55 1234 5678, "
                       "(5512345678)")
    assert line == "job 12345678-9012-3456-7890-123456789012 for [redacted], [redacted])"


def test_the_hotlines_info_lines_arrive_with_the_works_ids(configured):
    out = configured()
    # What gunicorn and RQ leave unconfigured: a child logger of "hotline" at INFO.
    with logs.log_context(job_id="job-1", contact_id="c0ffee"):
        logging.getLogger("hotline.messaging.outbound").info("outbound %s accepted", "o-1")
    logging.getLogger("hotline.sweeper").info("after the job")
    lines = out.getvalue().splitlines()
    assert "INFO" in lines[0] and "worker hotline.messaging.outbound: outbound o-1 accepted" \
        in lines[0]
    assert lines[0].endswith("[job_id=job-1 contact_id=c0ffee]")
    assert "job_id" not in lines[1]


def test_json_lines_for_production_and_secrets_blanked_in_them(configured):
    out = configured("json")
    log = logging.getLogger("webhooks.twilio")
    with logs.log_context(message_id="SM01"):
        log.warning("from %s with %s", PHONE, SECRETS["NLG_TOKEN"])
        try:
            raise ValueError(f"bad number {PHONE}")
        except ValueError:
            log.exception("failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines()[:2])
    assert first["level"] == "WARNING" and first["logger"] == "webhooks.twilio"
    assert first["service"] == "worker" and first["message_id"] == "SM01"
    assert first["message"] == "from [redacted] with [redacted]"
    assert "ValueError" in second["error"] and PHONE not in second["error"]


def test_configure_once_replaces_handlers_that_would_print_unredacted(configured):
    logging.getLogger("rq.worker").addHandler(logging.StreamHandler(io.StringIO()))
    out = configured()
    assert logs.configure("again") is logging.getLogger().handlers[0]  # once per process
    assert logging.getLogger().handlers == [logging.getLogger().handlers[0]]
    assert logging.getLogger("rq.worker").handlers == []
    logging.getLogger("rq.worker").info("Job OK (%s)", PHONE)
    assert "Job OK ([redacted])" in out.getvalue()
    logging.getLogger("twilio.http_client").info("Query Params: {'To': '%s'}", PHONE)
    assert "Query Params" not in out.getvalue()  # twilio's request dumps stay out


def test_a_wrong_log_format_is_refused():
    from hotline.config import ConfigError

    with pytest.raises(ConfigError, match="HOTLINE_LOG_FORMAT"):
        ServeSettings.from_env({"HOTLINE_LOG_FORMAT": "xml"})


@pytest.mark.rasa_env  # Rasa's own logging set-up
def test_rasa_logs_through_the_same_setup_instead_of_coloredlogs(configured, monkeypatch):
    """rasa_ext.server replaces the hook where Rasa installs coloredlogs (rasa/__main__.py)."""
    import rasa.utils.io

    from rasa_ext import server

    monkeypatch.setattr(server, "rasa_argv", lambda args, token: ["rasa", "--version"])
    # Restored after the test: server.main replaces it for the rest of its process.
    monkeypatch.setattr(rasa.utils.io, "configure_colored_logging",
                        rasa.utils.io.configure_colored_logging)
    monkeypatch.setenv("RASA_TOKEN", "rasa-token-xyz98765")
    ran = []
    monkeypatch.setattr("rasa.__main__.main", lambda: ran.append(
        rasa.utils.io.configure_colored_logging(20)))
    out = configured()
    logging.getLogger().handlers = []
    assert server.main([]) == 0 and ran
    handler = logging.getLogger().handlers[0]
    assert getattr(handler, "hotline", False)
    handler.setStream(out)
    logging.getLogger("rasa.core.processor").info("turn for %s", PHONE)
    assert "rasa rasa.core.processor: turn for [redacted]" in out.getvalue()
