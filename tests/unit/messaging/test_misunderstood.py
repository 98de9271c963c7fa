"""Messages the assistant did not understand: kept (encrypted) when the menu or "I still don't
understand" is rendered, what the person got next, grouped, labelled, exported masked, and
erased with the person."""

from __future__ import annotations

from functools import partial

from hotline import erasure
from hotline.handoff import audit
from hotline.messaging import misunderstood
from hotline.ops.learning import export_labeled
from support.console import sign_in as console_sign_in
from support.people import person

sign_in = partial(console_sign_in, lang="en")
AUTH = {"Authorization": "Bearer nlg-token"}


def nlg(client, response, sender, text="", message_id="m1", lang="es"):
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {
        "text": text, "message_id": message_id, "metadata": {"language": lang},
        "intent": {"name": "nlu_fallback"},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.4},
                           {"name": "cost_scam", "confidence": 0.3},
                           {"name": "register", "confidence": 0.2}]}}
    return client.post("/nlg", headers=AUTH, json={"response": response, "arguments": {},
                                                    "tracker": tracker})


def test_the_menu_keeps_the_message_encrypted_and_the_next_answer(client, rt):
    cid = person(rt)
    assert nlg(client, "utter_default", cid, "buenas tardes, es gratis el registro?").status_code \
        == 200
    [entry] = misunderstood.recent(rt.redis, rt.vault)
    assert (entry.text, entry.lang, entry.ranking) == (
        "buenas tardes, es gratis el registro?", "es", ["cost_scam", "register"])
    stored = rt.redis.hgetall(f"hl:nlu:miss:e:{entry.id}")
    assert "gratis" not in stored["text"]  # encrypted at rest
    # Another response in the same turn is not "what they chose next"...
    nlg(client, "utter_greet", cid, message_id="m1")
    assert misunderstood.recent(rt.redis, rt.vault)[0].next is None
    # ...the answer to their next message is.
    nlg(client, "utter_cost_scam", cid, "2", message_id="m2")
    nlg(client, "utter_register", cid, "otra", message_id="m3")
    assert misunderstood.recent(rt.redis, rt.vault)[0].next == "utter_cost_scam"


def test_still_not_understood_is_kept_too_and_a_repeat_is_kept_once(client, rt):
    cid = person(rt)
    nlg(client, "utter_default_human", cid, "asdf", message_id="x1")
    nlg(client, "utter_default_human", cid, "asdf", message_id="x1")  # a retried turn
    assert [e.response for e in misunderstood.recent(rt.redis, rt.vault)] == [
        "utter_default_human"]
    nlg(client, "utter_greet", cid, "hola", message_id="x2")
    assert len(misunderstood.recent(rt.redis, rt.vault)) == 1  # an understood message is not


def test_grouped_by_wording_with_people_and_next():
    entries = [misunderstood.Missed(str(i), f"c{i % 2}", text, "es", 100.0 + i, "utter_default",
                                    next=nxt)
               for i, (text, nxt) in enumerate([
                   ("¿Es GRATIS el registro?", "utter_cost_scam"),
                   ("es gratis el registro", "utter_cost_scam"), ("hola 123", None),
                   ("es gratis el registro!!", "utter_register")])]
    first, second = misunderstood.grouped(entries)
    assert (first["count"], first["people"]) == (3, 2)
    assert first["next"][0] == ("utter_cost_scam", 2)
    assert second["count"] == 1


def test_mask_hides_numbers_names_and_places():
    masked = misunderstood.mask(
        "hola me llamo Juan Pérez, mi A es A-012-345-678, estoy en Tijuana en la colonia "
        "Libertad y mi cel es (664) 123-4567, hablé con Rosa Díaz")
    for secret in ("Juan", "Pérez", "012", "345", "Tijuana", "Libertad", "664", "4567",
                   "Rosa", "Díaz"):
        assert secret not in masked, secret
    assert masked.startswith("hola me llamo PERSONA")


def test_supervisors_see_and_label_operators_may_not(app, client, rt):
    cid = person(rt)
    nlg(client, "utter_default", cid, "<b>es gratis</b> el registro?")
    [entry] = misunderstood.recent(rt.redis, rt.vault)
    operator = sign_in(app, "pedro", role="operator")
    assert operator.get("/console/not-understood").status_code == 403
    boss = sign_in(app, "jefa", role="supervisor")
    page = boss.get("/console/not-understood")
    assert page.status_code == 200
    assert b"&lt;b&gt;es gratis&lt;/b&gt;" in page.data  # escaped, never markup
    assert b"<b>es gratis" not in page.data
    assert boss.post(f"/console/not-understood/{entry.id}/label",
                     data={"topic": "cost_scam"}).status_code == 400  # no CSRF token
    assert boss.post(f"/console/not-understood/{entry.id}/label",
                     data={"topic": "no_such_topic", "csrf_token": boss.csrf}).status_code == 400
    assert boss.post("/console/not-understood/nope/label",
                     data={"topic": "cost_scam", "csrf_token": boss.csrf}).status_code == 404
    done = boss.post(f"/console/not-understood/{entry.id}/label",
                     data={"topic": "cost_scam", "csrf_token": boss.csrf})
    assert done.status_code == 302
    assert misunderstood.get(rt.redis, rt.vault, entry.id).label == "cost_scam"
    [logged] = [e for e in audit.recent(rt.redis) if e["action"] == "label_not_understood"]
    assert (logged["operator"], logged["topic"]) == ("jefa", "cost_scam")
    assert b"Labelled: cost_scam" in boss.get("/console/not-understood").data


def test_the_page_is_in_spanish_for_spanish_supervisors(app, rt):
    boss = console_sign_in(app, "jefa", role="supervisor", lang="es")
    page = boss.get("/console/not-understood")
    assert "Mensajes que el asistente no entendió".encode() in page.data


def test_export_writes_labelled_examples_masked_per_language(client, rt, tmp_path):
    cid = person(rt)
    nlg(client, "utter_default", cid, "me llamo Ana Ruiz y estoy en Reynosa, es gratis?", "a1")
    # A contact not stored yet: the turn's language (English) is the entry's.
    nlg(client, "utter_default", "c-new", "is it free to sign up from Tijuana", "a2", lang="en")
    nlg(client, "utter_default", "c-new", "not labelled", "a3", lang="en")
    for entry in misunderstood.recent(rt.redis, rt.vault):
        if entry.text != "not labelled":
            misunderstood.label(rt.redis, entry.id, "cost_scam", "jefa")
    assert export_labeled(rt, tmp_path) == {"en": 1, "es": 1}
    es = (tmp_path / "labeled_es.yml").read_text()
    assert "- intent: cost_scam" in es and "me llamo PERSONA y estoy en LUGAR" in es
    assert "Ana" not in es and "Reynosa" not in es
    assert "LUGAR" in (tmp_path / "labeled_en.yml").read_text()


def test_erasure_forgets_what_they_were_not_understood_in(client, rt):
    cid, other = person(rt), person(rt, "+5215500000002")
    nlg(client, "utter_default", cid, "mensaje de una persona", "e1")
    nlg(client, "utter_default", other, "mensaje de otra", "e2")
    erasure.erase(rt, cid)
    assert [e.contact_id for e in misunderstood.recent(rt.redis, rt.vault)] == [other]
    assert not rt.redis.exists(f"hl:nlu:miss:c:{cid}")
    assert not rt.redis.exists("hl:nlu:miss:e:e1")
    assert rt.redis.zscore("hl:nlu:miss", "e1") is None
