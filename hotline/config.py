"""All configuration, read from the environment in one place.

Every process (gateway, workers, action server, sandbox, CLI) builds a `Settings` from the
environment; tests build one with overrides. A missing required secret fails at start-up with a
message that names the variable, never as `None` deep inside a request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _list(name: str, default: str = "") -> tuple[str, ...]:
    raw = _env(name, default) or ""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6380/0"
    # Gateway
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None  # the URL Twilio calls, as typed in the Twilio console
    trusted_proxy_hops: int = 0  # X-Forwarded-* hops to trust when public_url is not set
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
    # Behaviour
    menu_ttl_seconds: int = 2 * 24 * 3600
    dedupe_ttl_seconds: int = 14 * 24 * 3600
    message_ttl_seconds: int = 90 * 24 * 3600
    holding_notice_seconds: int = 3600
    # Messages the hotline starts (broadcasts, status notifications)
    send_rate: float = 10.0  # messages per second across all workers; 0 = no cap
    broadcast_threads: int = 8
    broadcast_callbacks: bool = True
    broadcast_stale_seconds: int = 120  # a chunk silent this long belongs to a dead worker
    whatsapp_content_sid: str | None = None  # approved template for outside WhatsApp's 24 h
    timezone: str = "America/Mexico_City"  # appointments' local time, reminders
    operator_hours: str = "08:00-20:00"  # when operators are on duty, every day, local time
    console_session_hours: int = 10  # a sign-in lasts one shift
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        settings = cls(
            redis_url=_env("REDIS_URL", cls.redis_url),
            host=_env("HOTLINE_HOST", cls.host),
            port=_int("HOTLINE_PORT", cls.port),
            public_url=_env("HOTLINE_PUBLIC_URL"),
            trusted_proxy_hops=_int("HOTLINE_TRUSTED_PROXY_HOPS", 0),
            secret=_env("HOTLINE_SECRET"),
            default_language=_env("HOTLINE_DEFAULT_LANGUAGE", "es"),
            twilio_account_sid=_env("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=_env("TWILIO_AUTH_TOKEN"),
            twilio_api_base_url=_env("TWILIO_API_BASE_URL"),
            twilio_messaging_service_sid=_env("TWILIO_MESSAGING_SERVICE_SID"),
            hotline_numbers=_list("HOTLINE_NUMBERS"),
            rasa_url=_env("RASA_URL", cls.rasa_url),
            rasa_token=_env("RASA_TOKEN"),
            action_server_url=_env("ACTION_SERVER_URL", cls.action_server_url),
            nlg_token=_env("NLG_TOKEN"),
            rasa_timeout=float(_env("RASA_TIMEOUT", "30")),
            send_rate=float(_env("HOTLINE_SEND_RATE", "10")),
            broadcast_threads=_int("HOTLINE_BROADCAST_THREADS", 8),
            broadcast_callbacks=_env("HOTLINE_BROADCAST_CALLBACKS", "1") not in ("0", "false", "no"),
            whatsapp_content_sid=_env("TWILIO_WHATSAPP_CONTENT_SID"),
            broadcast_stale_seconds=_int("HOTLINE_BROADCAST_STALE_SECONDS", 120),
            timezone=_env("HOTLINE_TIMEZONE", "America/Mexico_City"),
            operator_hours=_env("HOTLINE_OPERATOR_HOURS", "08:00-20:00"),
            console_session_hours=_int("HOTLINE_CONSOLE_SESSION_HOURS", 10),
            program_status_file=Path(
                _env("HOTLINE_PROGRAM_STATUS_FILE", str(cls.program_status_file))
            ),
            content_review_days=_int("HOTLINE_CONTENT_REVIEW_DAYS", 365),
            status_max_age_days=_int("HOTLINE_STATUS_MAX_AGE_DAYS", 30),
        )
        return replace(settings, **overrides) if overrides else settings

    def require(self, *names: str) -> "Settings":
        """Fail with a clear message if any of the named settings is empty."""
        env_names = {
            "secret": "HOTLINE_SECRET",
            "twilio_account_sid": "TWILIO_ACCOUNT_SID",
            "twilio_auth_token": "TWILIO_AUTH_TOKEN",
            "nlg_token": "NLG_TOKEN",
            "rasa_token": "RASA_TOKEN",
        }
        missing = [env_names.get(n, n) for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                "missing required setting(s): "
                + ", ".join(missing)
                + " (set them in the environment; `./hotline run` creates development values)"
            )
        if self.default_language not in ("en", "es"):
            raise ConfigError("HOTLINE_DEFAULT_LANGUAGE must be 'en' or 'es'")
        return self

    @property
    def status_callback_url(self) -> str:
        base = self.public_url or f"http://{self.host}:{self.port}"
        return base.rstrip("/") + "/twilio/status"

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}
