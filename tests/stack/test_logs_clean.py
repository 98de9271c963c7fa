"""After real conversations through the whole stack, no log file holds a person's phone number,
what they wrote, or any secret; the hotline's own lines are there; /metrics counts them."""

from __future__ import annotations

import re
import secrets
import time
import urllib.parse

import pytest
import requests

from hotline.ops.chat import Phone
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER
from support.conversation import ask

pytestmark = pytest.mark.stack

# Distinctive words: found in a log only if a message text was written there.
TEXTS = {
    "es": "hola, me llamo Zacarias Quetzalcoatl y mi numero es 55 4321 8765, necesito ayuda",
    "en": "hello my name is Bartholomew Quixley, what documents do i need to bring",
}
WORDS = ("Zacarias", "Quetzalcoatl", "Bartholomew", "Quixley", "4321 8765")
SECRET_VARIABLES = ("HOTLINE_SECRET", "RASA_TOKEN", "NLG_TOKEN", "ACTION_SERVER_TOKEN",
                    "TWILIO_AUTH_TOKEN", "HOTLINE_METRICS_TOKEN")


def new_phone(stack, channel: str) -> Phone:
    # Module-wide (the conversation runs once for the three checks); like conftest's `phone`.
    return Phone(gateway_url=f"http://127.0.0.1:{stack.ports.gateway}",
                 sandbox_url=stack.env["TWILIO_API_BASE_URL"], account_sid=ACCOUNT_SID,
                 auth_token=AUTH_TOKEN,
                 number="+52155" + "".join(secrets.choice("0123456789") for _ in range(8)),
                 hotline_number=WHATSAPP_NUMBER if channel == "whatsapp" else SMS_NUMBER,
                 channel=channel)


@pytest.fixture(scope="module")
def conversations(stack):
    people = [new_phone(stack, "sms"), new_phone(stack, "whatsapp")]
    for person, lang in zip(people, ("es", "en"), strict=True):
        assert ask(person, TEXTS[lang])  # answered: the message went all the way through
    ask(people[0], "1")
    time.sleep(2)  # status callbacks and the last log lines
    return people


def log_files(stack):
    files = sorted(p for p in stack.var_dir.rglob("*") if p.is_file() and p.suffix == ".log")
    assert {p.stem for p in files} >= {"gateway", "worker-1", "rasa", "actions", "sweeper"}
    return files


def secrets_of(stack) -> dict[str, str]:
    found = {name: stack.env[name] for name in SECRET_VARIABLES if stack.env.get(name)}
    password = urllib.parse.urlsplit(stack.env["REDIS_URL"]).password
    if password:
        found["REDIS_URL password"] = urllib.parse.unquote(password)
    return found


def test_no_log_holds_a_number_a_message_or_a_secret(stack, conversations):
    numbers = {p.number for p in conversations}
    # Each number also as people and libraries write it: without "+", without the country code.
    forms = numbers | {n.lstrip("+") for n in numbers} | {n[-10:] for n in numbers}
    leaks = []
    for path in log_files(stack):
        text = path.read_text(errors="replace")
        for form in forms:
            if form in text:
                leaks.append(f"{path.name}: phone number {form}")
        for word in WORDS:
            if word in text:
                leaks.append(f"{path.name}: message text {word!r}")
        for name, value in secrets_of(stack).items():
            if value in text:
                leaks.append(f"{path.name}: {name}")
        if re.search(r"[?&]token=(?!\[redacted\])", text):
            leaks.append(f"{path.name}: a token in a query string")
    assert not leaks, "\n".join(leaks)


def test_the_hotlines_own_lines_reach_the_logs_with_the_jobs_ids(stack, conversations):
    worker_logs = "".join(p.read_text(errors="replace") for p in log_files(stack)
                          if p.stem.startswith("worker-"))
    assert re.search(r"hotline\.messaging\.outbound: outbound \S+ accepted by Twilio", worker_logs)
    assert re.search(r"\[job_id=\S+ contact_id=[0-9a-f]+", worker_logs)
    gateway = (stack.var_dir / "log" / "gateway.log").read_text(errors="replace")
    assert '"POST /twilio/messages HTTP/1.1" 200' in gateway  # access lines, path only


def test_metrics_count_the_conversations(stack, conversations):
    url = f"http://127.0.0.1:{stack.ports.gateway}/metrics"
    assert requests.get(url, timeout=5).status_code == 404  # no token, nothing shown
    text = requests.get(url, timeout=5, headers={
        "Authorization": f"Bearer {stack.env['HOTLINE_METRICS_TOKEN']}"}).text
    # Workers count in the shared multiprocess directory; the gateway adds them up.
    answered = sum(float(v) for v in re.findall(
        r'^hotline_messages_in_total\{[^}]*\} (\S+)$', text, re.M))
    sent = sum(float(v) for v in re.findall(
        r'^hotline_messages_out_total\{[^}]*\} (\S+)$', text, re.M))
    assert answered >= 3 and sent >= 3
    assert re.search(r'^hotline_reply_seconds_count\{channel="whatsapp"\} [1-9]', text, re.M)
    for person in conversations:
        assert person.number.lstrip("+") not in text
