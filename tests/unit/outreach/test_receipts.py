"""The broadcast receipts store: recipients' states, deliveries and the SID index, and forget."""

from __future__ import annotations

from hotline.outreach import receipts, store
from hotline.outreach.spec import Broadcast

TTL = 3600


def broadcast(redis, bc_id: str) -> str:
    store.save(redis, Broadcast(id=bc_id, texts={"en": "hi", "es": "hola"}))
    return bc_id


def test_a_recipient_is_claimed_once(redis):
    bc_id = broadcast(redis, "BC1")
    assert receipts.claim(redis, bc_id, ["a", "b"], 1.0) == [True, True]
    assert receipts.claim(redis, bc_id, ["b", "c"], 2.0) == [False, True]
    assert receipts.states_of(redis, bc_id, ["b", "c"]) == ["sending:1.0", "sending:2.0"]


def test_a_sent_message_is_found_by_its_sid_and_keeps_its_final_delivery(redis):
    bc_id = broadcast(redis, "BC1")
    receipts.record_sent(redis, bc_id, "a", "SM1", "session", TTL)
    assert receipts.owner_of(redis, "SM1") == ("BC1", "a")
    assert receipts.owner_of(redis, "SM2") is None
    receipts.record_delivery(redis, bc_id, "a", "delivered", None)
    receipts.record_delivery(redis, bc_id, "a", "sent", None)  # late, out of order
    assert receipts.deliveries(redis, bc_id) == ["delivered"]
    receipts.record_delivery(redis, bc_id, "a", "read", None)
    assert receipts.deliveries(redis, bc_id) == ["read"]


def test_forget_removes_exactly_that_contacts_receipts_and_sids(redis):
    first, second = broadcast(redis, "BC1"), broadcast(redis, "BC2")
    for bc_id, n in ((first, 1), (second, 2)):
        receipts.claim(redis, bc_id, ["gone", "kept"], 1.0)
        receipts.record_sent(redis, bc_id, "gone", f"SMgone{n}", "session", TTL)
        receipts.record_sent(redis, bc_id, "kept", f"SMkept{n}", "sms_fallback", TTL)
        receipts.record_delivery(redis, bc_id, "gone", "delivered", None)
        receipts.record_delivery(redis, bc_id, "kept", "undelivered", "30006")
    third = broadcast(redis, "BC3")
    receipts.set_state(redis, third, "gone", "skip:opted_out")
    receipts.set_state(redis, third, "kept", "fail:21211")

    receipts.forget(redis, "gone")

    for bc_id, n in ((first, 1), (second, 2)):
        assert receipts.states_of(redis, bc_id, ["gone", "kept"]) == [
            None, f"sent:SMkept{n}:sms_fallback"]
        assert receipts.deliveries(redis, bc_id) == ["undelivered:30006"]
        assert receipts.owner_of(redis, f"SMgone{n}") is None
        assert receipts.owner_of(redis, f"SMkept{n}") == (bc_id, "kept")
    assert receipts.states(redis, third) == ["fail:21211"]
    assert not any("gone" in key for key in redis.keys("*"))
    receipts.forget(redis, "nobody")  # a contact in no broadcast: nothing to do, no error
    assert receipts.states(redis, third) == ["fail:21211"]
