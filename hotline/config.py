"""All configuration, read from the environment in one place; core, imports no capability.

Every process (gateway, workers, action server, sweeper, CLI) builds a `Settings` from the
environment; tests build one with overrides. The development runner adds `StackSettings` (ports,
workers) and the Twilio stand-in `SandboxSettings`. Each setting has one default, the field's.
A missing required secret fails at start-up with a message that names the variable, never as
`None` deep inside a request. Nothing else in the code reads `os.environ` for configuration.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


# Where `./hotline.sh run` writes what the CLI and the benchmarks need to reach it (ports, the
# sandbox's credentials, REDIS_URL).
RUN_ENV_FILE = PROJECT_ROOT / "var" / "run.env"
# Which variable each required secret comes from, so a missing one is named as people set it.
SECRET_VARIABLES = {
    "secret": "HOTLINE_SECRET",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "nlg_token": "NLG_TOKEN",
    "rasa_token": "RASA_TOKEN",
    "action_server_token": "ACTION_SERVER_TOKEN",
}


def read_env_file(path: Path) -> dict[str, str]:
    r"""The KEY=value lines of a file such as var/dev.env; no file means no values.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "run.env"
    ...     _ = path.write_text("# made by ./hotline.sh run\nHOTLINE_PORT=8080\n\nA = b=c\n")
    ...     read_env_file(path), read_env_file(Path(tmp) / "missing.env")
    ({'HOTLINE_PORT': '8080', 'A': 'b=c'}, {})
    """
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


def running_stack_environ(run_env: Path | None = None) -> dict[str, str]:
    """The environment of the running development stack: its development secrets (var/dev.env,
    so a second terminal can read what the stack encrypted), var/run.env over them, and this
    process's own environment over both (so `REDIS_URL=... ./hotline.sh status` points
    elsewhere)."""
    run_env = run_env or RUN_ENV_FILE
    return {**read_env_file(run_env.with_name("dev.env")), **read_env_file(run_env),
            **os.environ}


def _env(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    # An empty variable counts as unset, as in `HOTLINE_PUBLIC_URL= ./hotline.sh run`.
    value = env.get(name)
    return value if value not in (None, "") else default


def _parsed(env: Mapping[str, str], name: str, default, parse, what: str):
    raw = _env(env, name)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _parsed(env, name, default, int, "a whole number")


def _finite(raw: str) -> float:
    # "nan" and "inf" parse as floats; as a rate or a number of hours they mean nothing.
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _parsed(env, name, default, _finite, "a number")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = _env(env, name) or ""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _env(env, name)
    # Anything but an explicit no is a yes: `=1`, `=yes` and `=true` all mean on.
    return default if raw is None else raw not in ("0", "false", "no")


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6380/0"
    # Gateway
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None  # the URL Twilio calls, as typed in the Twilio console
    # X-Forwarded-* hops to trust (the client's address behind a proxy); with public_url set,
    # that stays the address Twilio signs and calls back, so both may be set, and should be.
    trusted_proxy_hops: int = 0
    secret: str | None = None  # master secret: contact ids, encryption, sessions
    default_language: str = "es"
    # Twilio
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base_url: str | None = None  # set to the sandbox; unset means real Twilio
    twilio_messaging_service_sid: str | None = None
    hotline_numbers: tuple[str, ...] = ()
    # Rasa
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = None
    action_server_url: str = "http://127.0.0.1:5055"
    nlg_token: str | None = None
    rasa_timeout: float = 30.0
    # Content
    domain_dir: Path = PROJECT_ROOT / "bot" / "domain"
    responses_dir: Path = PROJECT_ROOT / "bot" / "responses"
    locales_dir: Path = PROJECT_ROOT / "locales"
    program_status_file: Path = PROJECT_ROOT / "content" / "program_status.yml"
    answers_file: Path = PROJECT_ROOT / "content" / "answers.yml"
    content_review_days: int = 365  # an answer not checked against its sources this long is due
    status_max_age_days: int = 30  # a program status (or intake) not verified this long is stale
    told_days: int = 90  # how long what each person was told is kept, to correct it if it changes
    # Behaviour
    menu_ttl_seconds: int = 2 * 24 * 3600
    dedupe_ttl_seconds: int = 14 * 24 * 3600
    message_ttl_seconds: int = 90 * 24 * 3600
    holding_notice_seconds: int = 3600
    sweep_seconds: float = 10.0  # how often the sweeper looks for stranded work (cheap)
    # Messages the hotline starts (broadcasts, status notifications)
    send_rate: float = 10.0  # messages per second across all workers; 0 = no cap
    broadcast_threads: int = 8
    broadcast_callbacks: bool = True
    broadcast_stale_seconds: int = 120  # a chunk silent this long belongs to a dead worker
    whatsapp_content_sid: str | None = None  # approved template for outside WhatsApp's 24 h
    timezone: str = "America/Mexico_City"  # appointments' local time, reminders
    operator_hours: str = "08:00-20:00"  # when operators are on duty, every day, local time
    console_session_hours: int = 10  # a sign-in lasts one shift
    # One person's pace (hotline/messaging/flow.py): assistant turns per minute and at once;
    # messages beyond are stored and answered together. Told once per notice period when they
    # send more than flood_per_minute messages in a minute. Turns per drain job: then the job
    # goes to the back of the queue, behind other people's. Rate 0 = no limit.
    inbound_turns_per_minute: float = 12.0
    inbound_turn_burst: int = 8  # a quick run of short messages is answered one by one
    inbound_flood_per_minute: int = 10
    inbound_flood_notice_seconds: int = 3600
    inbound_turns_per_job: int = 1
    # A reply Twilio reports failed for a passing reason (63018, 30001...): sent again this many
    # times at most, the first after this many seconds, doubling.
    send_failure_retries: int = 3
    send_failure_backoff_seconds: float = 30.0
    # Work that keeps failing (hotline/messaging/deadletters.py): a message is set aside for a
    # supervisor after this many failed attempts, or after failing this long for an outage's
    # reasons (the assistant or Twilio down), and the person's next message goes ahead.
    dead_letter_attempts: int = 5
    dead_letter_transient_hours: float = 24.0
    # A conversation an operator holds goes back to the queue after this long without a word
    # from them, and when they sign out (hotline/handoff/queue.py).
    claim_idle_minutes: int = 20
    # A person whose message has waited this long unanswered (a worker restarting) is told,
    # once, that the answer is coming (the sweeper).
    delay_notice_seconds: int = 30
    # A request to stop messages that only the model read (no keyword matched) opts the person
    # out from this confidence up; below it they are asked to reply STOP. A false opt-out stops
    # someone's notices about their case, so it is set well above the clarifying menu's 0.5.
    stop_confidence: float = 0.8
    # Secrets and personal data (see hotline/crypto.py, README "Keys and personal data")
    keyring_file: Path | None = None  # versioned data keys (0600); unset = key 1 from the secret
    action_server_token: str | None = None  # Rasa -> action server shared secret (a header)
    retention_days: int = 365  # people silent this long are erased; 0 = never
    retention_notice_days: int = 30  # organizations see who will be erased this many days ahead
    # What messages cost (hotline/messaging/billing.py): the operator's prices, none by default
    # (shown as unknown, never invented). "sms=0.0079,whatsapp_service=0.004,whatsapp_utility=
    # 0.008": per SMS segment and per WhatsApp message by category, in price_currency; approved
    # templates are billed in whatsapp_template_category.
    message_prices: str = ""
    price_currency: str = "USD"
    whatsapp_template_category: str = "utility"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from `environ` (the process environment by default); each default is the
        field's own, stated once above."""
        env = os.environ if environ is None else environ
        settings = cls(
            redis_url=_env(env, "REDIS_URL", cls.redis_url),
            host=_env(env, "HOTLINE_HOST", cls.host),
            port=_int(env, "HOTLINE_PORT", cls.port),
            public_url=_env(env, "HOTLINE_PUBLIC_URL", cls.public_url),
            trusted_proxy_hops=_int(env, "HOTLINE_TRUSTED_PROXY_HOPS", cls.trusted_proxy_hops),
            secret=_env(env, "HOTLINE_SECRET", cls.secret),
            default_language=_env(env, "HOTLINE_DEFAULT_LANGUAGE", cls.default_language),
            twilio_account_sid=_env(env, "TWILIO_ACCOUNT_SID", cls.twilio_account_sid),
            twilio_auth_token=_env(env, "TWILIO_AUTH_TOKEN", cls.twilio_auth_token),
            twilio_api_base_url=_env(env, "TWILIO_API_BASE_URL", cls.twilio_api_base_url),
            twilio_messaging_service_sid=_env(env, "TWILIO_MESSAGING_SERVICE_SID",
                                              cls.twilio_messaging_service_sid),
            hotline_numbers=_list(env, "HOTLINE_NUMBERS") or cls.hotline_numbers,
            rasa_url=_env(env, "RASA_URL", cls.rasa_url),
            rasa_token=_env(env, "RASA_TOKEN", cls.rasa_token),
            action_server_url=_env(env, "ACTION_SERVER_URL", cls.action_server_url),
            nlg_token=_env(env, "NLG_TOKEN", cls.nlg_token),
            rasa_timeout=_float(env, "RASA_TIMEOUT", cls.rasa_timeout),
            sweep_seconds=_float(env, "HOTLINE_SWEEP_SECONDS", cls.sweep_seconds),
            send_rate=_float(env, "HOTLINE_SEND_RATE", cls.send_rate),
            broadcast_threads=_int(env, "HOTLINE_BROADCAST_THREADS", cls.broadcast_threads),
            broadcast_callbacks=_flag(env, "HOTLINE_BROADCAST_CALLBACKS", cls.broadcast_callbacks),
            whatsapp_content_sid=_env(env, "TWILIO_WHATSAPP_CONTENT_SID",
                                      cls.whatsapp_content_sid),
            broadcast_stale_seconds=_int(env, "HOTLINE_BROADCAST_STALE_SECONDS",
                                         cls.broadcast_stale_seconds),
            timezone=_env(env, "HOTLINE_TIMEZONE", cls.timezone),
            operator_hours=_env(env, "HOTLINE_OPERATOR_HOURS", cls.operator_hours),
            console_session_hours=_int(env, "HOTLINE_CONSOLE_SESSION_HOURS",
                                       cls.console_session_hours),
            inbound_turns_per_minute=_float(env, "HOTLINE_INBOUND_TURNS_PER_MINUTE",
                                            cls.inbound_turns_per_minute),
            inbound_turn_burst=_int(env, "HOTLINE_INBOUND_TURN_BURST", cls.inbound_turn_burst),
            inbound_flood_per_minute=_int(env, "HOTLINE_INBOUND_FLOOD_PER_MINUTE",
                                          cls.inbound_flood_per_minute),
            inbound_flood_notice_seconds=_int(env, "HOTLINE_INBOUND_FLOOD_NOTICE_SECONDS",
                                              cls.inbound_flood_notice_seconds),
            inbound_turns_per_job=_int(env, "HOTLINE_INBOUND_TURNS_PER_JOB",
                                       cls.inbound_turns_per_job),
            send_failure_retries=_int(env, "HOTLINE_SEND_FAILURE_RETRIES",
                                      cls.send_failure_retries),
            send_failure_backoff_seconds=_float(env, "HOTLINE_SEND_FAILURE_BACKOFF_SECONDS",
                                                cls.send_failure_backoff_seconds),
            dead_letter_attempts=_int(env, "HOTLINE_DEAD_LETTER_ATTEMPTS",
                                      cls.dead_letter_attempts),
            dead_letter_transient_hours=_float(env, "HOTLINE_DEAD_LETTER_TRANSIENT_HOURS",
                                               cls.dead_letter_transient_hours),
            claim_idle_minutes=_int(env, "HOTLINE_CLAIM_IDLE_MINUTES", cls.claim_idle_minutes),
            delay_notice_seconds=_int(env, "HOTLINE_DELAY_NOTICE_SECONDS",
                                      cls.delay_notice_seconds),
            stop_confidence=_float(env, "HOTLINE_STOP_CONFIDENCE", cls.stop_confidence),
            keyring_file=(Path(_env(env, "HOTLINE_KEYRING_FILE"))
                          if _env(env, "HOTLINE_KEYRING_FILE") else cls.keyring_file),
            action_server_token=_env(env, "ACTION_SERVER_TOKEN", cls.action_server_token),
            retention_days=_int(env, "HOTLINE_RETENTION_DAYS", cls.retention_days),
            retention_notice_days=_int(env, "HOTLINE_RETENTION_NOTICE_DAYS",
                                       cls.retention_notice_days),
            message_prices=_env(env, "HOTLINE_MESSAGE_PRICES", cls.message_prices),
            price_currency=_env(env, "HOTLINE_PRICE_CURRENCY", cls.price_currency),
            whatsapp_template_category=_env(env, "HOTLINE_WHATSAPP_TEMPLATE_CATEGORY",
                                            cls.whatsapp_template_category),
            program_status_file=Path(_env(env, "HOTLINE_PROGRAM_STATUS_FILE",
                                          str(cls.program_status_file))),
            content_review_days=_int(env, "HOTLINE_CONTENT_REVIEW_DAYS", cls.content_review_days),
            status_max_age_days=_int(env, "HOTLINE_STATUS_MAX_AGE_DAYS", cls.status_max_age_days),
            told_days=_int(env, "HOTLINE_TOLD_DAYS", cls.told_days),
        )
        return replace(settings, **overrides) if overrides else settings

    def require(self, *names: str) -> Settings:
        """Fail with a clear message if any of the named settings is empty."""
        missing = [SECRET_VARIABLES.get(n, n) for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                "missing required setting(s): "
                + ", ".join(missing)
                + " (set them in the environment; `./hotline.sh run` creates development values)"
            )
        if self.default_language not in ("en", "es"):
            raise ConfigError("HOTLINE_DEFAULT_LANGUAGE must be 'en' or 'es'")
        if not 0.5 <= self.stop_confidence <= 1.0:
            # Below the clarifying menu's threshold the model's guess never reaches the gateway.
            raise ConfigError("HOTLINE_STOP_CONFIDENCE must be between 0.5 and 1")
        return self

    @property
    def status_callback_url(self) -> str:
        base = self.public_url or f"http://{self.host}:{self.port}"
        return base.rstrip("/") + "/twilio/status"

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class StackSettings:
    """What the development runner (`./hotline.sh run`) reads besides `Settings`: the loopback
    ports of the services it starts, how many workers, and which stand-ins it has to run."""

    gateway_port: int = Settings.port  # HOTLINE_PORT, the variable the gateway itself reads
    sandbox_port: int = 8081  # HOTLINE_SANDBOX_PORT
    rasa_port: int = 5005  # RASA_PORT (Settings.rasa_url's default points here)
    actions_port: int = 5055  # ACTION_SERVER_PORT (so does Settings.action_server_url's)
    redis_port: int = 6380  # HOTLINE_REDIS_PORT (and Settings.redis_url's)
    workers: int = 2  # HOTLINE_WORKERS: RQ worker processes
    own_redis: bool = True  # no REDIS_URL given: run a redis-server with its data in var/redis
    use_sandbox: bool = True  # no real Twilio account given: run the Twilio sandbox

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackSettings:
        env = os.environ if environ is None else environ
        hotline = Settings.from_env(env)
        return cls(
            gateway_port=hotline.port,
            sandbox_port=_int(env, "HOTLINE_SANDBOX_PORT", cls.sandbox_port),
            rasa_port=_int(env, "RASA_PORT", cls.rasa_port),
            actions_port=_int(env, "ACTION_SERVER_PORT", cls.actions_port),
            redis_port=_int(env, "HOTLINE_REDIS_PORT", cls.redis_port),
            workers=_int(env, "HOTLINE_WORKERS", cls.workers),
            # Settings.redis_url always has a value; whether anyone gave one is decided here.
            own_redis=_env(env, "REDIS_URL") is None,
            # A sandbox URL with an account still means the sandbox (that is how tests run it).
            use_sandbox=not (hotline.twilio_account_sid and not hotline.twilio_api_base_url),
        )


@dataclass(frozen=True)
class SandboxSettings:
    """The Twilio stand-in's settings: the account it accepts, its Redis and its numbers are the
    hotline's own variables; two more shape its status callbacks."""

    account_sid: str | None = None  # TWILIO_ACCOUNT_SID
    auth_token: str | None = None  # TWILIO_AUTH_TOKEN
    redis_url: str = Settings.redis_url  # REDIS_URL
    numbers: tuple[str, ...] = ()  # HOTLINE_NUMBERS: the only senders it accepts
    callbacks: bool = True  # SANDBOX_CALLBACKS=0: post no status callbacks
    delivery_delay: float = 0.05  # SANDBOX_DELIVERY_DELAY: seconds from "sent" to "delivered"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SandboxSettings:
        env = os.environ if environ is None else environ
        hotline = Settings.from_env(env)
        return cls(
            account_sid=hotline.twilio_account_sid,
            auth_token=hotline.twilio_auth_token,
            redis_url=hotline.redis_url,
            numbers=hotline.hotline_numbers,
            callbacks=_flag(env, "SANDBOX_CALLBACKS", cls.callbacks),
            delivery_delay=_float(env, "SANDBOX_DELIVERY_DELAY", cls.delivery_delay),
        )

    def flask_config(self) -> dict:
        """The sandbox app's config keys (tests pass the same keys to `create_app`)."""
        return {"ACCOUNT_SID": self.account_sid, "AUTH_TOKEN": self.auth_token,
                "REDIS_URL": self.redis_url, "NUMBERS": list(self.numbers),
                "CALLBACKS": self.callbacks, "DELIVERY_DELAY": self.delivery_delay}


@dataclass(frozen=True)
class ServeSettings:
    """How each service binds and runs when started on its own (`python -m hotline.ops.serve
    NAME`, deploy/gunicorn.conf.py, the containers). The development runner only fills in
    loopback defaults; a deployment sets these per service. Peer URLs are `Settings`' own
    (RASA_URL, ACTION_SERVER_URL, REDIS_URL) plus NLG_URL, which only Rasa reads
    (bot/endpoints.yml)."""

    gateway_workers: int = 2  # HOTLINE_GATEWAY_WORKERS: gunicorn worker processes
    gateway_threads: int = 8  # HOTLINE_GATEWAY_THREADS: threads per gunicorn worker
    gateway_timeout: int = 60  # HOTLINE_GATEWAY_TIMEOUT: seconds before a stuck worker restarts
    rasa_host: str = "127.0.0.1"  # RASA_HOST: the Rasa server's bind address
    rasa_port: int = 5005  # RASA_PORT
    rasa_model: str | None = None  # RASA_MODEL: a model file; unset = the one for this data
    rasa_endpoints: str = "bot/endpoints.yml"  # RASA_ENDPOINTS
    nlg_url: str | None = None  # NLG_URL: the gateway's /nlg, as Rasa reaches it
    actions_host: str = "127.0.0.1"  # ACTION_SERVER_HOST: the action server's bind address
    actions_port: int = 5055  # ACTION_SERVER_PORT
    sandbox_host: str = "127.0.0.1"  # HOTLINE_SANDBOX_HOST
    sandbox_port: int = 8081  # HOTLINE_SANDBOX_PORT
    worker_queues: tuple[str, ...] = ("outbound", "inbound", "broadcast")  # HOTLINE_WORKER_QUEUES
    # Metrics of a worker or the sweeper, on their own bind (never a public one); 0 = none. The
    # gateway serves /metrics itself, to a bearer token (HOTLINE_METRICS_TOKEN; unset = 404).
    metrics_host: str = "127.0.0.1"  # HOTLINE_METRICS_HOST
    metrics_port: int = 0  # HOTLINE_METRICS_PORT
    metrics_token: str | None = None  # HOTLINE_METRICS_TOKEN
    metrics_dir: str | None = None  # PROMETHEUS_MULTIPROC_DIR: gunicorn's workers share it
    log_format: str = "text"  # HOTLINE_LOG_FORMAT: text (development) or json (production)
    log_level: str = "INFO"  # HOTLINE_LOG_LEVEL
    # A worker's or the sweeper's proof that its loop turns, for the exec probe (hotline.liveness)
    beat_file: str | None = None  # HOTLINE_BEAT_FILE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServeSettings:
        env = os.environ if environ is None else environ
        log_format = _env(env, "HOTLINE_LOG_FORMAT", cls.log_format)
        if log_format not in ("text", "json"):
            raise ConfigError(f"HOTLINE_LOG_FORMAT must be 'text' or 'json', got {log_format!r}")
        return cls(
            gateway_workers=_int(env, "HOTLINE_GATEWAY_WORKERS", cls.gateway_workers),
            gateway_threads=_int(env, "HOTLINE_GATEWAY_THREADS", cls.gateway_threads),
            gateway_timeout=_int(env, "HOTLINE_GATEWAY_TIMEOUT", cls.gateway_timeout),
            rasa_host=_env(env, "RASA_HOST", cls.rasa_host),
            rasa_port=_int(env, "RASA_PORT", cls.rasa_port),
            rasa_model=_env(env, "RASA_MODEL", cls.rasa_model),
            rasa_endpoints=_env(env, "RASA_ENDPOINTS", cls.rasa_endpoints),
            nlg_url=_env(env, "NLG_URL", cls.nlg_url),
            actions_host=_env(env, "ACTION_SERVER_HOST", cls.actions_host),
            actions_port=_int(env, "ACTION_SERVER_PORT", cls.actions_port),
            sandbox_host=_env(env, "HOTLINE_SANDBOX_HOST", cls.sandbox_host),
            sandbox_port=_int(env, "HOTLINE_SANDBOX_PORT", cls.sandbox_port),
            worker_queues=_list(env, "HOTLINE_WORKER_QUEUES") or cls.worker_queues,
            metrics_host=_env(env, "HOTLINE_METRICS_HOST", cls.metrics_host),
            metrics_port=_int(env, "HOTLINE_METRICS_PORT", cls.metrics_port),
            metrics_token=_env(env, "HOTLINE_METRICS_TOKEN", cls.metrics_token),
            metrics_dir=_env(env, "PROMETHEUS_MULTIPROC_DIR", cls.metrics_dir),
            log_format=log_format,
            log_level=(_env(env, "HOTLINE_LOG_LEVEL", cls.log_level) or "INFO").upper(),
            beat_file=_env(env, "HOTLINE_BEAT_FILE", cls.beat_file),
        )
