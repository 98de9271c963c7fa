"""Console sessions are signed with a key of their own, derived from the master secret: not the
secret itself, and not the key that encrypts data."""

from __future__ import annotations

from hotline.crypto import Vault


def test_sessions_are_signed_with_the_session_key(app, settings):
    vault = Vault(settings.secret)
    assert app.config["SECRET_KEY"] == vault.session_key
    assert app.config["SECRET_KEY"] != settings.secret

