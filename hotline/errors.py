"""Named errors. Each is caught in exactly one place, where the reply is decided."""


class HotlineError(Exception):
    """Base for the hotline's own errors."""


class AssistantUnavailable(HotlineError):
    """Rasa or the action server did not answer; the message waits and is retried."""


class TransientSendError(HotlineError):
    """Twilio refused for now (rate limit, 5xx, timeout); the send is retried with backoff."""

    def __init__(self, message: str, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class BadRequest(HotlineError):
    """A webhook request is malformed (missing fields)."""
