"""The gateway's edges, for every blueprint: who the client is behind a proxy, CSRF for the
console, and the security headers every response carries.

- Behind HOTLINE_TRUSTED_PROXY_HOPS proxies, werkzeug's ProxyFix takes the client's address,
  scheme and host from X-Forwarded-*: sign-in limits count each client, not the proxy, and the
  API's audit names the caller. It works together with HOTLINE_PUBLIC_URL, which stays what
  Twilio's signatures and delivery callbacks are checked and built against (`security`). The
  console's session cookie is Secure when the request came over HTTPS, as the proxy says or as
  an https HOTLINE_PUBLIC_URL says.
- CSRF is Flask-WTF's CSRFProtect on every POST. Twilio's webhooks (signed), the NLG endpoint
  (its token), the organizations' API (bearer tokens, no cookies) and health checks prove who
  calls them otherwise, and are exempt.
- Headers: a Content-Security-Policy with no inline script or style (the console's are in its
  static files) that no other site may frame, nosniff, no referrer beyond this origin, and HSTS
  once served over HTTPS.
"""

from __future__ import annotations

import logging

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.config import ConfigError, Settings

from .errors import error_response

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# Largest request body a caller may send (Twilio's form posts and console forms are a few KB;
# Rasa's NLG requests carry the conversation's tracker, so they get more room).
MAX_BODY = 256 * 1024
MAX_NLG_BODY = 8 * 1024 * 1024


class ForwardedSchemeSession(SecureCookieSessionInterface):
    """The console's session cookie, marked Secure whenever the request came over HTTPS: as
    the trusted proxy says it did (X-Forwarded-Proto, through ProxyFix) or as HOTLINE_PUBLIC_URL
    says. Without this, a gateway behind a TLS proxy but without an https public URL would send
    the sign-in cookie without Secure, and a browser could later send it over plain http."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask, settings: Settings) -> CSRFProtect:
    """Install the proxy fix, CSRF protection and headers on the gateway app."""
    hops = settings.trusted_proxy_hops
    if hops < 0:
        raise ConfigError("HOTLINE_TRUSTED_PROXY_HOPS must be 0 or more")
    if hops and not settings.public_url and not settings.twilio_api_base_url:
        # Signatures still check (ProxyFix rebuilds the URL), but real Twilio would be given the
        # gateway's own loopback address for delivery callbacks.
        log.warning("HOTLINE_TRUSTED_PROXY_HOPS without HOTLINE_PUBLIC_URL: Twilio's delivery "
                    "callbacks go to %s; set HOTLINE_PUBLIC_URL too", settings.status_callback_url)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
    https = bool(settings.public_url and settings.public_url.startswith("https://"))
    # request.is_secure trusts X-Forwarded-Proto only through ProxyFix (hops > 0): a client
    # cannot forge it when no proxy is trusted.
    app.session_interface = ForwardedSchemeSession()
    # The cookie's expiry is the sign-in's, not pushed on by each request (the console polls
    # every 2 s); `auth.load_operator` enforces the shift limit itself.
    app.config.update(SESSION_REFRESH_EACH_REQUEST=False)

    @app.before_request
    def limit_body():
        # Before CSRFProtect's own hook, which is the first to read a posted form.
        request.max_content_length = MAX_NLG_BODY if request.path == "/nlg" else MAX_BODY

    csrf = CSRFProtect(app)

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError):
        return error_response(400, "missing or invalid CSRF token")

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure or https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    return csrf


def exempt(csrf: CSRFProtect, *blueprints) -> None:
    """Blueprints whose callers authenticate without a browser session."""
    for bp in blueprints:
        csrf.exempt(bp)
