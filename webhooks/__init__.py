"""The hotline's Flask gateway: Twilio webhooks, the NLG endpoint, health checks and the
organizations' API."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.config import Settings
from hotline.runtime import Runtime


def create_app(settings: Settings | None = None) -> Flask:
    settings = (settings or Settings.from_env()).require(
        "secret", "twilio_account_sid", "twilio_auth_token", "nlg_token"
    )
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret, JSON_SORT_KEYS=False)
    app.extensions["hotline"] = Runtime(settings)
    # Fail at start, not on the first message, if a catalog is missing or incomplete.
    app.extensions["hotline"].catalogs  # noqa: B018

    if settings.trusted_proxy_hops and not settings.public_url:
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)

    from . import api, errors, health, nlg, twilio

    app.register_blueprint(twilio.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(nlg.bp)
    app.register_blueprint(api.bp)
    errors.register(app)
    logging.getLogger("hotline").setLevel(logging.INFO)
    return app
