"""The official Twilio client, pointed at real Twilio or at the local sandbox.

The sandbox speaks Twilio's wire format, so the only difference is where requests go: with
TWILIO_API_BASE_URL set, every Twilio domain's scheme and host are rewritten to it and the
path is kept. Without it, this is a plain `twilio.rest.Client`.
"""

from __future__ import annotations

import urllib.parse

from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from hotline.config import Settings


class RedirectingHttpClient(TwilioHttpClient):
    """Sends every Twilio API request to another base URL, path and query unchanged."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        parts = urllib.parse.urlsplit(url)
        url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, url, *args, **kwargs)


def make_client(settings: Settings, timeout: float = 10.0) -> Client:
    settings.require("twilio_account_sid", "twilio_auth_token")
    if settings.twilio_api_base_url:
        http_client = RedirectingHttpClient(settings.twilio_api_base_url, timeout=timeout)
        # environment={} so a stray TWILIO_EDGE/TWILIO_REGION cannot rewrite the sandbox host
        return Client(settings.twilio_account_sid, settings.twilio_auth_token,
                      http_client=http_client, environment={})
    return Client(settings.twilio_account_sid, settings.twilio_auth_token,
                  http_client=TwilioHttpClient(timeout=timeout))


def sign(auth_token: str, url: str, params: dict) -> str:
    """The X-Twilio-Signature Twilio would send for this POST."""
    return RequestValidator(auth_token).compute_signature(url, params)
