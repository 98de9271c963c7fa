"""One logging setup for every process of the hotline; core, imports no capability.

Each entry point (`hotline.ops.serve`, deploy/gunicorn.conf.py, the CLI) calls `configure(name)`
once: one handler on the root logger, to stdout, so gunicorn's, RQ's and the hotline's own lines
all arrive (before, nothing configured the root and the hotline's INFO lines were lost under
gunicorn and RQ). `HOTLINE_LOG_FORMAT=json` writes one JSON object a line for a log shipper;
the default is a readable line for development.

Lines carry ids, never people: `log_context(message_id=..., contact_id=..., job_id=...)` adds
the ids of the work in hand to every line logged inside it (contextvars, so threads and
requests keep their own). The code logs no phone numbers, message texts, tokens or secrets;
`redact` is the backstop that blanks any that slip into a line anyway, tracebacks included.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Iterator

from hotline import redis_connect
from hotline.config import SECRET_VARIABLES, ServeSettings, Settings

CONTEXT_FIELDS = ("message_id", "contact_id", "job_id", "broadcast_id")
_context: contextvars.ContextVar[tuple] = contextvars.ContextVar("hotline_log_context",
                                                                  default=())

# Phone numbers: E.164 with or without "whatsapp:", or ten or more digits written with spaces,
# dots, dashes or brackets between them (how people type them). Not digits inside an id or a
# SID (a letter or digit on either side), nor dates and times (2026-12-01 12:30), nor a UUID
# (RQ's job ids: about one in a hundred begins with ten decimal digits, and was blanked in every
# line that named the job, its own job_id included). URL-encoded too (%2B52..., as in a form body).
_UUID = r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?![\w-])"
_PHONE = (r"(?<![\w%])(?!\d{4}-\d\d-\d\d)(?!\(" + _UUID + r")(?:whatsapp(?::|%3A))?(?:\+|%2B)?\(?"
          r"\d(?:(?:[\s.-]|\)\s?)?\d){9,}(?!\w)")
# A UUID is matched first and kept whole, so that no part of it is read as a number.
_UUID_OR_PHONE = re.compile(rf"(?P<uuid>(?<!\w){_UUID})|{_PHONE}", re.IGNORECASE)
# Credentials in a URL query, a form body, a header or a Redis URL.
_CREDENTIAL = re.compile(
    r"(?i)(\b(?:token|auth_token|authtoken|password|passwd|secret|api_key|signature|"
    r"x-twilio-signature|authorization)\b[\"']?\s*[=:]\s*[\"']?)(?:bearer\s+|basic\s+)?[^\s&\"',;]+")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@", re.IGNORECASE)
# What a person wrote, as Twilio posts it (Body=...), or quoted after text=/body=.
_BODY = re.compile(r"(?i)(\b(?:body|text)[\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^&\s,]+)")
REDACTED = "[redacted]"


def _secrets() -> list[str]:
    """The configured secrets' values (master secret, Twilio token, service tokens, Redis
    password), longest first, to blank wherever they appear."""
    values: list[str] = []
    try:
        settings = Settings.from_env()
        values += [getattr(settings, field) or "" for field in SECRET_VARIABLES]
        serve = ServeSettings.from_env()
        values.append(serve.metrics_token or "")
        password = re.search(r"://[^/\s:@]*:([^@\s/]+)@", settings.redis_url)
        values.append(password.group(1) if password else "")
        values += redis_connect.url_secrets(settings.redis_url)  # a sentinel's password too
    except Exception:  # noqa: BLE001 - a bad setting is reported by its own process, not here
        pass
    return sorted({v for v in values if len(v) >= 6}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with secrets, credentials, message bodies and phone numbers blanked.

    >>> redact("POST /nlg?token=abc123 from whatsapp:+5215512345678, Body=hola+amigo")
    'POST /nlg?token=[redacted] from [redacted], Body=[redacted]'
    >>> redact("key hl:c:4f2a9c1e sid SM0123456789012abcdef on 2026-12-01 at 12:30:00")
    'key hl:c:4f2a9c1e sid SM0123456789012abcdef on 2026-12-01 at 12:30:00'
    >>> redact("redis://:hunter2hunter@redis:6379/0 and 55 1234 5678", ["hunter2hunter"])
    'redis://:[redacted]@redis:6379/0 and [redacted]'
    """
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    text = _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)
    text = _CREDENTIAL.sub(rf"\1{REDACTED}", text)
    text = _BODY.sub(rf"\1{REDACTED}", text)
    return _UUID_OR_PHONE.sub(lambda m: m.group(0) if m.group("uuid") else REDACTED, text)


@contextlib.contextmanager
def log_context(**ids: str | None) -> Iterator[None]:
    """Every line logged inside carries these ids (message, contact, job, broadcast)."""
    merged = {**dict(_context.get()), **{k: v for k, v in ids.items() if v}}
    token = _context.set(tuple(merged.items()))
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict:
    return dict(_context.get())


class _ContextFilter(logging.Filter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.context = dict(_context.get())
        return True


class TextFormatter(logging.Formatter):
    """A readable, redacted line: time, level, service, logger, message, ids."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__("%(asctime)s %(levelname)-7s %(service)s %(name)s: %(message)s",
                         "%H:%M:%S")
        self.secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{k}={v}" for k, v in getattr(record, "context", {}).items())
        return redact(f"{line} [{ids}]" if ids else line, self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, every string in it redacted."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "service": getattr(record, "service", ""),
            "logger": record.name, "message": record.getMessage(),
            **getattr(record, "context", {}),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps({k: redact(v, self.secrets) if isinstance(v, str) else v
                           for k, v in entry.items()}, ensure_ascii=False)


def configure(service: str, settings: ServeSettings | None = None) -> logging.Handler:
    """Route every logger of this process to one redacting handler on stdout (once)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "hotline", False):
            return handler
    settings = settings or ServeSettings.from_env()
    secrets = _secrets()
    handler = logging.StreamHandler(sys.stdout)
    handler.hotline = True  # type: ignore[attr-defined]
    handler.addFilter(_ContextFilter(service))
    handler.setFormatter(JsonFormatter(secrets) if settings.log_format == "json"
                         else TextFormatter(secrets))
    # Handlers others put on the root first (a basicConfig) would print unredacted copies.
    root.handlers = [handler]
    root.setLevel(settings.log_level)
    for name in ("hotline", "webhooks", "actions", "sandbox", "rq.worker", "rq.job",
                 "rq.scheduler", "gunicorn.error", "gunicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # RQ and gunicorn add their own unless one is found above
        logger.propagate = True
    # twilio-python logs every request's URL, query and headers at INFO: noise, and the query
    # of a message listing names the person's number.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler
