"""Rasa's REST channel, closed to anyone without the Rasa token.

Rasa's `--auth-token` guards its HTTP API but not the channels: any local process could post to
`/webhooks/rest/webhook` as any sender id and, for example, answer another person's erasure
question. The gateway sends `Authorization: Bearer <RASA_TOKEN>`; anything else gets 401 before a
message reaches the assistant. Configured in bot/credentials.yml; the URL stays
`/webhooks/rest/webhook`.
"""

from __future__ import annotations

import hmac

from rasa.core.channels.rest import RestInput
from sanic.exceptions import SanicException
from sanic.request import Request

from hotline.config import ConfigError, Settings


def bearer_ok(header: str | None, token: str) -> bool:
    """True for `Bearer <token>` exactly (constant-time); an empty token never matches.

    >>> bearer_ok("Bearer abc", "abc"), bearer_ok("Bearer abd", "abc"), bearer_ok(None, "abc")
    (True, False, False)
    >>> bearer_ok("Bearer ", "")
    False
    """
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].encode(), token.encode())


class TokenRestInput(RestInput):
    """The REST channel, with the gateway's bearer token required."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self, token: str | None = None):
        if token is None:
            try:
                token = Settings.from_env().require("rasa_token").rasa_token
            except ConfigError as exc:
                raise RuntimeError(f"the REST channel cannot start: {exc}") from None
        self.token = token

    @classmethod
    def from_credentials(cls, credentials):
        return cls()

    async def _extract_sender(self, req: Request):
        # The first thing the channel's webhook does with a request: refuse it here.
        if not bearer_ok(req.headers.get("authorization"), self.token):
            raise SanicException("the Rasa token is required", status_code=401)
        return await super()._extract_sender(req)
