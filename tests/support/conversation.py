"""Talking to the running hotline from tests: what a person is sent, and a turn of chat."""

from hotline.config import PROJECT_ROOT, Settings
from hotline.content import answers, program_status
from hotline.content.catalogs import Catalogs
from hotline.content.responses import load_responses
from hotline.messaging import menus, sms

catalogs = Catalogs(PROJECT_ROOT / "locales")
shapes = load_responses(PROJECT_ROOT / "bot" / "domain", PROJECT_ROOT / "bot" / "responses")


def expected(name: str, lang: str, **values) -> str:
    """The SMS body the person gets for a response: its words plus numbered options."""
    shape = shapes[name]
    # As the renderer says it: today's variant, with the status's dates and organizations.
    status = program_status.load(Settings().program_status_file)
    key = status.message_key if name == "utter_program_status" else shape.text_key
    text = answers.say(catalogs, status, key, lang, **values)
    if shape.buttons:
        text += "\n\n" + menus.render_options(
            [{"title": catalogs.text(t, lang), "payload": p} for t, p in shape.buttons])
    return text


def all_texts(lang: str) -> set[str]:
    """Every fixed message (those with placeholders are never a generic answer)."""
    fixed = [name for name in shapes if name == "utter_program_status"
             or "{" not in catalogs.raw(shapes[name].text_key, lang)]
    texts = {expected(name, lang) for name in fixed} | {
        catalogs.text(k, lang) for k in catalogs.keys() if not catalogs.raw(k, lang).count("{")}
    # A body received by SMS may be the folded form (a set looks it up by its own hash).
    return texts | {sms.for_sms(text) for text in texts}


class Received(str):
    """A body as the phone got it. By SMS the hotline sends Spanish folded to GSM-7 when that
    costs fewer segments (sms.for_sms), so a body equals the words as written or their SMS
    form, and starts with, ends with or contains a part as written or folded."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return str.__eq__(self, other) or str.__eq__(self, sms.for_sms(other))

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def startswith(self, prefix, *args) -> bool:
        return str.startswith(self, prefix, *args) or str.startswith(
            self, sms.fold_for_gsm(prefix), *args)

    def endswith(self, suffix, *args) -> bool:
        return str.endswith(self, suffix, *args) or str.endswith(
            self, sms.fold_for_gsm(suffix), *args)

    def __contains__(self, part) -> bool:
        return str.__contains__(self, part) or str.__contains__(self, sms.fold_for_gsm(part))


def received(messages: list[dict]) -> list[Received]:
    return [Received(m["body"]) for m in messages]


def ask(phone, text: str, timeout: float = 60) -> Received:
    phone.send(text)
    got = phone.wait_for(1, timeout=timeout)
    assert got, f"no reply to {text!r}"
    return Received(got[0]["body"])


def said(*parts: str) -> str:
    """Several responses of one turn, as they arrive: one SMS body, blank lines between."""
    return "\n\n".join(parts)


def fills(key: str, lang: str, text: str) -> bool:
    """Whether text is the catalog message `key` with some values in its placeholders."""
    import re

    patterns = []
    for raw in (catalogs.raw(key, lang), sms.fold_for_gsm(catalogs.raw(key, lang))):
        patterns.append(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(raw)))
    return any(re.fullmatch(p, text, re.S) is not None for p in patterns)


def tells_when_a_person_answers(reply: str, lang: str) -> bool:
    """The last part of a hand-off: the wait from the queue, or when the team is back."""
    last = reply.split("\n\n")[-1]
    return fills("utter_handoff_wait", lang, last) or fills("utter_handoff_after_hours", lang, last)
