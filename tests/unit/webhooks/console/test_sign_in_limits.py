"""Failed console sign-ins are limited per client address and per account, behind a proxy too,
and never lock out everyone: a flood from one address stops that address and the account it
tried, and a correct password clears nothing."""

from __future__ import annotations

import dataclasses

from hotline.access import operators
from support.console import PASSWORD, token
from webhooks import create_app
from webhooks.console.auth import LOGIN_ATTEMPTS


def attempt(client, username: str, password: str, address: str | None = None):
    """One sign-in, from `address` as the proxy says (X-Forwarded-For)."""
    csrf = token(client.get("/console/login").data)
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/console/login", headers=headers, data={
        "username": username, "password": password, "csrf_token": csrf})


def proxied_app(settings):
    app = create_app(dataclasses.replace(settings, trusted_proxy_hops=1,
                                         public_url="https://hotline.example.org"))
    app.config.update(TESTING=True)
    return app


def test_behind_the_proxy_a_flood_from_one_address_does_not_lock_out_the_others(settings, redis):
    app = proxied_app(settings)
    for name in ("ana", "beto", "jefa"):
        operators.create(redis, name, PASSWORD)
    attacker = app.test_client()
    for _ in range(LOGIN_ATTEMPTS + 5):
        attempt(attacker, "jefa", "guess", "198.51.100.7")
    # That address is stopped, even for another account and the right password...
    assert attempt(attacker, "ana", PASSWORD, "198.51.100.7").status_code == 429
    # ...and so is the account it tried, from anywhere.
    assert attempt(app.test_client(), "jefa", PASSWORD, "203.0.113.20").status_code == 429
    # Everyone else, behind the same proxy, still signs in.
    assert attempt(app.test_client(), "beto", PASSWORD, "203.0.113.21").status_code == 302
    assert attempt(app.test_client(), "ana", PASSWORD, "203.0.113.22").status_code == 302


def test_without_trusting_the_proxy_a_forged_forwarded_for_changes_nothing(app, redis):
    operators.create(redis, "ana", PASSWORD)
    client = app.test_client()
    for n in range(LOGIN_ATTEMPTS):
        attempt(client, f"user{n}", "guess", f"198.51.100.{n}")  # each "from" a new address
    assert attempt(client, "ana", PASSWORD, "198.51.100.99").status_code == 429


def test_a_correct_sign_in_does_not_reset_the_count_of_guesses_at_other_accounts(app, redis):
    operators.create(redis, "insider", PASSWORD)
    operators.create(redis, "jefa", PASSWORD)
    client = app.test_client()
    refused = 0
    for round_ in range(3):
        for _ in range(LOGIN_ATTEMPTS - 1):
            refused += attempt(client, "jefa", f"guess{round_}", None).status_code == 429
        attempt(client, "insider", PASSWORD)  # once reset the address's count
    assert refused > 0
    assert attempt(app.test_client(), "jefa", PASSWORD).status_code == 429


def test_the_window_is_fixed_at_the_first_failure(app, redis):
    operators.create(redis, "ana", PASSWORD)
    client = app.test_client()
    attempt(client, "ana", "guess")
    key = "hl:login:account:ana"
    redis.expire(key, 5)  # as if the window began 15 minutes ago, minus 5 s
    attempt(client, "ana", "guess")
    assert 0 < redis.ttl(key) <= 5  # more failures do not push the window on


def test_ipv6_clients_are_counted_per_slash_64(settings, redis):
    app = proxied_app(settings)
    operators.create(redis, "ana", PASSWORD)
    client = app.test_client()
    for n in range(LOGIN_ATTEMPTS):
        attempt(client, f"user{n}", "guess", f"2001:db8:1:2::{n + 1:x}")
    assert attempt(client, "ana", PASSWORD, "2001:db8:1:2:ffff::1").status_code == 429
    assert attempt(client, "ana", PASSWORD, "2001:db8:1:3::1").status_code == 302


def test_failed_sign_ins_are_logged_apart_from_the_audit_log(settings, redis):
    from hotline.access import failures
    from hotline.handoff import audit

    app = proxied_app(settings)
    operators.create(redis, "ana", PASSWORD)
    assert attempt(app.test_client(), "ana", PASSWORD, "203.0.113.5").status_code == 302
    for n in range(5):
        attempt(app.test_client(), f"guess{n}", "guess", f"198.51.100.{n}")
    # The operators' record is what they did; strangers' failures cannot push it out.
    assert [e["action"] for e in audit.recent(redis)] == ["login"]
    logged = failures.recent(redis, "console")
    assert [e["address"] for e in logged] == [f"198.51.100.{n}" for n in reversed(range(5))]
