"""A person texting the real hotline: signed webhook in, Rasa, NLG, RQ workers, sandbox out."""

import secrets
import threading
import time

import pytest
import requests

from hotline.config import PROJECT_ROOT, Settings
from hotline.content import answers, program_status
from hotline.content.catalogs import Catalogs
from hotline.messaging import outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER
from support.conversation import received, said

pytestmark = pytest.mark.stack

catalogs = Catalogs(PROJECT_ROOT / "locales")


def t(key, lang, **values):
    """The words as the hotline says them today (HELP names who runs it, from the status)."""
    status = program_status.load(Settings().program_status_file)
    return answers.say(catalogs, status, key, lang, **values)


def replies(phone, count=1, timeout=60):
    return received(phone.wait_for(count, timeout=timeout))


def test_hola_gets_a_spanish_greeting(phone):
    person = phone()
    assert person.send("hola").status_code == 200
    assert replies(person) == [t("utter_greet", "es")]


def test_hello_gets_an_english_greeting(phone):
    person = phone()
    person.send("hello")
    assert replies(person) == [t("utter_greet", "en")]


def test_whatsapp_is_answered_on_whatsapp_from_the_number_written_to(phone):
    person = phone(channel="whatsapp")
    person.send("buenas tardes")
    message = person.wait_for(1, timeout=60)[0]
    assert message["to"] == person.address and message["to"].startswith("whatsapp:+")
    assert message["from"] == WHATSAPP_NUMBER
    sms_person = phone(number=person.number)
    sms_person.send("hola")
    sms_message = sms_person.wait_for(1, timeout=60)[0]
    assert sms_message["from"] == SMS_NUMBER and sms_message["to"] == person.number


def test_unsigned_request_is_refused(stack, stack_redis):
    url = f"http://127.0.0.1:{stack.ports.gateway}/twilio/messages"
    response = requests.post(url, data={"MessageSid": "SMunsigned", "From": "+5215500000001",
                                        "To": SMS_NUMBER, "Body": "hola"}, timeout=5)
    assert response.status_code == 403
    assert not stack_redis.exists("hl:in:SMunsigned")


def test_a_repeated_message_sid_gets_exactly_one_reply(phone):
    person = phone()
    for _ in range(4):
        assert person.send("hola", sid="SM" + person.number[-8:] * 4).status_code == 200
    assert len(replies(person, count=1)) == 1
    time.sleep(3)
    assert person.new_messages() == []


def test_stop_opts_out_and_start_opts_back_in(phone, stack):
    from hotline.config import Settings
    from hotline.runtime import Runtime

    person = phone()
    person.send("hola")
    assert replies(person) == [t("utter_greet", "es")]
    person.send("STOP")
    assert replies(person) == [t("keyword.stopped.sms", "es")]

    # A broadcast-style send to an opted-out person is refused and never reaches Twilio.
    rt = Runtime(Settings.from_env(**{
        "redis_url": stack.env["REDIS_URL"], "secret": stack.env["HOTLINE_SECRET"],
        "twilio_account_sid": stack.env["TWILIO_ACCOUNT_SID"],
        "twilio_auth_token": stack.env["TWILIO_AUTH_TOKEN"],
        "twilio_api_base_url": stack.env["TWILIO_API_BASE_URL"]}))
    contact_id = rt.contacts.id_for(parse_address(person.address))
    out_id = outbound.queue_message(rt, contact_id, person.address, SMS_NUMBER,
                                    "Aviso para todos", outbound.REPLY)
    outbound.drain(rt, contact_id)
    assert rt.messages.load_outbound(out_id).status == "refused"
    person.send("gracias")  # no reply while opted out
    time.sleep(3)
    assert person.new_messages() == []

    person.send("Alta")
    assert replies(person) == [t("keyword.started", "es")]
    person.send("hola")
    assert replies(person) == [t("utter_greet", "es")]


def test_help_keyword_in_the_persons_language(phone):
    english = phone()
    english.send("HELP")
    assert replies(english) == [t("keyword.help", "en")]
    spanish = phone()
    spanish.send("ayuda")
    assert replies(spanish) == [t("keyword.help", "es")]


@pytest.mark.parametrize("body,num_media,key", [
    ("", 1, "media_only_text"),  # a picture: said once a day, kindly (test_pictures_and_pins)
    ("   ", 0, "unreadable.empty"),
    ("🙏🙏😭", 0, "unreadable.no_text"),
    ("ayúdeme por favor " * 100, 0, "unreadable.too_long"),
])
def test_what_the_hotline_cannot_read_gets_a_clear_answer(phone, body, num_media, key):
    person = phone()
    person.send("hola")
    replies(person)
    person.send(body, num_media=num_media)
    assert replies(person) == [t(key, "es")]


def test_a_burst_from_one_sender_is_answered_in_order(phone):
    person = phone()
    person.send("hola")
    replies(person)
    burst = [("ayuda", "keyword.help"), ("🙏", "unreadable.no_text"), ("gracias", "utter_thanks"),
             ("", "unreadable.empty"), ("hola", "utter_greet"), ("AYUDA", "keyword.help")]
    # Posted back to back from several threads in order, like Twilio's parallel deliveries.
    threads = []
    for body, _ in burst:
        thread = threading.Thread(target=person.send, args=(body,))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    got = replies(person, count=len(burst), timeout=90)
    assert got == [t(key, "es") for _, key in burst]


def test_a_request_to_stop_no_rule_matches_is_read_by_the_model(phone):
    # Words the opt-out rules do not match (checked here, so this stays the model's job).
    from hotline.messaging import keywords

    asks, keeps = "ya me cansé de tanto mensaje", "porfa no dejen de mandarme los avisos"
    assert keywords.match(asks) is None and keywords.match(keeps) is None
    person = phone()
    person.send("hola")
    assert replies(person) == [t("utter_greet", "es")]
    # Asking to keep the messages is never an opt-out.
    person.send(keeps)
    assert replies(person) != [t("keyword.stopped.sms", "es")]
    person.send(asks)
    assert replies(person) == [t("keyword.stopped.sms", "es")]
    person.send("gracias")  # opted out: kept, not answered
    time.sleep(3)
    assert person.new_messages() == []
    person.send("ALTA")
    assert replies(person) == [t("keyword.started", "es")]


def test_language_can_be_switched_and_sticks(phone):
    person = phone()
    person.send("hola")
    assert replies(person) == [t("utter_greet", "es")]
    person.send("english please")
    assert replies(person) == [t("utter_language_changed", "en")]
    person.send("hola")
    assert replies(person) == [t("utter_greet", "en")]
    person.send("en español por favor")
    assert replies(person) == [t("utter_language_changed", "es")]
    person.send("hello")
    assert replies(person) == [t("utter_greet", "es")]


def test_delivery_states_arrive_from_the_sandbox(phone, stack_redis):
    person = phone()
    person.send("hola")
    sid = person.wait_for(1, timeout=60)[0]["sid"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        out_id = stack_redis.get(f"hl:twsid:{sid}")
        if out_id and stack_redis.hget(f"hl:out:{out_id}", "status") == "delivered":
            break
        time.sleep(0.2)
    assert stack_redis.hget(f"hl:out:{out_id}", "status") == "delivered"


def test_assistant_down_the_person_is_told_and_answered_later(phone, stack):
    actions = next(s for s in stack.services if s.name == "actions")
    person = phone()
    person.send("hola")
    assert replies(person) == [t("utter_greet", "es")]
    actions.process.terminate()
    actions.process.wait(20)
    try:
        person.send("gracias")
        assert replies(person, timeout=30) == [t("error.assistant_delayed", "es")]
    finally:
        stack._spawn(actions)
    # Answered once the action server is back (RQ retries with backoff), and only once.
    assert replies(person, timeout=120) == [t("utter_thanks", "es")]
    time.sleep(3)
    assert person.new_messages() == []


def test_a_picture_and_a_pin_get_answers_not_a_400_or_empty(phone, stack):
    """A WhatsApp picture with no caption (no Body at all) and a shared pin, end to end: the
    picture is one the sandbox serves, as Twilio would."""
    person = phone(channel="whatsapp")
    upload = requests.post(f"{stack.env['TWILIO_API_BASE_URL']}/_sandbox/media",
                           data=b"\x89PNG\r\n\x1a\n", headers={"Content-Type": "image/png"},
                           auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
    params = person.inbound_params("", num_media=1)
    del params["Body"]
    params.update(MediaUrl0=upload.json()["url"], MediaContentType0="image/png",
                  MessageType="image")
    url = person.gateway_url.rstrip("/") + "/twilio/messages"
    assert requests.post(url, data=params, timeout=10, headers={
        "X-Twilio-Signature": sign(AUTH_TOKEN, url, params)}).status_code == 200
    assert replies(person) == [t("media_only_text", "es")]
    person.send("", Latitude="26.0508", Longitude="-98.2979", MessageType="location")
    assert replies(person) == [t("location_outside_form", "es")]


def test_asking_why_the_messages_stopped_names_the_channel_that_was_stopped(phone):
    # One handset on both channels (the same digits, as each channel writes them): WhatsApp
    # stopped, then asked by SMS. The rules must leave the question to the model.
    from hotline.messaging import keywords

    asked = "ya no me llegan sus mensajes"
    assert keywords.match(asked) is None
    digits = "".join(secrets.choice("0123456789") for _ in range(8))
    whatsapp, sms = phone("whatsapp", f"+52155{digits}"), phone("sms", f"+5255{digits}")
    whatsapp.send("ALTO")
    assert replies(whatsapp) == [t("keyword.stopped.whatsapp", "es")]
    sms.send(asked)
    assert replies(sms) == [said(t("utter_messages_on_list", "es"),
                                 t("utter_messages_stopped_whatsapp", "es"))]
    # Asking is not a STOP: SMS still answers.
    sms.send("hola")
    assert replies(sms) == [t("utter_greet", "es")]


def test_asked_by_whatsapp_alone_the_answer_says_news_may_not_reach_them_and_how_sms_helps(phone):
    # No WhatsApp template here: outside 24 hours, news reaches a WhatsApp-only person by SMS
    # or not at all (routing.choose). One SMS from the same handset opens that route.
    asked = "ya no me llegan sus mensajes"
    digits = "".join(secrets.choice("0123456789") for _ in range(8))
    whatsapp, sms = phone("whatsapp", f"+52155{digits}"), phone("sms", f"+5255{digits}")
    whatsapp.send(asked)
    assert replies(whatsapp) == [said(t("utter_messages_on_list", "es"),
                                      t("utter_messages_whatsapp_window", "es"),
                                      t("utter_messages_sms_instead", "es",
                                        sms_number=SMS_NUMBER))]
    sms.send("hola")
    assert replies(sms) == [t("utter_greet", "es")]
    whatsapp.send(asked)
    assert replies(whatsapp) == [t("utter_messages_on_list", "es")]
