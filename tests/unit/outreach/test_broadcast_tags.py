"""Broadcast messages are tagged with their receipt's own id, as replies are: a status callback
names its recipient before the runner recorded Twilio's SID, a runner taking over a dead one's
chunk finds exactly that recipient's message (queued ones included) and never another record's,
and callbacks that came early are applied, never moving a state back. Real Redis and the
Twilio sandbox."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import replace

import requests

from hotline.messaging import callbacks, delivery, messages, outbound
from hotline.messaging.twilio_client import sign
from hotline.outreach import receipts
from hotline.outreach import report as bc_report
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.outreach.sender import Sender
from hotline.runtime import Runtime
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, sandbox_records

from .test_broadcasts import people, run_all

TTL = 3600
WORDS = {"en": "Clinic on Friday", "es": "Clínica el viernes"}


def with_callbacks(rt: Runtime) -> Runtime:
    return Runtime(replace(rt.settings, broadcast_callbacks=True))


def frozen(rt: Runtime, count: int = 1, start: int = 0):
    """A broadcast whose recipients are frozen but not sent: (broadcast, contact ids)."""
    ids = people(rt, count, start=start, prefix="+52166")
    bc = bc_spec.build(rt, {"text": WORDS}, "t")
    bc_store.save(rt.redis, bc)
    bc_store.freeze(rt.redis, bc.id)
    bc_store.add_recipients(rt.redis, bc.id, ids)
    bc_store.set_state(rt.redis, bc.id, "sending", total=len(ids), started_at=time.time())
    return bc_store.load(rt.redis, bc.id), ids


def dead_runner_claimed(rt: Runtime, bc, contact_id: str) -> None:
    """A runner claimed the recipient, then died (before or after Twilio took the message)."""
    assert receipts.claim(rt.redis, bc.id, [contact_id], time.time() - 1) == [True]


def hold(sandbox):
    requests.post(sandbox.url + "/_sandbox/hold", json={"count": 1},
                  auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).raise_for_status()


def post_status(client, sid, status, send):
    url = "http://localhost/twilio/status?send=" + send
    params = {"AccountSid": ACCOUNT_SID, "MessageSid": sid, "SmsSid": sid,
              "MessageStatus": status, "SmsStatus": status, "From": SMS_NUMBER,
              "To": "+5216600000000"}
    response = client.post(url, data=params,
                           headers={"X-Twilio-Signature": sign(AUTH_TOKEN, url, params)})
    assert response.status_code == 204


def number_of(rt, contact_id):
    return rt.contacts.get(contact_id).number


def test_every_broadcast_message_carries_its_receipt_id(sandbox_rt, redis):
    rt = with_callbacks(sandbox_rt)
    ids = people(rt, 2, prefix="+52177")
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": WORDS}, "t"))
    run_all(rt, bc.id)
    tags = set()
    for record in sandbox_records(redis):
        url = urllib.parse.urlsplit(record["_status_callback"])
        assert url.path == "/twilio/status"
        tags.add(urllib.parse.parse_qs(url.query)["send"][0])
    assert tags == {receipts.send_id(bc.id, cid) for cid in ids}
    # As given: nothing in the tag is escaped (Twilio signs the URL it was given).
    raw = {r["_status_callback"].partition("?send=")[2] for r in sandbox_records(redis)}
    assert raw == tags


def test_a_tagged_callback_names_the_recipient_before_the_runner_records_it(sandbox_rt, app):
    # The runner died after Twilio took the message, before recording it; the callback says so.
    bc, (contact_id,) = frozen(sandbox_rt)
    dead_runner_claimed(sandbox_rt, bc, contact_id)
    post_status(app.test_client(), "SM" + "7" * 32, "sent",
                send=receipts.send_id(bc.id, contact_id))
    state = receipts.states_of(sandbox_rt.redis, bc.id, [contact_id])[0]
    assert state == f"sent:SM{'7' * 32}:recovered"
    assert receipts.deliveries(sandbox_rt.redis, bc.id) == ["sent"]
    assert receipts.owner_of(sandbox_rt.redis, "SM" + "7" * 32) == (bc.id, contact_id)
    # So the runner taking the chunk over sends nothing again.
    assert Sender(sandbox_rt, bc, taken_over=True).claim([contact_id]) == []


def test_a_takeover_finds_its_own_message_still_queued_at_twilio(sandbox_rt, sandbox, redis):
    bc, (contact_id,) = frozen(sandbox_rt, start=10)
    dead_runner_claimed(sandbox_rt, bc, contact_id)
    hold(sandbox)
    accepted = delivery.create(sandbox_rt, contact_id, number_of(sandbox_rt, contact_id),
                               SMS_NUMBER, WORDS["es"], callback=False)
    assert sandbox_records(redis)[0]["date_sent"] is None  # queued
    assert Sender(sandbox_rt, bc, taken_over=True).claim([contact_id]) == []
    state = receipts.states_of(sandbox_rt.redis, bc.id, [contact_id])[0]
    assert state == f"sent:{accepted.sid}:recovered"
    assert len(sandbox_records(redis)) == 1


def test_a_takeover_never_takes_a_message_another_record_owns(sandbox_rt, redis):
    # The same words reached the person since the claim, as a reply of ours and as another
    # broadcast's message: neither is this recipient's, which never reached Twilio.
    rt = sandbox_rt
    bc, (contact_id,) = frozen(rt, start=20)
    other_bc, _ = frozen(rt, start=20)
    number = number_of(rt, contact_id)
    dead_runner_claimed(rt, bc, contact_id)
    rt.messages.create_outbound(messages.Outbound(
        id="SMreply-0", contact_id=contact_id, to=number, sender=SMS_NUMBER, body=WORDS["es"],
        kind=outbound.REPLY))
    assert outbound.send_one(rt, "SMreply-0") == "queued"
    theirs = delivery.create(rt, contact_id, number, SMS_NUMBER, WORDS["es"], callback=False)
    receipts.record_sent(rt.redis, other_bc.id, contact_id, theirs.sid, "session", TTL)
    taker = Sender(rt, bc, taken_over=True)
    claimed = taker.claim([contact_id])
    assert [cid for cid, _ in claimed] == [contact_id]  # not found at Twilio: ours to send
    assert taker.send(claimed[0]) == "sent"
    sids = [r["sid"] for r in sandbox_records(redis)]
    assert len(sids) == 3
    state = receipts.states_of(rt.redis, bc.id, [contact_id])[0]
    assert state.startswith("sent:") and state.split(":")[1] not in (
        theirs.sid, rt.messages.load_outbound("SMreply-0").twilio_sid)


def test_a_callback_that_came_before_the_sid_was_recorded_is_applied(sandbox_rt, monkeypatch):
    # An untagged callback (callbacks off when sent, or a message from before tags) arrives
    # between Twilio's answer and the receipt: kept by the webhook, applied by the runner.
    rt = sandbox_rt
    real_create = delivery.create

    def create_then_callback(*args, **kwargs):
        message = real_create(*args, **kwargs)
        assert not bc_report.record_delivery(rt, message.sid, "delivered", None)
        callbacks.buffer(rt, message.sid, "delivered", None)
        callbacks.buffer(rt, message.sid, "sent", None)  # out of order: must not win
        return message

    monkeypatch.setattr(delivery, "create", create_then_callback)
    people(rt, 2, start=30, prefix="+52188")
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": WORDS}, "t"))
    run_all(rt, bc.id)
    assert receipts.deliveries(rt.redis, bc.id) == ["delivered", "delivered"]
    assert bc_report.report(rt, bc.id)["delivered"] == 2


def test_delivery_states_never_move_back_and_name_nobody_new(rt):
    bc_id = "BCrank"
    receipts.claim(rt.redis, bc_id, ["a"], time.time())
    receipts.record_delivery(rt.redis, bc_id, "a", "sent", None)
    receipts.record_delivery(rt.redis, bc_id, "a", "queued", None)  # late
    assert receipts.deliveries(rt.redis, bc_id) == ["sent"]
    receipts.record_delivery(rt.redis, bc_id, "a", "failed", "30008")
    receipts.record_delivery(rt.redis, bc_id, "a", "delivered", None)
    assert receipts.deliveries(rt.redis, bc_id) == ["failed:30008"]
    # A tag naming a recipient the broadcast does not have (erased, or forged) writes nothing.
    assert bc_report.record_delivery(rt, "SM" + "8" * 32, "sent", None,
                                     receipts.send_id(bc_id, "gone"))
    assert receipts.deliveries(rt.redis, bc_id) == ["failed:30008"]
    assert receipts.owner_of(rt.redis, "SM" + "8" * 32) is None
