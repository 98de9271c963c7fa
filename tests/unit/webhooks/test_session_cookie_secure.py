"""The console's session cookie is Secure when the request came over HTTPS: as a trusted proxy
says (HOTLINE_TRUSTED_PROXY_HOPS, X-Forwarded-Proto) or as an https HOTLINE_PUBLIC_URL says;
a forwarded scheme nobody trusts changes nothing."""

from __future__ import annotations

import dataclasses

from webhooks import create_app


def login_cookie(app, forwarded_proto: str | None = None) -> str:
    """The session cookie the sign-in page sets (it holds the form's CSRF token)."""
    client = app.test_client()
    if forwarded_proto:
        client.environ_base["HTTP_X_FORWARDED_PROTO"] = forwarded_proto
    response = client.get("/console/login")
    assert response.status_code == 200
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_behind_a_trusted_proxy_the_cookie_follows_the_forwarded_scheme(settings, redis):
    proxied = create_app(dataclasses.replace(settings, trusted_proxy_hops=1, public_url=None))
    assert "; Secure" in login_cookie(proxied, "https")
    assert "; Secure" not in login_cookie(proxied, "http")  # a plain-http test proxy


def test_a_forwarded_scheme_nobody_trusts_changes_nothing(settings, redis):
    direct = create_app(dataclasses.replace(settings, trusted_proxy_hops=0, public_url=None))
    assert "; Secure" not in login_cookie(direct, "https")


def test_an_https_public_url_still_makes_it_secure(settings, redis):
    public = create_app(dataclasses.replace(settings, public_url="https://hotline.example.org"))
    assert "; Secure" in login_cookie(public)
