"""The inbound edge reads every message in one normal form (`hotline.text.normalize`): hidden
and fullwidth characters do not hide a keyword from the gateway."""

from hotline.messaging import inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound


def _message(rt, body: str, sid: str) -> Inbound:
    number = "+5215511112222"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    msg = Inbound(sid=sid, contact_id=contact_id, channel="sms", sender=number,
                  to="+15005550006", body=body, num_media=0, received_at=0)
    rt.messages.save_inbound(msg, 60)
    return msg


def test_a_zero_width_space_does_not_hide_stop(rt):
    msg = _message(rt, "S\u200bTOP", "SM" + "7" * 32)
    inbound.handle(rt, msg.sid)
    assert rt.contacts.get(msg.contact_id).opted_out


def test_fullwidth_own_words_opt_out_too(rt):
    msg = _message(rt, "ｙａ ｎｏ ｍｅ ｍａｎｄｅｎ ｍｅｎｓａｊｅｓ", "SM" + "8" * 32)
    inbound.handle(rt, msg.sid)
    assert rt.contacts.get(msg.contact_id).opted_out


def test_the_stored_message_keeps_what_the_person_sent(rt):
    msg = _message(rt, "S\u200bTOP", "SM" + "9" * 32)
    inbound.handle(rt, msg.sid)
    assert rt.messages.load_inbound(msg.sid).body == "S\u200bTOP"


def test_the_assistant_gets_the_normal_form(rt, monkeypatch):
    sent = []
    monkeypatch.setattr(type(rt.assistant), "send",
                        lambda self, contact_id, text, metadata: sent.append(text) or [
                            {"text": "ok"}])
    msg = _message(rt, "ｅｓ ｇｒａｔｉｓ\u200b el regis\u00adtro?\x07", "SM" + "6" * 32)
    inbound.handle(rt, msg.sid)
    assert sent == ["es gratis el registro?"]
