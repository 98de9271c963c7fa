"""The console audit log names a person only by their pseudonymous id: any other detail that
leads back to them (the id of the message an operator sent, a dead letter's entry) is sealed
with the vault, never stored readable."""

from __future__ import annotations

import pytest

from hotline.handoff import audit
from support.console import sign_in
from support.people import person


def test_a_console_reply_leaves_no_readable_message_id_in_the_audit(app, rt):
    contact_id = person(rt, text="necesito ayuda")
    ana = sign_in(app, "ana")
    ana.post(f"/console/c/{contact_id}/claim", data={"csrf_token": ana.csrf})
    assert ana.post(f"/console/c/{contact_id}/reply",
                    data={"csrf_token": ana.csrf, "body": "Hola"}).status_code == 302
    [out_id] = rt.redis.lrange(f"hl:outbox:{contact_id}", 0, -1)
    raw = rt.redis.lrange(audit.KEY, 0, -1)
    assert raw and not any(out_id in entry for entry in raw)  # scanned as stored
    [reply] = [e for e in audit.recent(rt.redis) if e["action"] == "reply"]
    assert reply["contact_id"] == contact_id and "message_id" not in reply
    assert audit.details(reply, rt.vault) == {"message_id": out_id}


def test_only_details_that_name_nobody_stay_readable(rt):
    audit.record(rt.redis, "ana", "transfer", "c1", vault=rt.vault, to="beto",
                 message_sid="MM123", entry="DL-9")
    [entry] = audit.recent(rt.redis)
    assert entry["to"] == "beto" and "MM123" not in rt.redis.lindex(audit.KEY, 0)
    assert audit.details(entry, rt.vault) == {"message_sid": "MM123", "entry": "DL-9"}
    # Without a vault a private detail is refused, never written in the clear.
    with pytest.raises(ValueError):
        audit.record(rt.redis, "ana", "reply", "c1", message_id="m-1")
    assert rt.redis.llen(audit.KEY) == 1
    audit.record(rt.redis, "ana", "login")  # nothing private: no vault needed
    assert "sealed" not in audit.recent(rt.redis)[0]
