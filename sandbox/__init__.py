"""A local stand-in for Twilio's Messages API, for development, tests and benchmarks.

It speaks Twilio's wire format (form-encoded requests, Basic auth, Twilio's JSON bodies and
error codes) so the official `twilio` client works against it unchanged, and it posts status
callbacks signed with the auth token exactly as Twilio signs them.
"""

from __future__ import annotations

from flask import Flask

from hotline.config import SandboxSettings


def create_app(config: dict | None = None) -> Flask:
    """The sandbox app: settings from the environment (`SandboxSettings`), then `config`."""
    app = Flask(__name__)
    app.config.update(SandboxSettings.from_env().flask_config())
    app.config.update(config or {})
    if not app.config["ACCOUNT_SID"] or not app.config["AUTH_TOKEN"]:
        raise RuntimeError("the Twilio sandbox needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")

    from sandbox import api

    app.register_blueprint(api.bp)
    return app
