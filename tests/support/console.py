"""Signing in to the operators' console in tests, as a browser would (CSRF token included)."""

from __future__ import annotations

import re

from hotline.access import operators

PASSWORD = "correct horse battery"


def token(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def sign_in(app, username: str, role: str = "operator", lang: str = "es"):
    """A test client signed in as `username` (created if new); `client.csrf` holds its token."""
    client = app.test_client()
    if not operators.get(app.extensions["hotline"].redis, username):
        operators.create(app.extensions["hotline"].redis, username, PASSWORD, role, language=lang)
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": token(page.data)})
    assert response.status_code == 302, response.data
    client.csrf = token(client.get("/console/").data)
    return client
