"""The hotline's Flask gateway: Twilio webhooks, the NLG endpoint, health checks and the
organizations' API."""

from __future__ import annotations

import logging

from flask import Flask

from hotline.config import Settings
from hotline.runtime import Runtime


def create_app(settings: Settings | None = None) -> Flask:
    settings = (settings or Settings.from_env()).require(
        "secret", "twilio_account_sid", "twilio_auth_token", "nlg_token"
    )
    app = Flask(__name__)
    runtime = Runtime(settings)
    # Console sessions are signed with their own key (hotline/crypto.py), never with the master
    # secret or a data key: a leaked session key decrypts nothing.
    app.config.update(SECRET_KEY=runtime.vault.session_key, JSON_SORT_KEYS=False)
    app.extensions["hotline"] = runtime
    # Fail at start, not on the first message, if a catalog is missing or incomplete.
    app.extensions["hotline"].catalogs  # noqa: B018

    from webhooks import api, console, errors, hardening, health, metrics, nlg, twilio

    # Proxy fix, CSRF, security headers: before the blueprints' own hooks.
    csrf = hardening.init_app(app, settings)
    hardening.exempt(csrf, twilio.bp, nlg.bp, api.bp, health.bp)
    _console_setup(app, settings)

    app.register_blueprint(twilio.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)  # bearer token only (webhooks/metrics.py)
    app.register_blueprint(nlg.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(console.bp)
    errors.register(app)
    logging.getLogger("hotline").setLevel(logging.INFO)
    return app


def _console_setup(app: Flask, settings: Settings) -> None:
    """Sessions, CSRF and the console's own translations (Flask-Babel, domain `console`)."""
    from datetime import timedelta

    from flask_babel import Babel

    from webhooks import console

    secure = bool(settings.public_url and settings.public_url.startswith("https://"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.console_session_hours),
        # A console tab stays open for a shift: tokens live as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_TRANSLATION_DIRECTORIES=str(compile_console_catalogs(settings)),
        BABEL_DOMAIN="console", BABEL_DEFAULT_LOCALE="es",
    )
    Babel(app, locale_selector=console.console_language)
    console.init_app(app)


def compile_console_catalogs(settings: Settings):
    """The console's .po files compiled to .mo under var/ (build output stays out of git)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from hotline.config import PROJECT_ROOT

    out = PROJECT_ROOT / "var" / "locales"
    for po in sorted(settings.locales_dir.glob("*/LC_MESSAGES/console.po")):
        lang = po.parent.parent.name
        target = out / lang / "LC_MESSAGES" / "console.mo"
        if not target.exists() or target.stat().st_mtime < po.stat().st_mtime:
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang, domain="console")
            tmp = target.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                write_mo(fh, catalog)
            tmp.replace(target)  # atomic: two gunicorn workers may compile at once
    return out
