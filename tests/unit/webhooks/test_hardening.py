"""Every gateway response carries the security headers; the console's pages need no inline
script or style; CSRF is Flask-WTF's on every console POST, and callers that authenticate
otherwise (Twilio, Rasa's NLG, the API) are exempt; bodies are bounded."""

from __future__ import annotations

import dataclasses
import re

from support.console import sign_in
from support.people import person
from webhooks import create_app
from webhooks.hardening import MAX_BODY


def test_every_response_has_the_headers(client):
    for path in ("/healthz", "/console/login", "/api/v1/registrations", "/nowhere",
                 "/console/static/console.js"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain http: no HSTS


def test_hsts_once_served_over_https(settings, redis):
    proxied = create_app(dataclasses.replace(settings, trusted_proxy_hops=1))
    response = proxied.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    public = create_app(dataclasses.replace(settings, public_url="https://hotline.example.org"))
    assert "Strict-Transport-Security" in public.test_client().get("/healthz").headers


def test_console_pages_have_no_inline_script_or_style(app, rt):
    contact_id = person(rt)
    boss = sign_in(app, "jefa", role="supervisor")
    pages = [boss.get(path).data.decode() for path in (
        "/console/login", "/console/", f"/console/c/{contact_id}", "/console/supervisor",
        "/console/status")]
    for page in pages:
        assert "<style" not in page and " style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # every script is a file
        assert not re.search(r"\son[a-z]+=", page)  # no onclick= and the like
    assert 'data-view="queue"' in pages[1] and 'data-view="conversation"' in pages[2]


def test_console_posts_need_the_csrf_token_and_others_do_not(app, rt):
    assert "csrf" in app.extensions  # Flask-WTF's CSRFProtect, not a hand-made check
    ana = sign_in(app, "ana")
    contact_id = person(rt)
    refused = ana.post(f"/console/c/{contact_id}/claim")
    assert refused.status_code == 400 and refused.get_json()["error"].startswith("missing or")
    assert ana.post(f"/console/c/{contact_id}/claim", headers={"X-CSRFToken": "forged"}
                    ).status_code == 400
    assert ana.post(f"/console/c/{contact_id}/claim", headers={"X-CSRFToken": ana.csrf}
                    ).status_code == 302
    assert ana.post("/console/logout").status_code == 400
    client = app.test_client()
    # These answer for themselves (signature, token), never with a CSRF refusal.
    assert client.post("/twilio/messages", data={"Body": "x"}).status_code == 403
    assert client.post("/api/v1/broadcasts", json={}).status_code == 401
    assert client.post("/nlg", json={}).status_code == 401


def test_request_bodies_are_bounded(client):
    response = client.post("/twilio/messages", data={"Body": "x" * (MAX_BODY + 1)},
                           headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 413
