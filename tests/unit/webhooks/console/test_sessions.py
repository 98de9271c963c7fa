"""Console sessions end when they should: signing out, a new password and disabling an account
end every session of that operator (a copied cookie included), and a sign-in lasts one shift
from the sign-in however busy the console keeps it."""

from __future__ import annotations

import time

from hotline.access import operators
from support.console import sign_in
from webhooks.console.auth import SESSION_SIGNED_IN_AT


def copy_of(app, client):
    """Another browser holding the same session cookie (a stolen or copied one)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie(cookie.key, cookie.value)
    return other


def test_signing_out_ends_every_session_of_that_operator(app):
    ana = sign_in(app, "ana")
    laptop = sign_in(app, "ana")
    stolen = copy_of(app, ana)
    beto = sign_in(app, "beto")
    assert stolen.get("/console/api/queue").status_code == 200
    ana.post("/console/logout", data={"csrf_token": ana.csrf})
    for client in (ana, laptop, stolen):
        assert client.get("/console/api/queue").status_code == 302
    assert beto.get("/console/api/queue").status_code == 200


def test_a_new_password_ends_the_old_sessions(app, redis):
    ana = sign_in(app, "ana")
    operators.set_password(redis, "ana", "a brand new passphrase")
    assert ana.get("/console/api/queue").status_code == 302
    # Creating the account again (how a password was reset before) does too.
    ana = sign_in(app, "beto")
    operators.create(redis, "beto", "another new passphrase")
    assert ana.get("/console/api/queue").status_code == 302


def test_a_disabled_operator_is_out_at_once_and_cannot_sign_in(app, redis):
    ana = sign_in(app, "ana")
    operators.set_disabled(redis, "ana")
    assert ana.get("/console/api/queue").status_code == 302
    assert operators.verify(redis, "ana", "correct horse battery") is None
    operators.set_disabled(redis, "ana", False)
    assert sign_in(app, "ana").get("/console/api/queue").status_code == 200


def test_the_shift_limit_counts_from_the_sign_in_and_does_not_slide(app):
    ana = sign_in(app, "ana")
    hours = app.extensions["hotline"].settings.console_session_hours
    response = ana.get("/console/api/queue")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers  # no sliding
    with ana.session_transaction() as session:
        session[SESSION_SIGNED_IN_AT] = time.time() - hours * 3600 + 60
    assert ana.get("/console/api/queue").status_code == 200  # busy until the last minute...
    with ana.session_transaction() as session:
        session[SESSION_SIGNED_IN_AT] = time.time() - hours * 3600 - 1
    assert ana.get("/console/api/queue").status_code == 302  # ...and out after the shift


def test_a_session_without_the_sign_in_marks_is_not_accepted(app):
    ana = sign_in(app, "ana")
    with ana.session_transaction() as session:
        session.pop(SESSION_SIGNED_IN_AT)
    assert ana.get("/console/api/queue").status_code == 302
