"""The NLG token travels in a header only: a token in the URL would be written to the gateway's
access log on every turn, so `?token=` is no longer accepted."""

from __future__ import annotations

import pytest

BODY = {"response": "utter_greet", "arguments": {},
        "tracker": {"sender_id": "c-x", "slots": {}, "latest_message": {}}}


def test_a_token_in_the_url_is_refused(client):
    assert client.post("/nlg?token=nlg-token", json=BODY).status_code == 401


@pytest.mark.parametrize("header", [
    "", "Bearer", "Bearer ", "nlg-token", "Bearer nlg-token ", "Bearer nlg-tokem",
    "bearer nlg-token", "Bearer nlg-tokenx", "Bearer ñlg-token", "Bearer \x00nlg-token",
])
def test_anything_but_the_bearer_token_is_refused(client, header):
    assert client.post("/nlg", json=BODY, headers={"Authorization": header}).status_code == 401


def test_the_bearer_token_is_accepted(client):
    assert client.post("/nlg", json=BODY,
                       headers={"Authorization": "Bearer nlg-token"}).status_code == 200


def test_no_configured_token_opens_nothing(app, client):
    import dataclasses

    from webhooks.context import runtime

    with app.app_context():
        rt = runtime()
        rt.settings = dataclasses.replace(rt.settings, nlg_token="")
    assert client.post("/nlg", json=BODY, headers={"Authorization": "Bearer "}).status_code == 401
