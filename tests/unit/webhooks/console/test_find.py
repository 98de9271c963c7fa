"""Supervisors find a person by the phone number they give (either Mexican form, typed any
way) or by a WhatsApp user id, through the contact store's identity index."""

from hotline.contacts import Sender
from hotline.handoff import audit
from hotline.messaging.channels import parse_address
from support.console import sign_in
from support.people import person, values


def test_a_number_typed_any_way_finds_the_one_contact(app, rt):
    cid = person(rt, number="+5215512345631")  # wrote by WhatsApp's form of the number
    rt.registrations.create(values(), cid, "sms", "es")
    boss = sign_in(app, "jefa", role="supervisor")
    for typed in ("+52 55 1234 5631", "55-1234-5631", "+52 1 55 1234 5631", "0052 5512345631"):
        found = boss.get("/console/api/find", query_string={"phone": typed})
        assert found.status_code == 200, typed
        body = found.get_json()
        assert body["contact_id"] == cid and body["in_queue"] and body["registration"]
    assert any(e["action"] == "find" for e in audit.recent(rt.redis, 10))


def test_a_whatsapp_user_id_finds_its_contact(app, rt):
    cid = rt.contacts.touch_inbound(Sender("whatsapp", user_id="US.13491208655302741918"))
    boss = sign_in(app, "jefa", role="supervisor")
    found = boss.get("/console/api/find", query_string={"phone": "US.13491208655302741918"})
    assert found.get_json()["contact_id"] == cid and not found.get_json()["in_queue"]


def test_nobody_and_nonsense_are_told_apart_and_operators_may_not_search(app, rt):
    rt.contacts.touch_inbound(parse_address("+525512345632"))
    boss = sign_in(app, "jefa", role="supervisor")
    assert boss.get("/console/api/find", query_string={"phone": "+52 55 9999 0000"}
                    ).status_code == 404
    for bad in ("", "hola", "<script>", "1" * 500, "+52 000 000 0000"):
        answer = boss.get("/console/api/find", query_string={"phone": bad})
        assert answer.status_code == 400 and answer.get_json()["reason"], bad
    assert sign_in(app, "ana").get("/console/api/find",
                                   query_string={"phone": "+525512345632"}).status_code == 403
