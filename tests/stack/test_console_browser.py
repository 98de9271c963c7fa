"""The console in a real headless Chromium against the running hotline: an operator signs in,
sees a new escalation appear without reloading, takes it, reads it, answers through Twilio,
sees the answer in the sandbox, and hands the person back to the assistant."""

from __future__ import annotations

import pytest

from hotline.access import operators
from hotline.crypto import Vault
from hotline.handoff import queue as escalations
from hotline.messaging import phones
from hotline.messaging.channels import parse_address
from hotline.ops.stack import free_port
from support.browser import Browser
from support.conversation import ask, catalogs, expected, received

pytestmark = pytest.mark.stack

PASSWORD = "operator-password-123"
WORDS = {
    "es": {"title": "Esperando a una persona", "reply": "Hola, soy Ana del equipo de la línea",
           "status": ("entregado", "enviado", "en cola"), "ask": "quiero hablar con una persona"},
    "en": {"title": "Waiting for a person", "reply": "Hello, this is Ana from the hotline team",
           "status": ("delivered", "sent", "queued"), "ask": "i want to talk to a real person"},
}


@pytest.fixture(scope="module")
def browser():
    chrome = Browser(free_port())
    yield chrome
    chrome.quit()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_operator_takes_answers_and_hands_back_a_conversation(browser, stack, stack_redis,
                                                                  phone, lang):
    words = WORDS[lang]
    username = f"ana-{lang}"
    if not operators.get(stack_redis, username):
        operators.create(stack_redis, username, PASSWORD, language=lang, name=f"Ana {lang}")
    base = f"http://127.0.0.1:{stack.ports.gateway}/console"
    browser.get(f"{base}/login?lang={lang}")
    browser.type("#username", username)
    browser.type("#password", PASSWORD)
    browser.click("#sign-in")
    browser.wait_for_text("#queue-title", words["title"])

    # The person asks for a person after the page is open: it must appear by itself.
    person = phone()
    assert ask(person, words["ask"]).startswith(expected("utter_human_handoff", lang))
    contact_id = Vault(stack.env["HOTLINE_SECRET"]).pseudonym(
        phones.canonical(parse_address(person.address).number))
    browser.find(f'#waiting tr[data-contact="{contact_id}"] button.claim', timeout=20)
    browser.click(f'#waiting tr[data-contact="{contact_id}"] button.claim')

    # The transcript: what they wrote and what the assistant answered.
    browser.wait_for_text("#transcript", words["ask"])
    assert catalogs.text("utter_human_handoff", lang)[:30] in browser.text("#transcript")
    # While a person has it, the assistant is silent.
    person.send("¿sigue ahí?" if lang == "es" else "are you there?")
    browser.wait_for_text("#transcript", "¿sigue ahí?" if lang == "es" else "are you there?")
    assert person.wait_for(1, timeout=3) == []

    browser.type("#reply-body", words["reply"])
    browser.click("#send-reply")
    got = person.wait_for(1, timeout=30)
    assert received(got) == [words["reply"]]
    seen = browser.wait_for_text("#transcript", words["reply"])
    assert any(s in seen for s in words["status"]), seen

    browser.click("#hand-back")
    browser.wait_for_text("#queue-title", words["title"])
    assert received(person.wait_for(1, timeout=30)) == [
        catalogs.text("console.handback", lang)]
    assert escalations.get(stack_redis, contact_id)["state"] == "returned"
    # The assistant answers again.
    assert ask(person, "hola" if lang == "es" else "hello") == expected("utter_greet", lang)
