"""Checking that a request really comes from Twilio."""

from __future__ import annotations

import functools
import logging

from flask import abort, request
from twilio.request_validator import RequestValidator

from .context import runtime

log = logging.getLogger(__name__)


def signed_url() -> str:
    """The URL Twilio signed: the public URL when configured, else the request's own.

    Behind a TLS-terminating proxy Flask sees http://internal-host/...; either
    HOTLINE_PUBLIC_URL or HOTLINE_TRUSTED_PROXY_HOPS (ProxyFix) restores what Twilio called.
    """
    public = runtime().settings.public_url
    if not public:
        return request.url
    query = request.query_string.decode()
    return public.rstrip("/") + request.path + (f"?{query}" if query else "")


def twilio_signed(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(runtime().settings.twilio_auth_token)
        if not signature or not validator.validate(signed_url(), request.form, signature):
            log.warning("rejected unsigned or mis-signed request to %s", request.path)
            abort(403, "invalid Twilio signature")
        return view(*args, **kwargs)

    return wrapper
