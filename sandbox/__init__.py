"""A local stand-in for Twilio's Messages API, for development, tests and benchmarks.

It speaks Twilio's wire format (form-encoded requests, Basic auth, Twilio's JSON bodies and
error codes) so the official `twilio` client works against it unchanged, and it posts status
callbacks signed with the auth token exactly as Twilio signs them.
"""

from __future__ import annotations

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        ACCOUNT_SID=os.environ.get("TWILIO_ACCOUNT_SID"),
        AUTH_TOKEN=os.environ.get("TWILIO_AUTH_TOKEN"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6380/0"),
        NUMBERS=[n.strip() for n in os.environ.get("HOTLINE_NUMBERS", "").split(",") if n.strip()],
        CALLBACKS=os.environ.get("SANDBOX_CALLBACKS", "1") == "1",
        DELIVERY_DELAY=float(os.environ.get("SANDBOX_DELIVERY_DELAY", "0.05")),
    )
    app.config.update(config or {})
    if not app.config["ACCOUNT_SID"] or not app.config["AUTH_TOKEN"]:
        raise RuntimeError("the Twilio sandbox needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")

    from sandbox import api

    app.register_blueprint(api.bp)
    return app
