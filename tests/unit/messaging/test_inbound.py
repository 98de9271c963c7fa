"""One inbound message handled: keywords first, the assistant only when no operator holds the
conversation."""

import pytest

from hotline.errors import AssistantUnavailable
from hotline.handoff import queue as escalations
from hotline.messaging import inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from support import SMS_NUMBER
from support.people import person


def test_help_keyword_names_who_runs_the_hotline(sandbox_rt, redis):
    import time

    from hotline.content import program_status
    from hotline.messaging import inbound, outbound
    from support import SMS_NUMBER, sandbox_records

    rt = sandbox_rt

    def help_reply(number: str, sid: str) -> str:
        contact_id = rt.contacts.touch_inbound(parse_address(number))
        rt.messages.save_inbound(Inbound(sid, contact_id, "sms", number, SMS_NUMBER, "AYUDA", 0,
                                         time.time()), 3600)
        inbound.handle(rt, sid)
        outbound.drain(rt, contact_id)
        return rt.messages.transcript(contact_id)[-1]["text"]

    unset = help_reply("+5215544500001", "SMhelp1")
    assert unset.startswith("Línea MPP, atendida por " + rt.catalogs.text("run_by.none", "es"))
    current = program_status.load(rt.settings.program_status_file, redis)
    program_status.store_override(redis, current.changed(run_by="Red Z"))
    assert help_reply("+5215544500002", "SMhelp2").startswith("Línea MPP, atendida por Red Z:")
    assert len(sandbox_records(redis)) == 2


def test_the_assistant_stays_silent_while_an_operator_holds_the_conversation(rt):
    contact_id = person(rt)
    waiting = Inbound(sid="SM" + "3" * 32, contact_id=contact_id, channel="sms",
                      sender="+5215512340000", to=SMS_NUMBER, body="hola?", num_media=0,
                      received_at=0)
    rt.messages.save_inbound(waiting, 60)
    # Still waiting for an operator: the assistant answers (here it is down, so it is tried).
    with pytest.raises(AssistantUnavailable):
        inbound.handle(rt, waiting.sid)
    rt.redis.delete(f"hl:in:{waiting.sid}")
    escalations.claim(rt.redis, contact_id, "ana")
    msg = Inbound(sid="SM" + "1" * 32, contact_id=contact_id, channel="sms",
                  sender="+5215512340000", to=SMS_NUMBER, body="hola?", num_media=0,
                  received_at=0)
    rt.messages.save_inbound(msg, 60)
    # The assistant is not even reachable here: a call to it would fail the test.
    inbound.handle(rt, msg.sid)
    stored = rt.messages.load_inbound(msg.sid)
    assert stored.state == "done" and not stored.replies
    assert [e["text"] for e in rt.messages.transcript(contact_id)][-1] == "hola?"
    # STOP still works.
    stop = Inbound(sid="SM" + "2" * 32, contact_id=contact_id, channel="sms",
                   sender="+5215512340000", to=SMS_NUMBER, body="STOP", num_media=0, received_at=0)
    rt.messages.save_inbound(stop, 60)
    inbound.handle(rt, stop.sid)
    assert rt.contacts.is_opted_out(contact_id)
